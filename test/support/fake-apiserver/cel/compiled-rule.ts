import { parse, plan } from '@bufbuild/cel';
import type { CelResult } from '@bufbuild/cel';
import type { ParsedExpr } from '@bufbuild/cel-spec/cel/expr/syntax_pb.js';
import type { JsonObject } from '../core/json-value.js';
import { ruleEnvironment } from './cel-environment.js';
import { CostEstimator } from './cost-estimate.js';
import type { DeclType } from './decl-type.js';
import { validFieldPath } from './field-path.js';
import { readsIdentifier, RuleChecker, typeName } from './rule-ast.js';
import type { StaticType } from './rule-ast.js';

/** One entry of x-kubernetes-validations. */
export interface ValidationRule {
  readonly rule: string;
  readonly message?: string;
  readonly messageExpression?: string;
  readonly reason?: string;
  readonly fieldPath?: string;
  readonly optionalOldSelf?: boolean;
}

export type Program = (bindings: Record<string, unknown>) => CelResult;

export interface CompiledRule {
  readonly source: ValidationRule;
  /** Undefined for an empty rule, or when compilation failed (see `error`). */
  readonly program?: Program;
  readonly error?: string;
  readonly usesOldSelf: boolean;
  /** The static worst-case cost of one evaluation, in CEL cost units. */
  readonly maxCost: number;
  readonly messageProgram?: Program;
  readonly messageError?: string;
  readonly messageMaxCost: number;
  /** The normalized fieldPath ("" when none or invalid). */
  readonly fieldPath: string;
}

/** cel-go's issue text: `ERROR: <input>:1:6: undefined field 'x'` and the line with a caret. */
function issueText(source: string, offset: number, message: string): string {
  const before = source.slice(0, offset);
  const line = before.split('\n').length;
  const lineStart = before.lastIndexOf('\n') + 1;
  const column = offset - lineStart + 1;
  const text = source.split('\n')[line - 1] ?? '';
  return `ERROR: <input>:${line}:${column}: ${message}\n | ${text}\n | ${'.'.repeat(column - 1)}^`;
}

interface Compiled {
  readonly parsed?: ParsedExpr;
  readonly program?: Program;
  readonly error?: string;
  readonly type?: StaticType;
  readonly checker?: RuleChecker;
}

function compileExpression(source: string, roots: ReadonlyMap<string, StaticType>): Compiled {
  let parsed: ParsedExpr;
  try {
    parsed = parse(source);
  } catch (error) {
    return { error: `ERROR: ${error instanceof Error ? error.message : String(error)}` };
  }
  const checker = new RuleChecker(roots);
  const type = checker.check(parsed);
  if (checker.issues.length > 0) {
    const texts = checker.issues.map((issue) => issueText(source, Number(parsed.sourceInfo?.positions[issue.exprId.toString()] ?? 0), issue.message));
    return { error: texts.join('\n') };
  }
  try {
    return { parsed, program: plan(ruleEnvironment(), parsed) as Program, type, checker };
  } catch (error) {
    return { error: `ERROR: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/** Compiles one rule at a schema node whose CEL type is `decl` (kube-apiserver's compileRule). */
export function compileRule(rule: ValidationRule, decl: DeclType, schema: JsonObject): CompiledRule {
  const empty = { source: rule, usesOldSelf: false, maxCost: 0, messageMaxCost: 0, fieldPath: '' };
  if (rule.rule.trim() === '') return empty;
  const self: StaticType = { decl };
  const roots = new Map<string, StaticType>([['self', self], ['oldSelf', rule.optionalOldSelf === true ? undefined : self]]);
  const compiled = compileExpression(rule.rule, roots);
  if (compiled.error !== undefined || compiled.parsed === undefined || compiled.checker === undefined) {
    return { ...empty, error: `compilation failed: ${compiled.error ?? 'unknown error'}` };
  }
  const resultType = typeName(compiled.type);
  if (resultType !== undefined && resultType !== 'bool') return { ...empty, error: 'cel expression must evaluate to a bool' };
  const usesOldSelf = compiled.parsed.expr !== undefined && readsIdentifier(compiled.parsed.expr, 'oldSelf');
  const maxCost = new CostEstimator(compiled.checker).estimate(compiled.parsed).max;
  const fieldPath = rule.fieldPath === undefined || rule.fieldPath === '' ? '' : (validFieldPath(rule.fieldPath, schema) ?? '');
  const result = { ...empty, program: compiled.program!, usesOldSelf, maxCost, fieldPath };
  if (rule.messageExpression === undefined || rule.messageExpression === '') return result;
  const message = compileExpression(rule.messageExpression, roots);
  if (message.error !== undefined || message.parsed === undefined || message.checker === undefined) {
    return { ...result, messageError: `messageExpression compilation failed: ${message.error ?? 'unknown error'}` };
  }
  const messageType = typeName(message.type);
  if (messageType !== undefined && messageType !== 'string') return { ...result, messageError: 'messageExpression must evaluate to a string' };
  return { ...result, messageProgram: message.program!, messageMaxCost: new CostEstimator(message.checker).estimate(message.parsed).max };
}
