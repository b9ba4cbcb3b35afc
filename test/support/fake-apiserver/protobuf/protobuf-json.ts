import type { JsonObject, JsonValue } from '../core/json-value.js';
import { KUBE_PROTO_MESSAGES } from './kube-proto-schema.generated.js';
import { readFields, readPackedVarints } from './protobuf-wire.js';
import type { WireField, WireValue } from './protobuf-wire.js';

type FieldType =
  | { readonly kind: 'scalar'; readonly scalar: string }
  | { readonly kind: 'message'; readonly ref: string }
  | { readonly kind: 'special'; readonly name: string }
  | { readonly kind: 'list'; readonly elem: FieldType }
  | { readonly kind: 'map'; readonly key: string; readonly value: FieldType };

interface FieldSpec {
  readonly number: number;
  readonly json: string;
  readonly type: FieldType;
  readonly omitempty: boolean;
  readonly pointer: boolean;
  readonly inline: boolean;
}

const SPECIALS = new Set(['Time', 'MicroTime', 'Duration', 'IntOrString', 'Quantity', 'RawExtension', 'FieldsV1']);

function parseType(text: string): FieldType {
  if (text.startsWith('[]')) return { kind: 'list', elem: parseType(text.slice(2)) };
  if (text.startsWith('map[')) {
    const close = text.indexOf(']');
    return { kind: 'map', key: text.slice(4, close), value: parseType(text.slice(close + 1)) };
  }
  if (text.startsWith('@')) return { kind: 'message', ref: text.slice(1) };
  if (SPECIALS.has(text)) return { kind: 'special', name: text };
  return { kind: 'scalar', scalar: text };
}

const parsed = new Map<string, FieldSpec[]>();

export function hasMessage(ref: string): boolean {
  return KUBE_PROTO_MESSAGES[ref] !== undefined;
}

function specsOf(ref: string): FieldSpec[] {
  const cached = parsed.get(ref);
  if (cached !== undefined) return cached;
  const specs = (KUBE_PROTO_MESSAGES[ref] ?? '').split(';').filter((s) => s !== '').map((entry) => {
    const [number = '0', json = '-', type = 'string', flags = ''] = entry.split(' ');
    return { number: Number(number), json, type: parseType(type), omitempty: flags.includes('o'), pointer: flags.includes('p'), inline: flags.includes('i') };
  });
  parsed.set(ref, specs);
  return specs;
}

function varint(data: WireValue): bigint {
  return data.wire === 0 ? data.value : 0n;
}

function bytes(data: WireValue): Buffer {
  return data.wire === 2 ? data.value : Buffer.alloc(0);
}

function scalar(name: string, data: WireValue): JsonValue {
  switch (name) {
    case 'string':
      return bytes(data).toString('utf8');
    case 'bytes':
      return bytes(data).toString('base64');
    case 'bool':
      return varint(data) !== 0n;
    case 'int32':
      return Number(BigInt.asIntN(32, varint(data)));
    case 'int64':
      return Number(BigInt.asIntN(64, varint(data)));
    case 'float64':
      if (data.wire === 1) return data.value.readDoubleLE(0);
      return data.wire === 5 ? data.value.readFloatLE(0) : 0;
    default:
      return Number(varint(data));
  }
}

function fieldsByNumber(buffer: Buffer): Map<number, WireField[]> {
  const map = new Map<number, WireField[]>();
  for (const field of readFields(buffer)) map.set(field.number, [...(map.get(field.number) ?? []), field]);
  return map;
}

function lastOf(fields: Map<number, WireField[]>, number: number): WireValue | undefined {
  const list = fields.get(number);
  return list?.[list.length - 1]?.data;
}

function rfc3339(seconds: number, nanos: number, micro: boolean): string {
  const iso = new Date(seconds * 1000).toISOString();
  if (!micro) return iso.replace(/\.\d{3}Z$/, 'Z');
  return iso.replace(/\.\d{3}Z$/, `.${String(Math.floor(nanos / 1000)).padStart(6, '0')}Z`);
}

