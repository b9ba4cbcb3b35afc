import { encodePem } from '../../src/ca/pem.js';
import type { Prng } from './prng.js';
import type { Mutant } from './structured-csrs.js';

/** A valid request to mutate, by name. */
export interface SeedCsr {
  readonly name: string;
  readonly der: Uint8Array;
}

const INTERESTING = [0x00, 0x01, 0x02, 0x04, 0x05, 0x06, 0x0c, 0x30, 0x31, 0x7f, 0x80, 0x81, 0x82, 0x83, 0x84, 0xa0, 0xfe, 0xff];
const PEM_LABELS = ['CERTIFICATE REQUEST', 'NEW CERTIFICATE REQUEST', 'CERTIFICATE', 'PRIVATE KEY', 'CERTIFICATE  REQUEST'];

/**
 * Blind mutations of real requests (one to four stacked): bit flips, interesting bytes, inserted,
 * deleted and duplicated runs, truncation, a tail spliced from another seed; and sometimes a change
 * to the PEM armour itself (label, line breaks, stray text, a second block).
 */
export function mutateBytes(prng: Prng, seeds: readonly SeedCsr[]): Mutant {
  const seed = prng.pick(seeds);
  let bytes = seed.der;
  const notes = [seed.name];
  const rounds = 1 + prng.below(4);
  for (let round = 0; round < rounds; round++) bytes = mutateOnce(prng, bytes, seeds, notes);
  const pem = prng.chance(0.08) ? mutateArmour(prng, bytes, notes) : encodePem('CERTIFICATE REQUEST', bytes);
  return { pem, description: notes.join(', ') };
}

function mutateOnce(prng: Prng, bytes: Uint8Array, seeds: readonly SeedCsr[], notes: string[]): Uint8Array {
  if (bytes.length === 0) return Uint8Array.of(prng.below(256));
  const at = prng.below(bytes.length);
  const copy = bytes.slice();
  switch (prng.below(8)) {
    case 0:
      copy[at] = copy[at]! ^ (1 << prng.below(8));
      notes.push(`flip bit @${at}`);
      return copy;
    case 1:
      copy[at] = prng.pick(INTERESTING);
      notes.push(`byte @${at}=${copy[at].toString(16)}`);
      return copy;
    case 2:
      notes.push(`insert @${at}`);
      return concat(bytes.subarray(0, at), Uint8Array.of(prng.pick(INTERESTING)), bytes.subarray(at));
    case 3:
      notes.push(`delete ${1 + (at % 4)} @${at}`);
      return concat(bytes.subarray(0, at), bytes.subarray(at + 1 + (at % 4)));
    case 4:
      notes.push(`truncate @${at}`);
      return bytes.subarray(0, at);
    case 5:
      return duplicateRun(prng, bytes, at, notes);
    case 6:
      return spliceTail(prng, bytes, seeds, at, notes);
    default:
      copy[at] = prng.below(256);
      notes.push(`random byte @${at}`);
      return copy;
  }
}

function duplicateRun(prng: Prng, bytes: Uint8Array, at: number, notes: string[]): Uint8Array {
  const length = 1 + prng.below(64);
  notes.push(`duplicate ${length} @${at}`);
  return concat(bytes.subarray(0, at + length), bytes.subarray(at, at + length), bytes.subarray(at + length));
}

function spliceTail(prng: Prng, bytes: Uint8Array, seeds: readonly SeedCsr[], at: number, notes: string[]): Uint8Array {
  const other = prng.pick(seeds);
  const from = prng.below(other.der.length);
  notes.push(`splice ${other.name}@${from} @${at}`);
  return concat(bytes.subarray(0, at), other.der.subarray(from));
}

function mutateArmour(prng: Prng, bytes: Uint8Array, notes: string[]): string {
  const label = prng.pick(PEM_LABELS);
  const pem = encodePem(label, bytes);
  notes.push(`armour ${label}`);
  switch (prng.below(4)) {
    case 0:
      return pem.replace(/\n/g, '\r\n');
    case 1:
      return `garbage before\n${pem}trailing text`;
    case 2:
      return pem + pem;
    default:
      return pem.replace(/[A-Za-z0-9+/]{4}\n/, '!!!!\n');
  }
}

function concat(...parts: readonly Uint8Array[]): Uint8Array {
  return Uint8Array.from(Buffer.concat(parts));
}
