/**
 * An evaluator for the subset of CEL our CRD rules use — has(), !, &&, ||, ==, !=, <, <=, >, >=, in,
 * ?:, list literals, string.startsWith(), duration() — so that unit tests can run the rules against
 * sample objects without an API server. It parses strictly: anything outside the subset is an error,
 * which keeps the rules simple enough to trust.
 */
type Token = { kind: 'ident' | 'number' | 'string' | 'op'; text: string };
type Value = unknown;
export interface Bindings {
  readonly self: Value;
  readonly oldSelf?: Value;
}
type Node = (bindings: Bindings) => Value;

class Duration {
  constructor(readonly nanos: number) {}
}

const OPERATORS = ['||', '&&', '==', '!=', '<=', '>=', '<', '>', '!', '?', ':', '(', ')', '[', ']', ',', '.'];

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let rest = source;
  while ((rest = rest.trimStart()) !== '') {
    const match =
      /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest) ?? /^[0-9]+/.exec(rest) ?? /^'[^'\\]*'/.exec(rest) ?? /^"[^"\\]*"/.exec(rest);
    const op = OPERATORS.find((candidate) => rest.startsWith(candidate));
    if (match) {
      const text = match[0];
      const kind = /^[0-9]/.test(text) ? 'number' : /^['"]/.test(text) ? 'string' : 'ident';
      tokens.push({ kind, text: kind === 'string' ? text.slice(1, -1) : text });
      rest = rest.slice(text.length);
    } else if (op) {
      tokens.push({ kind: 'op', text: op });
      rest = rest.slice(op.length);
    } else {
      throw new Error(`CEL subset: unexpected "${rest.slice(0, 10)}" in ${source}`);
    }
  }
  return tokens;
}

class Parser {
  private position = 0;
  constructor(private readonly tokens: Token[], private readonly source: string) {}

  parse(): Node {
    const node = this.ternary();
    if (this.position !== this.tokens.length) this.fail(`trailing "${this.peek()?.text}"`);
    return node;
  }

  private peek(): Token | undefined {
    return this.tokens[this.position];
  }

  private accept(text: string): boolean {
    if (this.peek()?.kind === 'op' && this.peek()?.text === text) {
      this.position += 1;
      return true;
    }
    if (text === 'in' && this.peek()?.kind === 'ident' && this.peek()?.text === 'in') {
      this.position += 1;
      return true;
    }
    return false;
  }

  private expect(text: string): void {
    if (!this.accept(text)) this.fail(`expected "${text}"`);
  }

  private fail(message: string): never {
    throw new Error(`CEL subset: ${message} in ${this.source}`);
  }

  private ternary(): Node {
    const condition = this.or();
    if (!this.accept('?')) return condition;
    const whenTrue = this.or();
    this.expect(':');
    const whenFalse = this.ternary();
    return (b) => (asBool(condition(b)) ? whenTrue(b) : whenFalse(b));
  }

  private or(): Node {
    let left = this.and();
    while (this.accept('||')) {
      const [l, r] = [left, this.and()];
      left = (b) => asBool(l(b)) || asBool(r(b));
    }
    return left;
  }

  private and(): Node {
    let left = this.relation();
    while (this.accept('&&')) {
      const [l, r] = [left, this.relation()];
      left = (b) => asBool(l(b)) && asBool(r(b));
    }
    return left;
  }

  private relation(): Node {
    const left = this.unary();
    for (const op of ['==', '!=', '<=', '>=', '<', '>', 'in']) {
      if (this.accept(op)) {
        const right = this.unary();
        return (b) => compare(op, left(b), right(b));
      }
    }
    return left;
  }

  private unary(): Node {
    if (this.accept('!')) {
      const operand = this.unary();
      return (b) => !asBool(operand(b));
    }
    return this.member();
  }

  private member(): Node {
    let node = this.primary();
    while (this.accept('.')) {
      const name = this.identifier();
      if (this.accept('(')) {
        const argument = this.ternary();
        this.expect(')');
        if (name !== 'startsWith') this.fail(`method ${name} is outside the subset`);
        const target = node;
        node = (b) => asString(target(b)).startsWith(asString(argument(b)));
      } else {
        const target = node;
        node = (b) => field(target(b), name, true);
      }
    }
    return node;
  }

