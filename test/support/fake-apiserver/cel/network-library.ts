import { isIP } from 'node:net';
import { create, createFileRegistry } from '@bufbuild/protobuf';
import type { DescMessage, Message, Registry } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';
import { CelScalar, celFunc, celMethod, objectType } from '@bufbuild/cel';
import type { CelFunc } from '@bufbuild/cel';
import ipaddr from 'ipaddr.js';

/**
 * The Kubernetes CEL IP and CIDR libraries (k8s.io/apiserver/pkg/cel/library ip.go, cidr.go):
 * isIP, ip, family, isUnspecified, isLoopback, isLinkLocalMulticast, isLinkLocalUnicast,
 * isGlobalUnicast, isCIDR, cidr, containsIP, containsCIDR, ip(), masked, prefixLength, string().
 * Values are messages of the types net.IP and net.CIDR, named as Kubernetes names them.
 */
const STRING_FIELD = { number: 1, type: 9, label: 1 } as const;
const netFile = create(FileDescriptorProtoSchema, {
  name: 'kubernetes/net.proto',
  package: 'net',
  syntax: 'proto3',
  messageType: [
    { name: 'IP', field: [{ ...STRING_FIELD, name: 'address', jsonName: 'address' }] },
    { name: 'CIDR', field: [{ ...STRING_FIELD, name: 'prefix', jsonName: 'prefix' }] },
  ],
});

export const netRegistry: Registry = createFileRegistry(netFile, () => undefined);
const IP_DESC = netRegistry.getMessage('net.IP') as DescMessage;
const CIDR_DESC = netRegistry.getMessage('net.CIDR') as DescMessage;
const IP_TYPE = objectType(IP_DESC);
const CIDR_TYPE = objectType(CIDR_DESC);

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** netip.ParseAddr plus the library's refusals: no IPv4-mapped IPv6, no zones. */
function parseAddress(text: string): Address {
  if (text.includes('%')) throw new Error(`IP Address ${JSON.stringify(text)} parse error during conversion from string: IP address with zone value is not allowed`);
  if (isIP(text) === 0) throw new Error(`IP Address ${JSON.stringify(text)} parse error during conversion from string: ParseAddr(${JSON.stringify(text)}): unable to parse IP`);
  const address = ipaddr.parse(text);
  if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()) {
    throw new Error(`IP Address ${JSON.stringify(text)} parse error during conversion from string: IPv4-mapped IPv6 address is not allowed`);
  }
  return address;
}

interface Prefix {
  readonly address: Address;
  readonly bits: number;
}

function parsePrefix(text: string): Prefix {
  const slash = text.indexOf('/');
  const bitsText = text.slice(slash + 1);
  const fail = (): never => {
    throw new Error(`network address parse error during conversion from string: netip.ParsePrefix(${JSON.stringify(text)}): invalid prefix`);
  };
  if (slash < 0 || !/^(0|[1-9][0-9]{0,2})$/.test(bitsText)) fail();
  let address: Address;
  try {
    address = parseAddress(text.slice(0, slash));
  } catch {
    return fail();
  }
  const bits = Number(bitsText);
  if (bits > (address.kind() === 'ipv4' ? 32 : 128)) fail();
  return { address, bits };
}

function addressText(address: Address): string {
  return address.toString();
}

function ipMessage(address: Address): Message {
  return create(IP_DESC, { address: addressText(address) } as never);
}

function cidrMessage(prefix: Prefix): Message {
  return create(CIDR_DESC, { prefix: `${addressText(prefix.address)}/${prefix.bits}` } as never);
}

function addressOf(value: { readonly message: Message }): Address {
  return ipaddr.parse((value.message as unknown as { address: string }).address);
}

function prefixOf(value: { readonly message: Message }): Prefix {
  return parsePrefix((value.message as unknown as { prefix: string }).prefix);
}

function masked(prefix: Prefix): Prefix {
  const bytes = prefix.address.toByteArray();
  const out = bytes.map((byte, i) => {
    const keep = Math.max(0, Math.min(8, prefix.bits - i * 8));
    return byte & ((0xff << (8 - keep)) & 0xff);
  });
  return { address: ipaddr.fromByteArray(out), bits: prefix.bits };
}

