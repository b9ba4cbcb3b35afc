import type { Expr, ParsedExpr } from '@bufbuild/cel-spec/cel/expr/syntax_pb.js';
import type { DeclType } from './decl-type.js';

/**
 * What kube-apiserver's type checker would catch in a rule, for the parts a dynamically typed
 * evaluator cannot: fields the schema does not declare, field selection on non-objects, a result of
 * the wrong type. Also whether the rule reads oldSelf.
 */
export interface RuleIssue {
  readonly message: string;
  readonly exprId: bigint;
}

/** The static type of an expression, as far as this walk knows it. */
export type StaticType = { readonly decl: DeclType } | { readonly scalar: 'bool' | 'string' | 'int' | 'double' | 'bytes' | 'null' | 'list' | 'map' | 'duration' | 'timestamp' | 'ip' | 'cidr' } | undefined;

export interface Scope {
  readonly variables: ReadonlyMap<string, StaticType>;
}

const BOOL_FUNCTIONS = new Set([
  '_==_', '_!=_', '_<_', '_<=_', '_>_', '_>=_', '_&&_', '_||_', '!_', '@in', '@not_strictly_false',
  'startsWith', 'endsWith', 'contains', 'matches', 'isIP', 'isCIDR', 'containsIP', 'containsCIDR', 'hasValue',
  'isUnspecified', 'isLoopback', 'isLinkLocalMulticast', 'isLinkLocalUnicast', 'isGlobalUnicast', 'exists', 'all', 'exists_one',
]);
const STRING_FUNCTIONS = new Set(['string', 'lowerAscii', 'upperAscii', 'replace', 'substring', 'trim', 'join', 'charAt', 'format', 'strings.quote']);
const INT_FUNCTIONS = new Set(['size', 'int', 'indexOf', 'lastIndexOf', 'family', 'prefixLength', 'getFullYear', 'getMonth', 'getDayOfMonth', 'getHours', 'getMinutes', 'getSeconds']);

export function children(expr: Expr): Expr[] {
  const kind = expr.exprKind;
  switch (kind.case) {
    case 'selectExpr':
      return kind.value.operand === undefined ? [] : [kind.value.operand];
    case 'callExpr':
      return [...(kind.value.target === undefined ? [] : [kind.value.target]), ...kind.value.args];
    case 'listExpr':
      return kind.value.elements;
    case 'structExpr':
      return kind.value.entries.flatMap((entry) => [...(entry.keyKind.case === 'mapKey' ? [entry.keyKind.value] : []), ...(entry.value ? [entry.value] : [])]);
    case 'comprehensionExpr': {
      const c = kind.value;
      return [c.iterRange, c.accuInit, c.loopCondition, c.loopStep, c.result].filter((e): e is Expr => e !== undefined);
    }
    default:
      return [];
  }
}

/** True when the identifier oldSelf is read anywhere (comprehension variables never shadow it). */
export function readsIdentifier(expr: Expr, name: string): boolean {
  if (expr.exprKind.case === 'identExpr' && expr.exprKind.value.name === name) return true;
  return children(expr).some((child) => readsIdentifier(child, name));
}

function isScalar(type: StaticType, scalar: string): boolean {
  if (type === undefined) return false;
  if ('scalar' in type) return type.scalar === scalar;
  return type.decl.kind === scalar;
}

function declKindName(decl: DeclType): string {
  return decl.kind === 'object' ? 'object' : decl.kind === 'list' ? 'list' : decl.kind === 'map' ? 'map' : decl.kind;
}

export class RuleChecker {
  readonly issues: RuleIssue[] = [];
  private readonly types = new Map<bigint, StaticType>();

  constructor(private readonly roots: ReadonlyMap<string, StaticType>) {}

  typeOf(expr: Expr): StaticType {
    return this.types.get(expr.id);
  }

  check(parsed: ParsedExpr): StaticType {
    return parsed.expr === undefined ? undefined : this.visit(parsed.expr, { variables: this.roots });
  }

  private visit(expr: Expr, scope: Scope): StaticType {
    const type = this.infer(expr, scope);
    this.types.set(expr.id, type);
    return type;
  }

