import type { FieldError } from '../core/field-errors.js';
import { forbiddenField, invalidValue } from '../core/field-errors.js';
import { isJsonObject } from '../core/json-value.js';
import type { JsonObject } from '../core/json-value.js';
import { compileRule } from './compiled-rule.js';
import type { CompiledRule, ValidationRule } from './compiled-rule.js';
import { declTypeOf, MAX_REQUEST_SIZE_BYTES } from './decl-type.js';
import type { DeclType } from './decl-type.js';
import { U64_MAX } from './cost-estimate.js';

/** apiextensions validation: the static cost limits kube-apiserver enforces on CRD rules. */
export const PER_RULE_COST_LIMIT = 10_000_000;
export const PER_CRD_COST_LIMIT = 100_000_000;

export interface RuleCost {
  /** Field path of the rule in the CRD, e.g. spec.versions[0].schema.openAPIV3Schema.properties[spec].x-kubernetes-validations[0].rule. */
  readonly path: string;
  readonly rule: string;
  /** Worst-case cost of one evaluation. */
  readonly maxCost: number;
  /** How many times the rule can run per object (product of maxItems/maxProperties above it, or the request-size bound). */
  readonly cardinality: number;
  readonly cost: number;
}

interface Context {
  readonly path: string;
  readonly cardinality: number | undefined;
  /** The list whose items cannot be correlated with the old object (not x-kubernetes-list-type: map). */
  readonly uncorrelatable: string | undefined;
}

interface Walk {
  readonly errors: FieldError[];
  readonly costs: RuleCost[];
}

function maxElements(schema: JsonObject): number | undefined {
  if (schema['type'] === 'object') {
    if (schema['additionalProperties'] === undefined) return 1;
    return typeof schema['maxProperties'] === 'number' ? schema['maxProperties'] : undefined;
  }
  if (schema['type'] === 'array') return typeof schema['maxItems'] === 'number' ? schema['maxItems'] : undefined;
  return 1;
}

function childCardinality(parent: JsonObject, cardinality: number | undefined): number | undefined {
  const max = maxElements(parent);
  return cardinality === undefined || max === undefined ? undefined : Math.min(U64_MAX, cardinality * max);
}

function costFactor(cost: number, limit: number): string {
  const exceed = cost / limit;
  if (exceed > 100) return 'more than 100x';
  if (exceed < 1.5) return `${exceed.toFixed(6)}x`;
  return `${exceed.toFixed(1)}x`;
}

export function costErrorMessage(what: string, cost: number, limit: number): string {
  return `${what} exceeds budget by factor of ${costFactor(cost, limit)} (try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)`;
}

function ruleJson(rule: ValidationRule): string {
  const ordered: JsonObject = { rule: rule.rule };
  if (rule.message !== undefined) ordered['message'] = rule.message;
  if (rule.messageExpression !== undefined) ordered['messageExpression'] = rule.messageExpression;
  if (rule.reason !== undefined) ordered['reason'] = rule.reason;
  if (rule.fieldPath !== undefined) ordered['fieldPath'] = rule.fieldPath;
  if (rule.optionalOldSelf !== undefined) ordered['optionalOldSelf'] = rule.optionalOldSelf;
  return JSON.stringify(ordered);
}

function invalidRule(field: string, rule: ValidationRule, detail: string): FieldError {
  return { type: 'FieldValueInvalid', field, message: `Invalid value: ${ruleJson(rule)}: ${detail}` };
}