function contains(prefix: Prefix, address: Address): boolean {
  return prefix.address.kind() === address.kind() && address.match(prefix.address as never, prefix.bits);
}

function isLinkLocalMulticast(address: Address): boolean {
  const bytes = address.toByteArray();
  return address.kind() === 'ipv4' ? bytes[0] === 224 && bytes[1] === 0 && bytes[2] === 0 : bytes[0] === 0xff && (bytes[1]! & 0x0f) === 0x02;
}

function isGlobalUnicast(address: Address): boolean {
  const range = address.range();
  if (address.kind() === 'ipv4' && address.toString() === '255.255.255.255') return false;
  return !['unspecified', 'loopback', 'linkLocal', 'multicast', 'broadcast'].includes(range);
}

export const networkFunctions: CelFunc[] = [
  celFunc('isIP', [CelScalar.STRING], CelScalar.BOOL, (text) => {
    try {
      parseAddress(text);
      return true;
    } catch {
      return false;
    }
  }),
  celFunc('ip', [CelScalar.STRING], IP_TYPE, (text) => ipMessage(parseAddress(text))),
  celFunc('string', [IP_TYPE], CelScalar.STRING, (ip) => addressText(addressOf(ip))),
  celMethod('family', IP_TYPE, [], CelScalar.INT, function () {
    return addressOf(this).kind() === 'ipv4' ? 4n : 6n;
  }),
  celMethod('isUnspecified', IP_TYPE, [], CelScalar.BOOL, function () {
    return addressOf(this).range() === 'unspecified';
  }),
  celMethod('isLoopback', IP_TYPE, [], CelScalar.BOOL, function () {
    return addressOf(this).range() === 'loopback';
  }),
  celMethod('isLinkLocalMulticast', IP_TYPE, [], CelScalar.BOOL, function () {
    return isLinkLocalMulticast(addressOf(this));
  }),
  celMethod('isLinkLocalUnicast', IP_TYPE, [], CelScalar.BOOL, function () {
    return addressOf(this).range() === 'linkLocal';
  }),
  celMethod('isGlobalUnicast', IP_TYPE, [], CelScalar.BOOL, function () {
    return isGlobalUnicast(addressOf(this));
  }),
  celFunc('isCIDR', [CelScalar.STRING], CelScalar.BOOL, (text) => {
    try {
      parsePrefix(text);
      return true;
    } catch {
      return false;
    }
  }),
  celFunc('cidr', [CelScalar.STRING], CIDR_TYPE, (text) => cidrMessage(parsePrefix(text))),
  celFunc('string', [CIDR_TYPE], CelScalar.STRING, (cidr) => (cidr.message as unknown as { prefix: string }).prefix),
  celMethod('ip', CIDR_TYPE, [], IP_TYPE, function () {
    return ipMessage(prefixOf(this).address);
  }),
  celMethod('masked', CIDR_TYPE, [], CIDR_TYPE, function () {
    return cidrMessage(masked(prefixOf(this)));
  }),
  celMethod('prefixLength', CIDR_TYPE, [], CelScalar.INT, function () {
    return BigInt(prefixOf(this).bits);
  }),
  celMethod('containsIP', CIDR_TYPE, [IP_TYPE], CelScalar.BOOL, function (ip) {
    return contains(prefixOf(this), addressOf(ip));
  }),
  celMethod('containsIP', CIDR_TYPE, [CelScalar.STRING], CelScalar.BOOL, function (text) {
    return contains(prefixOf(this), parseAddress(text));
  }),
  celMethod('containsCIDR', CIDR_TYPE, [CIDR_TYPE], CelScalar.BOOL, function (other) {
    const inner = prefixOf(other);
    return inner.bits >= prefixOf(this).bits && contains(prefixOf(this), inner.address);
  }),
  celMethod('containsCIDR', CIDR_TYPE, [CelScalar.STRING], CelScalar.BOOL, function (text) {
    const inner = parsePrefix(text);
    return inner.bits >= prefixOf(this).bits && contains(prefixOf(this), inner.address);
  }),
];
