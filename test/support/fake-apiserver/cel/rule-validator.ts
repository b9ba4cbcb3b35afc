import { isCelError } from '@bufbuild/cel';
import type { CelInput } from '@bufbuild/cel';
import type { FieldError } from '../core/field-errors.js';
import { forbiddenField, invalidValue, required } from '../core/field-errors.js';
import { deepEqual, isJsonObject } from '../core/json-value.js';
import type { JsonObject, JsonValue } from '../core/json-value.js';
import { toCelValue } from './cel-values.js';
import { compileRule } from './compiled-rule.js';
import type { CompiledRule, Program, ValidationRule } from './compiled-rule.js';
import { declTypeOf } from './decl-type.js';
import type { DeclType } from './decl-type.js';
import { optionalNone, optionalOf } from './optional-values.js';

/**
 * The x-kubernetes-validations of one schema, compiled once (when a CRD version is served) and
 * evaluated on every write the way kube-apiserver's cel.Validator does: on each node that has a
 * value, with oldSelf from the correlated old object (transition rules are skipped without one,
 * unless optionalOldSelf), errors at the node's path (or the rule's fieldPath) carrying the rule's
 * message, messageExpression and reason; errors on values unchanged since the old object are
 * ratcheted away.
 */
export interface RuleNode {
  readonly schema: JsonObject;
  readonly decl: DeclType;
  readonly rules: readonly CompiledRule[];
  readonly properties: ReadonlyMap<string, RuleNode>;
  readonly items: RuleNode | undefined;
  readonly additional: RuleNode | undefined;
}

function rulesOf(schema: JsonObject): ValidationRule[] {
  const list = schema['x-kubernetes-validations'];
  if (!Array.isArray(list)) return [];
  return list.filter(isJsonObject).map((entry) => ({
    rule: typeof entry['rule'] === 'string' ? entry['rule'] : '',
    ...(typeof entry['message'] === 'string' ? { message: entry['message'] } : {}),
    ...(typeof entry['messageExpression'] === 'string' ? { messageExpression: entry['messageExpression'] } : {}),
    ...(typeof entry['reason'] === 'string' ? { reason: entry['reason'] } : {}),
    ...(typeof entry['fieldPath'] === 'string' ? { fieldPath: entry['fieldPath'] } : {}),
    ...(typeof entry['optionalOldSelf'] === 'boolean' ? { optionalOldSelf: entry['optionalOldSelf'] } : {}),
  }));
}

function childSchema(schema: JsonObject, key: string): JsonObject | undefined {
  const value = schema[key];
  return isJsonObject(value) ? value : undefined;
}

/** Builds the rule tree of a schema; undefined when no node below has rules. */
export function buildRuleNode(schema: JsonObject, decl: DeclType): RuleNode | undefined {
  const rules = rulesOf(schema).map((rule) => compileRule(rule, decl, schema));
  const properties = new Map<string, RuleNode>();
  for (const [name, property] of Object.entries(childSchema(schema, 'properties') ?? {})) {
    if (!isJsonObject(property)) continue;
    const field = [...decl.fields.values()].find((f) => f.jsonName === name);
    const node = field === undefined ? undefined : buildRuleNode(property, field.type);
    if (node !== undefined) properties.set(name, node);
  }
  const itemsSchema = childSchema(schema, 'items');
  const items = itemsSchema !== undefined && decl.kind === 'list' && decl.elem !== undefined ? buildRuleNode(itemsSchema, decl.elem) : undefined;
  const additionalSchema = childSchema(schema, 'additionalProperties');
  const additional = additionalSchema !== undefined && decl.kind === 'map' && decl.elem !== undefined ? buildRuleNode(additionalSchema, decl.elem) : undefined;
  if (rules.length === 0 && properties.size === 0 && items === undefined && additional === undefined) return undefined;
  return { schema, decl, rules, properties, items, additional };
}

/** The rule tree of a custom resource's root schema. */
export function buildRootRuleNode(schema: JsonObject): RuleNode | undefined {
  const decl = declTypeOf(schema, true);
  return decl === undefined ? undefined : buildRuleNode(schema, decl);
}

interface Visit {
  readonly path: string;
  readonly value: JsonValue;
  readonly old: JsonValue | undefined;
  /** Errors of non-transition rules are dropped when this holds (CRD validation ratcheting). */
  readonly ratchet: boolean;
}

