import { deepEqual, isJsonObject } from '../core/json-value.js';
import type { JsonValue } from '../core/json-value.js';

type Step =
  | { readonly kind: 'field'; readonly name: string }
  | { readonly kind: 'index'; readonly index: number }
  | { readonly kind: 'all' }
  | { readonly kind: 'filter'; readonly path: readonly string[]; readonly value: JsonValue };

const STEP = /^(?:\.([A-Za-z0-9_$-]+)|\['([^']*)'\]|\[(\d+)\]|\[\*\]|\[\?\(@\.([A-Za-z0-9_.$-]+)\s*==\s*("[^"]*"|'[^']*'|[^)\s]+)\)\])/;

/**
 * The "simple JSONPath" CRD additionalPrinterColumns use: `.a.b`, `.a[0]`, `.a[*]`,
 * `['x.y']` and `[?(@.type=="Ready")]`. Returns the first match, or undefined.
 */
export function evaluateJsonPath(root: JsonValue, expression: string): JsonValue | undefined {
  const steps = compile(expression);
  return steps === undefined ? undefined : walk([root], steps)[0];
}

export function compile(expression: string): Step[] | undefined {
  let rest = expression.trim().replace(/^\{(.*)\}$/, '$1');
  const steps: Step[] = [];
  while (rest.length > 0) {
    const match = STEP.exec(rest);
    if (match === null) return undefined;
    steps.push(toStep(match));
    rest = rest.slice(match[0].length);
  }
  return steps;
}

function toStep(match: RegExpExecArray): Step {
  if (match[1] !== undefined) return { kind: 'field', name: match[1] };
  if (match[2] !== undefined) return { kind: 'field', name: match[2] };
  if (match[3] !== undefined) return { kind: 'index', index: Number(match[3]) };
  if (match[4] !== undefined) return { kind: 'filter', path: match[4].split('.'), value: literal(match[5] ?? '') };
  return { kind: 'all' };
}

function literal(text: string): JsonValue {
  if (/^(["']).*\1$/.test(text)) return text.slice(1, -1);
  if (text === 'true' || text === 'false') return text === 'true';
  const n = Number(text);
  return Number.isNaN(n) ? text : n;
}

function walk(values: JsonValue[], steps: readonly Step[]): JsonValue[] {
  let current = values;
  for (const step of steps) current = current.flatMap((value) => apply(value, step));
  return current;
}

function apply(value: JsonValue, step: Step): JsonValue[] {
  switch (step.kind) {
    case 'field': {
      const next = isJsonObject(value) ? value[step.name] : undefined;
      return next === undefined ? [] : [next];
    }
    case 'index': {
      const next = Array.isArray(value) ? value[step.index] : undefined;
      return next === undefined ? [] : [next];
    }
    case 'all':
      return Array.isArray(value) ? value : isJsonObject(value) ? Object.values(value) : [];
    case 'filter':
      return Array.isArray(value) ? value.filter((item) => deepEqual(walk([item], fieldSteps(step.path))[0], step.value)) : [];
  }
}

function fieldSteps(path: readonly string[]): Step[] {
  return path.map((name) => ({ kind: 'field', name }));
}