  private primary(): Node {
    const token = this.peek();
    if (!token) this.fail('unexpected end');
    this.position += 1;
    if (token.kind === 'number') return () => Number(token.text);
    if (token.kind === 'string') return () => token.text;
    if (token.kind === 'op' && token.text === '(') {
      const inner = this.ternary();
      this.expect(')');
      return inner;
    }
    if (token.kind === 'op' && token.text === '[') return this.list();
    if (token.kind !== 'ident') this.fail(`unexpected "${token.text}"`);
    return this.identifierExpression(token.text);
  }

  private list(): Node {
    const items: Node[] = [];
    if (!this.accept(']')) {
      do items.push(this.ternary());
      while (this.accept(','));
      this.expect(']');
    }
    return (b) => items.map((item) => item(b));
  }

  private identifierExpression(name: string): Node {
    if (name === 'true' || name === 'false') return () => name === 'true';
    if (name === 'self') return (b) => b.self;
    if (name === 'oldSelf') return (b) => b.oldSelf;
    if (name === 'has') return this.hasMacro();
    if (name === 'duration') {
      this.expect('(');
      const argument = this.ternary();
      this.expect(')');
      return (b) => parseGoDuration(asString(argument(b)));
    }
    return this.fail(`identifier ${name} is outside the subset`);
  }

  private hasMacro(): Node {
    this.expect('(');
    const target = this.primary();
    const path: string[] = [];
    while (this.accept('.')) path.push(this.identifier());
    this.expect(')');
    const last = path.pop();
    if (last === undefined) this.fail('has() needs a field selection');
    return (b) => {
      const parent = path.reduce<Value>((value, name) => field(value, name, true), target(b));
      return field(parent, last, false) !== undefined;
    };
  }

  private identifier(): string {
    const token = this.peek();
    if (token?.kind !== 'ident') this.fail('expected a field name');
    this.position += 1;
    return token.text;
  }
}

function field(value: Value, name: string, required: boolean): Value {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`no such key: ${name}`);
  const result = (value as Record<string, Value>)[name];
  if (required && result === undefined) throw new Error(`no such key: ${name}`);
  return result;
}

function compare(op: string, left: Value, right: Value): boolean {
  if (op === 'in') {
    if (!Array.isArray(right)) throw new Error('in needs a list');
    return right.some((item) => equal(item, left));
  }
  if (op === '==') return equal(left, right);
  if (op === '!=') return !equal(left, right);
  const [a, b] = [ordinal(left), ordinal(right)];
  if (typeof a !== typeof b) throw new Error(`cannot order ${typeof a} and ${typeof b}`);
  return op === '<' ? a < b : op === '<=' ? a <= b : op === '>' ? a > b : a >= b;
}

function equal(left: Value, right: Value): boolean {
  if (left instanceof Duration && right instanceof Duration) return left.nanos === right.nanos;
  if (typeof left !== typeof right) throw new Error(`no matching overload for == between ${typeof left} and ${typeof right}`);
  return JSON.stringify(left) === JSON.stringify(right);
}

function ordinal(value: Value): number | string {
  if (value instanceof Duration) return value.nanos;
  if (typeof value === 'number' || typeof value === 'string') return value;
  throw new Error(`cannot order ${typeof value}`);
}

function asBool(value: Value): boolean {
  if (typeof value !== 'boolean') throw new Error(`expected bool, got ${typeof value}`);
  return value;
}

function asString(value: Value): string {
  if (typeof value !== 'string') throw new Error(`expected string, got ${typeof value}`);
  return value;
}

const UNIT_NANOS: Record<string, number> = { h: 3.6e12, m: 6e10, s: 1e9, ms: 1e6, us: 1e3, µs: 1e3, ns: 1 };

/** Go's time.ParseDuration (CEL's duration() uses it), without the sign. */
export function parseGoDuration(text: string): Duration {
  if (text === '0') return new Duration(0);
  const parts = [...text.matchAll(/([0-9]+(?:\.[0-9]+)?)(ns|us|µs|ms|s|m|h)/gu)];
  if (parts.length === 0 || parts.map((part) => part[0]).join('') !== text) throw new Error(`invalid duration "${text}"`);
  return new Duration(parts.reduce((sum, part) => sum + Number(part[1]) * UNIT_NANOS[part[2]!]!, 0));
}

export interface CompiledRule {
  readonly rule: string;
  readonly usesOldSelf: boolean;
  evaluate(bindings: Bindings): boolean;
}

export function compileRule(rule: string): CompiledRule {
  const node = new Parser(tokenize(rule), rule).parse();
  return {
    rule,
    usesOldSelf: /\boldSelf\b/.test(rule),
    evaluate: (bindings) => asBool(node(bindings)),
  };
}
