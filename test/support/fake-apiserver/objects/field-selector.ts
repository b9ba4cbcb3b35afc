import { badRequest } from '../core/api-errors.js';
import { getPath } from '../core/json-value.js';
import type { JsonObject } from '../core/json-value.js';

interface FieldRequirement {
  readonly field: string;
  readonly equal: boolean;
  readonly value: string;
}

export interface FieldSelector {
  matches(obj: JsonObject): boolean;
  /** The name when the selector pins `metadata.name=x` (watch on a single object). */
  readonly exactName?: string;
}

export const MATCH_ALL_FIELDS: FieldSelector = { matches: () => true };

/** Parses `a=b,c!=d` (with `\,` escapes) and checks every field against the resource's supported set. */
export function parseFieldSelector(text: string | null, supported: readonly string[]): FieldSelector {
  if (text === null || text.trim() === '') return MATCH_ALL_FIELDS;
  const requirements = splitEscaped(text).map(parseRequirement);
  for (const r of requirements) {
    if (r.field !== 'metadata.name' && r.field !== 'metadata.namespace' && !supported.includes(r.field)) {
      throw badRequest(`field label not supported: ${r.field}`);
    }
  }
  const pinned = requirements.find((r) => r.field === 'metadata.name' && r.equal);
  return {
    matches: (obj) => requirements.every((r) => (fieldValue(obj, r.field) === r.value) === r.equal),
    ...(pinned === undefined ? {} : { exactName: pinned.value }),
  };
}

function fieldValue(obj: JsonObject, field: string): string {
  const value = getPath(obj, field.split('.'));
  if (value === undefined || value === null) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

function splitEscaped(text: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i];
    if (ch === '\\' && i + 1 < text.length) {
      current += ch + (text[i + 1] ?? '');
      i += 1;
    } else if (ch === ',') {
      parts.push(current);
      current = '';
    } else {
      current += ch ?? '';
    }
  }
  parts.push(current);
  return parts;
}

function parseRequirement(text: string): FieldRequirement {
  const match = /^\s*([^=!\s]+)\s*(==|=|!=)(.*)$/.exec(text);
  if (match === null) throw badRequest(`invalid selector: '${text}'; can't understand '${text}'`);
  const value = (match[3] ?? '').replace(/\\(.)/g, '$1');
  return { field: match[1] ?? '', equal: match[2] !== '!=', value };
}
