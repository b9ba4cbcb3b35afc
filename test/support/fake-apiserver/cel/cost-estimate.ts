import type { Expr, ParsedExpr } from '@bufbuild/cel-spec/cel/expr/syntax_pb.js';
import { children } from './rule-ast.js';
import type { RuleChecker, StaticType } from './rule-ast.js';

/**
 * The static cost estimate kube-apiserver computes for a CEL rule (cel-go checker/cost.go with the
 * Kubernetes library CostEstimator and the CRD size estimator), for the constructs our and
 * cert-manager's rules use: identifiers, field selection, has(), literals, logical and conditional
 * operators, comparisons, `in`, string prefix/suffix/contains/matches, concatenation, size(),
 * comprehensions, duration()/timestamp() and the IP/CIDR library. Any other call costs 1 plus its
 * arguments, as cel-go's default does.
 */
export interface Range {
  readonly min: number;
  readonly max: number;
}

export const U64_MAX = 2 ** 64 - 1;
const STRING_TRAVERSAL = 0.1;
const REGEX_LENGTH = 0.25;
const LIST_CREATE = 10;
const MAP_CREATE = 30;
const UNKNOWN: Range = { min: 0, max: U64_MAX };

const sat = (x: number): number => (x >= U64_MAX ? U64_MAX : x);
const add = (a: Range, b: Range): Range => ({ min: sat(a.min + b.min), max: sat(a.max + b.max) });
const mul = (a: Range, b: Range): Range => ({ min: sat(a.min * b.min), max: sat(a.max * b.max) });
const factor = (a: Range, f: number): Range => ({ min: sat(Math.ceil(a.min * f)), max: sat(Math.ceil(a.max * f)) });
const union = (a: Range, b: Range): Range => ({ min: Math.min(a.min, b.min), max: Math.max(a.max, b.max) });
const fixed = (n: number): Range => ({ min: n, max: n });

const SCALARS = new Set(['bool', 'double', 'duration', 'int', 'timestamp', 'uint']);

export class CostEstimator {
  private readonly sizes = new Map<bigint, Range>();

  constructor(private readonly checker: RuleChecker) {}

  estimate(parsed: ParsedExpr): Range {
    return parsed.expr === undefined ? fixed(0) : this.cost(parsed.expr);
  }

  private size(expr: Expr): Range {
    const known = this.sizes.get(expr.id);
    if (known !== undefined) return known;
    const kind = expr.exprKind;
    if (kind.case === 'constExpr') {
      const constant = kind.value.constantKind;
      if (constant.case === 'stringValue') return fixed([...constant.value].length);
      if (constant.case === 'bytesValue') return fixed(constant.value.length);
      return fixed(1);
    }
    if (kind.case === 'listExpr') return fixed(kind.value.elements.length);
    if (kind.case === 'structExpr') return fixed(kind.value.entries.length);
    return this.typeSize(this.checker.typeOf(expr));
  }

  private typeSize(type: StaticType): Range {
    if (type === undefined) return UNKNOWN;
    if ('decl' in type) return SCALARS.has(type.decl.kind) && type.decl.maxElements === 0 ? { min: 0, max: 0 } : { min: 0, max: type.decl.maxElements };
    return SCALARS.has(type.scalar) ? fixed(1) : UNKNOWN;
  }

  private cost(expr: Expr): Range {
    const kind = expr.exprKind;
    switch (kind.case) {
      case 'constExpr':
        return fixed(0);
      case 'identExpr':
        return fixed(1);
      case 'selectExpr':
        return this.selectCost(expr);
      case 'callExpr':
        return this.callCost(expr);
      case 'listExpr':
        return add(kind.value.elements.reduce((sum, e) => add(sum, this.cost(e)), fixed(0)), fixed(LIST_CREATE));
      case 'structExpr':
        return add(children(expr).reduce((sum, e) => add(sum, this.cost(e)), fixed(0)), fixed(MAP_CREATE));
      case 'comprehensionExpr':
        return this.comprehensionCost(expr);
      default:
        return fixed(0);
    }
  }

  private selectCost(expr: Expr): Range {
    if (expr.exprKind.case !== 'selectExpr' || expr.exprKind.value.operand === undefined) return fixed(0);
    const { operand, testOnly } = expr.exprKind.value;
    // PresenceTestHasCost(false): has() adds nothing beyond its operand.
    if (testOnly) return this.cost(operand);
    const operandType = this.checker.typeOf(operand);
    const container = operandType === undefined || ('decl' in operandType && ['object', 'map', 'dyn'].includes(operandType.decl.kind)) || ('scalar' in operandType && operandType.scalar === 'map');
    return add(this.cost(operand), fixed(container ? 1 : 0));
  }

