import type { Prng } from './prng.js';

/** iPAddress SAN contents (4 bytes for IPv4, 16 for IPv6, other lengths malformed), each with a label. */
export interface IpBytes {
  readonly bytes: Uint8Array;
  readonly text: string;
}

const INSIDE: ReadonlyArray<readonly [number, number]> = [
  [0x0a000000, 24], // 10/8
  [0xac100000, 20], // 172.16/12
  [0xc0a80000, 16], // 192.168/16
];
const EDGES_INSIDE = ['10.0.0.0', '10.255.255.255', '172.16.0.0', '172.31.255.255', '192.168.0.0', '192.168.255.255'];
const EDGES_OUTSIDE = ['9.255.255.255', '11.0.0.0', '172.15.255.255', '172.32.0.0', '192.167.255.255', '192.169.0.0'];
const SPECIAL = ['0.0.0.0', '127.0.0.1', '255.255.255.255', '100.64.0.1', '169.254.1.1', '224.0.0.1', '8.8.8.8', '1.1.1.1'];

/** Mostly allowed addresses, with the edges of every range, public and special ones, IPv6 and odd lengths. */
export function pickIp(prng: Prng): IpBytes {
  const roll = prng.below(100);
  if (roll < 50) return inside(prng);
  if (roll < 60) return ipv4(prng.pick(EDGES_INSIDE));
  if (roll < 72) return ipv4(prng.pick(EDGES_OUTSIDE));
  if (roll < 80) return ipv4(prng.pick(SPECIAL));
  if (roll < 86) return publicIp(prng);
  if (roll < 94) return ipv6(prng);
  return oddLength(prng);
}

function inside(prng: Prng): IpBytes {
  const [base, hostBits] = prng.pick(INSIDE);
  return fromNumber(base + (prng.next() % 2 ** hostBits));
}

function publicIp(prng: Prng): IpBytes {
  return fromNumber(prng.next());
}

function ipv6(prng: Prng): IpBytes {
  const bytes = new Uint8Array(16);
  const kind = prng.below(3);
  if (kind === 0) bytes.set([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 1]); // ::ffff:10.0.0.1
  else if (kind === 1) bytes.set([0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]); // fd00::1
  else for (let i = 0; i < 16; i++) bytes[i] = prng.below(256);
  return { bytes, text: `ipv6:${Buffer.from(bytes).toString('hex')}` };
}

function oddLength(prng: Prng): IpBytes {
  const bytes = Uint8Array.from({ length: prng.pick([0, 3, 5, 8, 32]) }, () => prng.below(256));
  return { bytes, text: `${bytes.length} bytes` };
}

function ipv4(text: string): IpBytes {
  return { bytes: Uint8Array.from(text.split('.').map(Number)), text };
}

function fromNumber(value: number): IpBytes {
  const bytes = Uint8Array.of(value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255);
  return { bytes, text: bytes.join('.') };
}