function checkRule(compiled: CompiledRule, index: number, decl: DeclType, at: Context, walk: Walk): void {
  const base = `${at.path}.x-kubernetes-validations[${index}]`;
  const cardinality = at.cardinality ?? Math.floor(MAX_REQUEST_SIZE_BYTES / (decl.minSerializedSize + 1));
  const cost = Math.min(U64_MAX, compiled.maxCost * cardinality);
  if (cost > PER_RULE_COST_LIMIT) walk.errors.push(forbiddenField(`${base}.rule`, costErrorMessage('estimated rule cost', cost, PER_RULE_COST_LIMIT)));
  walk.costs.push({ path: `${base}.rule`, rule: compiled.source.rule, maxCost: compiled.maxCost, cardinality, cost });
  if (compiled.error !== undefined) walk.errors.push(invalidRule(`${base}.rule`, compiled.source, compiled.error));
  if (compiled.messageError !== undefined) walk.errors.push(invalidRule(`${base}.messageExpression`, compiled.source, compiled.messageError));
  if (compiled.messageProgram !== undefined) {
    const messageCost = Math.min(U64_MAX, compiled.messageMaxCost * cardinality);
    if (messageCost > PER_RULE_COST_LIMIT) walk.errors.push(forbiddenField(`${base}.messageExpression`, costErrorMessage('estimated messageExpression cost', messageCost, PER_RULE_COST_LIMIT)));
    walk.costs.push({ path: `${base}.messageExpression`, rule: compiled.source.messageExpression ?? '', maxCost: compiled.messageMaxCost, cardinality, cost: messageCost });
  }
  if (compiled.usesOldSelf && at.uncorrelatable !== undefined) {
    walk.errors.push(invalidValue(`${base}.rule`, compiled.source.rule, `oldSelf cannot be used on the uncorrelatable portion of the schema within ${at.uncorrelatable}`));
  } else if (!compiled.usesOldSelf && compiled.source.optionalOldSelf !== undefined && compiled.error === undefined) {
    walk.errors.push(invalidValue(`${base}.optionalOldSelf`, compiled.source.optionalOldSelf, 'may not be set if oldSelf is not used in rule'));
  }
}

function rulesAt(schema: JsonObject): ValidationRule[] {
  const list = schema['x-kubernetes-validations'];
  if (!Array.isArray(list)) return [];
  return list.filter(isJsonObject).map((entry) => entry as unknown as ValidationRule);
}

function walkSchema(schema: JsonObject, decl: DeclType | undefined, at: Context, walk: Walk): void {
  if (decl !== undefined) rulesAt(schema).forEach((rule, i) => checkRule(compileRule(rule, decl, schema), i, decl, at, walk));
  const cardinality = childCardinality(schema, at.cardinality);
  const properties = schema['properties'];
  if (isJsonObject(properties)) {
    for (const [name, property] of Object.entries(properties)) {
      if (!isJsonObject(property)) continue;
      const field = decl === undefined ? undefined : [...decl.fields.values()].find((f) => f.jsonName === name);
      walkSchema(property, field?.type, { ...at, path: `${at.path}.properties[${name}]`, cardinality }, walk);
    }
  }
  const items = schema['items'];
  if (isJsonObject(items)) {
    const correlatable = schema['x-kubernetes-list-type'] === 'map';
    const uncorrelatable = at.uncorrelatable ?? (correlatable ? undefined : at.path);
    walkSchema(items, decl?.elem, { path: `${at.path}.items`, cardinality, uncorrelatable }, walk);
  }
  const additional = schema['additionalProperties'];
  if (isJsonObject(additional)) walkSchema(additional, decl?.elem, { ...at, path: `${at.path}.additionalProperties`, cardinality }, walk);
}

export interface CrdRuleReport {
  readonly errors: FieldError[];
  readonly costs: RuleCost[];
}

/** Compiles every rule of one version's schema and checks the cost limits (the CRD's own validation). */
export function checkSchemaRules(schema: JsonObject, path: string): CrdRuleReport {
  const walk: Walk = { errors: [], costs: [] };
  walkSchema(schema, declTypeOf(schema, true), { path, cardinality: 1, uncorrelatable: undefined }, walk);
  const total = walk.costs.reduce((sum, entry) => Math.min(U64_MAX, sum + entry.cost), 0);
  if (total > PER_CRD_COST_LIMIT) {
    for (const expensive of walk.costs.filter((c) => c.cost >= PER_CRD_COST_LIMIT / 100).sort((a, b) => b.cost - a.cost).slice(0, 4)) {
      walk.errors.push(forbiddenField(expensive.path, 'contributed to estimated rule cost total exceeding cost limit for entire OpenAPIv3 schema'));
    }
    walk.errors.push(forbiddenField(path, costErrorMessage('x-kubernetes-validations estimated rule cost total for entire OpenAPIv3 schema', total, PER_CRD_COST_LIMIT)));
  }
  return walk;
}
