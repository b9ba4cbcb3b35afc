import { create } from '@bufbuild/protobuf';
import { DurationSchema, timestampFromDate } from '@bufbuild/protobuf/wkt';
import type { CelInput } from '@bufbuild/cel';
import { isJsonObject } from '../core/json-value.js';
import type { JsonValue } from '../core/json-value.js';
import type { DeclType } from './decl-type.js';

/**
 * UnstructuredToVal: a JSON value seen through its schema. Integers become CEL ints, `number`
 * doubles, `format: byte` bytes, `date`/`date-time` timestamps, `duration` durations; objects
 * with properties expose only declared fields, under their escaped names.
 */
export function toCelValue(value: JsonValue, decl: DeclType): CelInput {
  if (value === null) return null;
  switch (decl.kind) {
    case 'int':
      return typeof value === 'number' ? BigInt(Math.trunc(value)) : (value as CelInput);
    case 'double':
      return value as CelInput;
    case 'dyn':
      return typeof value === 'number' && Number.isInteger(value) ? BigInt(value) : (value as CelInput);
    case 'bytes':
      return typeof value === 'string' ? new Uint8Array(Buffer.from(value, 'base64')) : (value as CelInput);
    case 'timestamp':
      return typeof value === 'string' ? timestampFromDate(new Date(value)) : (value as CelInput);
    case 'duration':
      return typeof value === 'string' ? durationValue(value) : (value as CelInput);
    case 'list':
      return Array.isArray(value) && decl.elem !== undefined ? value.map((item) => toCelValue(item, decl.elem!)) : (value as CelInput);
    case 'map':
      return isJsonObject(value) && decl.elem !== undefined ? mapValue(value, decl.elem) : (value as CelInput);
    case 'object':
      return isJsonObject(value) ? objectValue(value, decl) : (value as CelInput);
    default:
      return value as CelInput;
  }
}

function mapValue(value: Record<string, JsonValue>, elem: DeclType): Record<string, CelInput> {
  const out: Record<string, CelInput> = {};
  for (const [key, item] of Object.entries(value)) out[key] = toCelValue(item, elem);
  return out;
}

function objectValue(value: Record<string, JsonValue>, decl: DeclType): Record<string, CelInput> {
  const out: Record<string, CelInput> = {};
  for (const [celName, field] of decl.fields) {
    const item = value[field.jsonName];
    if (item !== undefined) out[celName] = toCelValue(item, field.type);
  }
  return out;
}

const UNIT_NANOS: Readonly<Record<string, bigint>> = { ns: 1n, us: 1000n, µs: 1000n, μs: 1000n, ms: 1_000_000n, s: 1_000_000_000n, m: 60_000_000_000n, h: 3_600_000_000_000n };

/** Go's time.ParseDuration, in nanoseconds; undefined when the text is not a Go duration. */
export function parseGoDuration(text: string): bigint | undefined {
  const match = /^([-+]?)(.*)$/su.exec(text);
  const body = match?.[2] ?? '';
  if (body === '0') return 0n;
  if (body === '') return undefined;
  const parts = [...body.matchAll(/([0-9]*(?:\.[0-9]*)?)(ns|us|µs|μs|ms|s|m|h)/gu)];
  if (parts.map((part) => part[0]).join('') !== body) return undefined;
  let total = 0n;
  for (const [, amount = '', unit = ''] of parts) {
    if (amount === '' || amount === '.') return undefined;
    const [whole = '0', fraction = ''] = amount.split('.');
    const scale = UNIT_NANOS[unit]!;
    total += BigInt(whole === '' ? '0' : whole) * scale + (fraction === '' ? 0n : (BigInt(fraction) * scale) / 10n ** BigInt(fraction.length));
  }
  return match?.[1] === '-' ? -total : total;
}

function durationValue(text: string): CelInput {
  const nanos = parseGoDuration(text) ?? 0n;
  return create(DurationSchema, { seconds: nanos / 1_000_000_000n, nanos: Number(nanos % 1_000_000_000n) });
}