export function validateRules(node: RuleNode, value: JsonValue, old: JsonValue | undefined): FieldError[] {
  const errors: FieldError[] = [];
  visit(node, { path: '', value, old, ratchet: old !== undefined && deepEqual(value, old) }, errors);
  return errors;
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

function visit(node: RuleNode, at: Visit, errors: FieldError[]): void {
  if (at.value === null) return;
  evaluateRules(node, at, errors);
  if (Array.isArray(at.value) && node.items !== undefined) visitItems(node, node.items, at, errors);
  if (isJsonObject(at.value)) visitObject(node, at.value, at, errors);
}

function visitItems(node: RuleNode, items: RuleNode, at: Visit, errors: FieldError[]): void {
  const keys = node.schema['x-kubernetes-list-type'] === 'map' ? node.schema['x-kubernetes-list-map-keys'] : undefined;
  const oldItems = Array.isArray(at.old) ? at.old : [];
  (at.value as JsonValue[]).forEach((item, i) => {
    const old = Array.isArray(keys) ? oldItems.find((candidate) => sameKeys(candidate, item, keys)) : undefined;
    visit(items, { path: `${at.path}[${i}]`, value: item, old, ratchet: old === undefined ? at.ratchet : deepEqual(item, old) }, errors);
  });
}

function sameKeys(a: JsonValue, b: JsonValue, keys: JsonValue[]): boolean {
  return isJsonObject(a) && isJsonObject(b) && keys.every((key) => typeof key === 'string' && deepEqual(a[key], b[key]));
}

function visitObject(node: RuleNode, value: JsonObject, at: Visit, errors: FieldError[]): void {
  const oldObject = isJsonObject(at.old) && node.schema['x-kubernetes-map-type'] !== 'granular-uncorrelatable' ? at.old : undefined;
  for (const [key, child] of Object.entries(value)) {
    const rules = node.properties.get(key) ?? node.additional;
    if (rules === undefined) continue;
    const old = oldObject?.[key];
    const path = node.properties.has(key) ? join(at.path, key) : `${at.path}[${key}]`;
    visit(rules, { path, value: child, old, ratchet: old === undefined ? at.ratchet : deepEqual(child, old) }, errors);
  }
}

function ruleText(rule: ValidationRule): string {
  return rule.message !== undefined && rule.message.trim() !== '' ? rule.message.trim() : rule.rule.trim();
}

function schemaType(node: RuleNode): string {
  return typeof node.schema['type'] === 'string' ? node.schema['type'] : '';
}

function bindings(node: RuleNode, compiled: CompiledRule, at: Visit): Record<string, CelInput> {
  const self = toCelValue(at.value, node.decl);
  const old = at.old === undefined || at.old === null ? undefined : toCelValue(at.old, node.decl);
  if (compiled.source.optionalOldSelf === true) return { self, oldSelf: old === undefined ? optionalNone() : optionalOf(old) };
  return old === undefined ? { self } : { self, oldSelf: old };
}

/** cel-go's runtime error text for what @bufbuild/cel reports differently. */
function runtimeError(message: string): string {
  return message.replace(/^field not found: /, 'no such key: ');
}

function evaluateRules(node: RuleNode, at: Visit, errors: FieldError[]): void {
  for (const compiled of node.rules) {
    const rule = compiled.source;
    if (compiled.error !== undefined) {
      errors.push(invalidValue(at.path, schemaType(node), `rule compile error: ${compiled.error}`));
      continue;
    }
    if (compiled.program === undefined) continue;
    if (compiled.usesOldSelf && at.old === undefined && rule.optionalOldSelf !== true) continue;
    const activation = bindings(node, compiled, at);
    const result = compiled.program(activation);
    if (isCelError(result)) {
      errors.push(evaluationError(node, at, result.message, rule));
      continue;
    }
    if (result === true) continue;
    if (!compiled.usesOldSelf && at.ratchet) continue;
    errors.push(ruleFailure(node, compiled, at, activation));
  }
}

function evaluationError(node: RuleNode, at: Visit, message: string, rule: ValidationRule): FieldError {
  if (/^(unbound function|no matching overload|no such overload)/.test(message)) {
    return invalidValue(at.path, schemaType(node), `'no such overload': call arguments did not match a supported operator, function or macro signature for rule: ${ruleText(rule)}`);
  }
  return invalidValue(at.path, schemaType(node), `${runtimeError(message)} evaluating rule: ${ruleText(rule)}`);
}

function messageFor(compiled: CompiledRule, activation: Record<string, CelInput>): string {
  const rule = compiled.source;
  if (compiled.messageProgram !== undefined) {
    const text = evaluateMessage(compiled.messageProgram, activation);
    if (text !== undefined) return text;
  }
  return rule.message !== undefined && rule.message.trim() !== '' ? rule.message.trim() : `failed rule: ${rule.rule.trim()}`;
}

/** A messageExpression result, or undefined when it errs or breaks the rules for messages (then `message` is used). */
function evaluateMessage(program: Program, activation: Record<string, CelInput>): string | undefined {
  const result = program(activation);
  if (typeof result !== 'string') return undefined;
  const trimmed = result.trim();
  if (trimmed === '' || trimmed.length > 5 * 1024 || /\n/.test(trimmed)) return undefined;
  return trimmed;
}

function ruleFailure(node: RuleNode, compiled: CompiledRule, at: Visit, activation: Record<string, CelInput>): FieldError {
  const path = compiled.fieldPath === '' ? at.path : join(at.path, compiled.fieldPath);
  const detail = messageFor(compiled, activation);
  const omitted = Array.isArray(at.value) || isJsonObject(at.value);
  switch (compiled.source.reason) {
    case 'FieldValueForbidden':
      return forbiddenField(path, detail);
    case 'FieldValueRequired':
      return required(path, detail);
    case 'FieldValueDuplicate':
      return { type: 'FieldValueDuplicate', field: path, message: omitted ? 'Duplicate value' : `Duplicate value: ${JSON.stringify(at.value)}` };
    default:
      return omitted ? { type: 'FieldValueInvalid', field: path, message: `Invalid value: ${detail}` } : invalidValue(path, at.value, detail);
  }
}