/** Go's time.Duration.String() for metav1.Duration fields. */
export function goDuration(nanoseconds: number): string {
  if (nanoseconds === 0) return '0s';
  const sign = nanoseconds < 0 ? '-' : '';
  let ns = Math.abs(nanoseconds);
  if (ns < 1e3) return `${sign}${ns}ns`;
  if (ns < 1e6) return `${sign}${ns / 1e3}µs`;
  if (ns < 1e9) return `${sign}${ns / 1e6}ms`;
  const hours = Math.floor(ns / 3.6e12);
  ns -= hours * 3.6e12;
  const minutes = Math.floor(ns / 6e10);
  ns -= minutes * 6e10;
  const seconds = `${ns / 1e9}s`;
  if (hours > 0) return `${sign}${hours}h${minutes}m${seconds}`;
  return minutes > 0 ? `${sign}${minutes}m${seconds}` : `${sign}${seconds}`;
}

function parseRaw(raw: Buffer): JsonValue {
  if (raw.length === 0) return null;
  try {
    return JSON.parse(raw.toString('utf8')) as JsonValue;
  } catch {
    return raw.toString('base64');
  }
}

function special(name: string, data: WireValue): JsonValue {
  const fields = fieldsByNumber(bytes(data));
  const num = (n: number): number => Number(BigInt.asIntN(64, varint(lastOf(fields, n) ?? { wire: 0, value: 0n })));
  const str = (n: number): string => bytes(lastOf(fields, n) ?? { wire: 2, value: Buffer.alloc(0) }).toString('utf8');
  switch (name) {
    case 'Time':
    case 'MicroTime':
      return num(1) === 0 && num(2) === 0 ? null : rfc3339(num(1), num(2), name === 'MicroTime');
    case 'Duration':
      return goDuration(num(1));
    case 'IntOrString':
      return num(1) === 1 ? str(3) : num(2);
    case 'Quantity':
      return str(1);
    default:
      return parseRaw(bytes(lastOf(fields, 1) ?? { wire: 2, value: Buffer.alloc(0) }));
  }
}

function single(type: FieldType, data: WireValue): JsonValue {
  switch (type.kind) {
    case 'scalar':
      return scalar(type.scalar, data);
    case 'message':
      return decodeMessage(type.ref, bytes(data));
    case 'special':
      return special(type.name, data);
    default:
      return null;
  }
}

function listValues(elem: FieldType, occurrences: readonly WireField[]): JsonValue[] {
  const values: JsonValue[] = [];
  for (const { data } of occurrences) {
    const packable = elem.kind === 'scalar' && !['string', 'bytes', 'float64'].includes(elem.scalar);
    if (packable && data.wire === 2) {
      for (const v of readPackedVarints(data.value)) values.push(scalar(elem.kind === 'scalar' ? elem.scalar : 'int64', { wire: 0, value: v }));
    } else {
      values.push(single(elem, data));
    }
  }
  return values;
}

function mapValue(type: { key: string; value: FieldType }, occurrences: readonly WireField[]): JsonObject {
  const out: JsonObject = {};
  for (const { data } of occurrences) {
    const entry = fieldsByNumber(bytes(data));
    const key = lastOf(entry, 1);
    const value = lastOf(entry, 2);
    const keyText = key === undefined ? '' : String(scalar(type.key, key));
    out[keyText] = value === undefined ? zeroValue(type.value) : single(type.value, value);
  }
  return out;
}

/** What an absent map value (proto default) marshals to in Go's JSON. */
function zeroValue(type: FieldType): JsonValue {
  if (type.kind === 'message') return {};
  if (type.kind !== 'scalar') return null;
  if (type.scalar === 'string' || type.scalar === 'bytes') return '';
  return type.scalar === 'bool' ? false : 0;
}

function isZero(value: JsonValue): boolean {
  return value === '' || value === 0 || value === false || value === null;
}

/** Decodes one message into the JSON the Go types would marshal to (omitempty honoured). */
export function decodeMessage(ref: string, buffer: Buffer): JsonObject {
  const fields = fieldsByNumber(buffer);
  const out: JsonObject = {};
  for (const spec of specsOf(ref)) {
    const occurrences = fields.get(spec.number);
    if (occurrences === undefined || occurrences.length === 0) continue;
    const { type } = spec;
    if (type.kind === 'list') {
      out[spec.json] = listValues(type.elem, occurrences);
      continue;
    }
    if (type.kind === 'map') {
      out[spec.json] = mapValue(type, occurrences);
      continue;
    }
    const last = occurrences[occurrences.length - 1];
    if (last === undefined) continue;
    const value = single(type, last.data);
    if (spec.inline && typeof value === 'object' && value !== null && !Array.isArray(value)) Object.assign(out, value);
    else if (!(spec.omitempty && !spec.pointer && isZero(value))) out[spec.json] = value;
  }
  return out;
}