  private callCost(expr: Expr): Range {
    if (expr.exprKind.case !== 'callExpr') return fixed(0);
    const call = expr.exprKind.value;
    const argCosts = call.args.map((arg) => this.cost(arg));
    const argSum = argCosts.reduce(add, fixed(0));
    const targetCost = call.target === undefined ? fixed(0) : this.cost(call.target);
    return add(targetCost, this.functionCost(expr, call.function, call.target, call.args, argCosts, argSum));
  }

  private functionCost(expr: Expr, name: string, target: Expr | undefined, args: Expr[], argCosts: Range[], argSum: Range): Range {
    const arg = (i: number): Expr => args[i]!;
    switch (name) {
      case '_&&_':
      case '_||_':
        return { min: argCosts[0]!.min, max: add(argCosts[0]!, argCosts[1]!).max };
      case '_?_:_':
        this.sizes.set(expr.id, union(this.size(arg(1)), this.size(arg(2))));
        return add(argCosts[0]!, union(argCosts[1]!, argCosts[2]!));
      case '_==_':
      case '_!=_':
        if (this.isNetworkValue(arg(0)) && this.isNetworkValue(arg(1))) return add(fixed(1), argSum);
        return add(this.comparisonCost(arg(0), arg(1)), argSum);
      case '_<_':
      case '_<=_':
      case '_>_':
      case '_>=_':
        return this.isStringLike(arg(0)) ? add(this.comparisonCost(arg(0), arg(1)), argSum) : add(fixed(1), argSum);
      case '@in':
        return add(this.size(arg(1)), argSum);
      case 'startsWith':
      case 'endsWith':
        return target === undefined ? add(fixed(1), argSum) : add(factor(this.size(arg(0)), STRING_TRAVERSAL), argSum);
      case 'contains':
        return target === undefined ? add(fixed(1), argSum) : add(mul(factor(this.size(target), STRING_TRAVERSAL), factor(this.size(arg(0)), STRING_TRAVERSAL)), argSum);
      case 'matches':
        return target === undefined ? add(fixed(1), argSum) : add(mul(factor(add(this.size(target), fixed(1)), STRING_TRAVERSAL), factor(this.size(arg(0)), REGEX_LENGTH)), argSum);
      case '_+_':
        return this.concatCost(expr, args, argSum);
      case 'isIP':
      case 'isCIDR':
      case 'cidr':
        return add(factor(this.size(arg(0)), STRING_TRAVERSAL), argSum);
      case 'ip':
        return target !== undefined ? add(fixed(1), argSum) : add(factor(this.size(arg(0)), STRING_TRAVERSAL), argSum);
      default:
        return add(fixed(1), argSum);
    }
  }

  private comparisonCost(left: Expr, right: Expr): Range {
    const smallestMax = Math.min(this.size(left).max, this.size(right).max);
    return factor({ min: smallestMax > 0 ? 1 : 0, max: smallestMax }, STRING_TRAVERSAL);
  }

  private concatCost(expr: Expr, args: Expr[], argSum: Range): Range {
    if (!this.isStringLike(args[0]!) && !this.isList(args[0]!)) return add(fixed(1), argSum);
    const result = add(this.size(args[0]!), this.size(args[1]!));
    this.sizes.set(expr.id, result);
    return this.isList(args[0]!) ? add(fixed(1), argSum) : add(factor(result, STRING_TRAVERSAL), argSum);
  }

  private comprehensionCost(expr: Expr): Range {
    if (expr.exprKind.case !== 'comprehensionExpr') return fixed(0);
    const c = expr.exprKind.value;
    const part = (e: Expr | undefined): Range => (e === undefined ? fixed(0) : this.cost(e));
    const loop = add(part(c.loopCondition), part(c.loopStep));
    const range = c.iterRange === undefined ? fixed(0) : this.size(c.iterRange);
    return add(add(add(part(c.iterRange), part(c.accuInit)), part(c.result)), mul(range, loop));
  }

  private kindOf(expr: Expr): string | undefined {
    const type = this.checker.typeOf(expr);
    if (type === undefined) return expr.exprKind.case === 'constExpr' ? expr.exprKind.value.constantKind.case : undefined;
    return 'decl' in type ? type.decl.kind : type.scalar;
  }

  private isStringLike(expr: Expr): boolean {
    const kind = this.kindOf(expr);
    return kind === 'string' || kind === 'bytes' || kind === 'stringValue' || kind === 'bytesValue';
  }

  private isList(expr: Expr): boolean {
    return this.kindOf(expr) === 'list' || expr.exprKind.case === 'listExpr';
  }

  private isNetworkValue(expr: Expr): boolean {
    const kind = this.kindOf(expr);
    return kind === 'ip' || kind === 'cidr';
  }
}
