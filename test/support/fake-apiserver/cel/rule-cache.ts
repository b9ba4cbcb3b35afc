import type { JsonObject } from '../core/json-value.js';
import { buildRootRuleNode } from './rule-validator.js';
import type { RuleNode } from './rule-validator.js';

/**
 * Compiled rule trees by schema text: a CRD version's rules are compiled once, not on every request
 * nor every time the CRD controller re-registers the version after a status write.
 */
const LIMIT = 256;
const cache = new Map<string, RuleNode | undefined>();

export function compiledRules(schema: JsonObject): RuleNode | undefined {
  const key = JSON.stringify(schema);
  if (cache.has(key)) return cache.get(key);
  const node = buildRootRuleNode(schema);
  if (cache.size >= LIMIT) cache.delete(cache.keys().next().value!);
  cache.set(key, node);
  return node;
}

/** How many distinct schemas have been compiled (for tests that check compilation is not repeated). */
export function compiledSchemaCount(): number {
  return cache.size;
}
