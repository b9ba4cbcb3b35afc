import { badRequest } from '../core/api-errors.js';

type Operator = 'exists' | 'notExists' | 'eq' | 'neq' | 'in' | 'notin' | 'gt' | 'lt';

interface Requirement {
  readonly key: string;
  readonly op: Operator;
  readonly values: readonly string[];
}

export type LabelSelector = (labels: Readonly<Record<string, string>>) => boolean;

export const MATCH_ALL_LABELS: LabelSelector = () => true;

/** Parses the string form of a label selector (`a=b,c!=d,e in (f,g),!h,i`) like labels.Parse. */
export function parseLabelSelector(text: string | null): LabelSelector {
  if (text === null || text.trim() === '') return MATCH_ALL_LABELS;
  const requirements = splitRequirements(text).map(parseRequirement);
  return (labels) => requirements.every((r) => matches(r, labels));
}

function splitRequirements(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth += 1;
    if (ch === ')') depth -= 1;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts.map((p) => p.trim());
}

const SET_FORM = /^([^\s!=<>(),]+)\s+(in|notin)\s*\(([^()]*)\)$/;
const BINARY_FORM = /^([^\s!=<>(),]+)\s*(==|=|!=|>|<)\s*([^\s!=<>(),]*)$/;
const KEY_ONLY = /^(!?)\s*([^\s!=<>(),]+)$/;

function parseRequirement(text: string): Requirement {
  const set = SET_FORM.exec(text);
  if (set !== null) {
    const values = (set[3] ?? '').split(',').map((v) => v.trim());
    return { key: set[1] ?? '', op: set[2] === 'in' ? 'in' : 'notin', values };
  }
  const binary = BINARY_FORM.exec(text);
  if (binary !== null) return binaryRequirement(binary[1] ?? '', binary[2] ?? '', binary[3] ?? '');
  const key = KEY_ONLY.exec(text);
  if (key !== null) return { key: key[2] ?? '', op: key[1] === '!' ? 'notExists' : 'exists', values: [] };
  throw badRequest(`unable to parse requirement: found '${text}', expected: identifier`);
}

function binaryRequirement(key: string, operator: string, value: string): Requirement {
  if (operator === '>' || operator === '<') {
    if (!/^-?\d+$/.test(value)) throw badRequest(`unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer`);
    return { key, op: operator === '>' ? 'gt' : 'lt', values: [value] };
  }
  return { key, op: operator === '!=' ? 'neq' : 'eq', values: [value] };
}

function matches(r: Requirement, labels: Readonly<Record<string, string>>): boolean {
  const has = Object.hasOwn(labels, r.key);
  const value = labels[r.key];
  switch (r.op) {
    case 'exists':
      return has;
    case 'notExists':
      return !has;
    case 'eq':
    case 'in':
      return has && value !== undefined && r.values.includes(value);
    case 'neq':
    case 'notin':
      return !has || value === undefined || !r.values.includes(value);
    case 'gt':
      return has && Number(value) > Number(r.values[0]);
    case 'lt':
      return has && Number(value) < Number(r.values[0]);
  }
}