  private infer(expr: Expr, scope: Scope): StaticType {
    const kind = expr.exprKind;
    switch (kind.case) {
      case 'constExpr':
        return this.constType(kind.value.constantKind.case);
      case 'identExpr':
        return scope.variables.get(kind.value.name);
      case 'selectExpr': {
        const operand = kind.value.operand === undefined ? undefined : this.visit(kind.value.operand, scope);
        const field = this.selectField(operand, kind.value.field, expr.id);
        return kind.value.testOnly ? { scalar: 'bool' } : field;
      }
      case 'callExpr':
        return this.callType(expr, scope);
      case 'listExpr':
        kind.value.elements.forEach((element) => this.visit(element, scope));
        return { scalar: 'list' };
      case 'structExpr':
        children(expr).forEach((child) => this.visit(child, scope));
        return { scalar: 'map' };
      case 'comprehensionExpr':
        return this.comprehensionType(expr, scope);
      default:
        return undefined;
    }
  }

  private constType(kind: string | undefined): StaticType {
    switch (kind) {
      case 'boolValue':
        return { scalar: 'bool' };
      case 'stringValue':
        return { scalar: 'string' };
      case 'int64Value':
        return { scalar: 'int' };
      case 'doubleValue':
        return { scalar: 'double' };
      case 'bytesValue':
        return { scalar: 'bytes' };
      case 'nullValue':
        return { scalar: 'null' };
      default:
        return undefined;
    }
  }

  private selectField(operand: StaticType, field: string, exprId: bigint): StaticType {
    if (operand === undefined) return undefined;
    if ('scalar' in operand) {
      if (operand.scalar !== 'map') this.issues.push({ message: `type '${operand.scalar}' does not support field selection`, exprId });
      return undefined;
    }
    const decl = operand.decl;
    if (decl.kind === 'map') return decl.elem === undefined ? undefined : { decl: decl.elem };
    if (decl.kind === 'dyn') return undefined;
    if (decl.kind !== 'object') {
      this.issues.push({ message: `type '${declKindName(decl)}' does not support field selection`, exprId });
      return undefined;
    }
    const found = decl.fields.get(field);
    if (found === undefined) {
      this.issues.push({ message: `undefined field '${field}'`, exprId });
      return undefined;
    }
    return { decl: found.type };
  }

  private callType(expr: Expr, scope: Scope): StaticType {
    if (expr.exprKind.case !== 'callExpr') return undefined;
    const call = expr.exprKind.value;
    const target = call.target === undefined ? undefined : this.visit(call.target, scope);
    const args = call.args.map((arg) => this.visit(arg, scope));
    const name = call.function;
    if (name === '_[_]') {
      const container = args[0];
      if (container !== undefined && 'decl' in container && (container.decl.kind === 'list' || container.decl.kind === 'map')) {
        return container.decl.elem === undefined ? undefined : { decl: container.decl.elem };
      }
      return undefined;
    }
    if (name === '_?_:_') return args[1] ?? args[2];
    if (BOOL_FUNCTIONS.has(name)) return { scalar: 'bool' };
    if (STRING_FUNCTIONS.has(name)) return { scalar: 'string' };
    if (INT_FUNCTIONS.has(name)) return { scalar: 'int' };
    if (name === '_+_' && (isScalar(args[0], 'string') || isScalar(target, 'string'))) return { scalar: 'string' };
    if (name === 'duration' || name === 'timestamp') return { scalar: name };
    if (name === 'ip' || name === 'cidr' || name === 'masked') return { scalar: name === 'masked' ? 'cidr' : name };
    return undefined;
  }

  private comprehensionType(expr: Expr, scope: Scope): StaticType {
    if (expr.exprKind.case !== 'comprehensionExpr') return undefined;
    const c = expr.exprKind.value;
    const range = c.iterRange === undefined ? undefined : this.visit(c.iterRange, scope);
    const element: StaticType = range !== undefined && 'decl' in range ? (range.decl.kind === 'list' ? elemOf(range.decl) : range.decl.kind === 'map' ? { scalar: 'string' } : undefined) : undefined;
    const accu = c.accuInit === undefined ? undefined : this.visit(c.accuInit, scope);
    const variables = new Map(scope.variables);
    variables.set(c.iterVar, element);
    if (c.iterVar2 !== '' && range !== undefined && 'decl' in range) variables.set(c.iterVar2, elemOf(range.decl));
    variables.set(c.accuVar, accu);
    const inner = { variables };
    if (c.loopCondition) this.visit(c.loopCondition, inner);
    if (c.loopStep) this.visit(c.loopStep, inner);
    return c.result === undefined ? undefined : this.visit(c.result, inner);
  }
}

function elemOf(decl: DeclType): StaticType {
  return decl.elem === undefined ? undefined : { decl: decl.elem };
}

/** "bool", "string"… when the static type is known, else undefined. */
export function typeName(type: StaticType): string | undefined {
  if (type === undefined) return undefined;
  if ('scalar' in type) return type.scalar;
  return type.decl.kind === 'dyn' ? undefined : declKindName(type.decl);
}
