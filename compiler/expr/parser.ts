import type { BinaryOp, Expr, NameExpr } from './ast.js';
import { describeOffset, type ExprError, quote, syntaxError } from './errors.js';
import { type Operator, type Punctuation, type Token, tokenize } from './lexer.js';

/** Thrown inside the parser to unwind to `parseExpressionAt` at the first syntax error. */
class SyntaxFailure extends Error {
  override readonly name = 'SyntaxFailure';
  constructor(readonly error: ExprError) {
    super(error.message);
  }
}

// Binary operators from the loosest to the tightest; each level is left-associative.
const binaryLevels: ReadonlyArray<ReadonlyArray<BinaryOp>> = [
  ['||'],
  ['&&'],
  ['==', '!='],
  ['<', '<=', '>', '>='],
];

class ExpressionParser {
  private index = 0;

  constructor(
    private readonly source: string,
    private readonly tokens: ReadonlyArray<Token>,
    private readonly base: number,
  ) {}

  parse(): Expr {
    const expr = this.binary(0);
    const next = this.peek();
    if (next.kind === 'end') return expr;
    if (isSymbol(next, ')')) {
      throw this.failure(`unexpected ")" at ${this.at(next.start)}: no "(" to close`, next);
    }
    throw this.failure(
      `expected an operator or the end of the expression, found ${this.describe(next)}`,
      next,
    );
  }

  private binary(level: number): Expr {
    const ops = binaryLevels[level];
    if (ops === undefined) return this.unary();
    let left = this.binary(level + 1);
    for (let token = this.peek(); token.kind === 'symbol'; token = this.peek()) {
      // includes, not find: no closure per operand, and expressions are many.
      if (!(ops as ReadonlyArray<string>).includes(token.symbol)) break;
      const op = token.symbol as BinaryOp;
      this.index++;
      const right = this.binary(level + 1);
      left = { kind: 'binary', op, left, right, start: left.start, end: right.end };
    }
    return left;
  }

  private unary(): Expr {
    const token = this.peek();
    if (!isSymbol(token, '!')) return this.postfix();
    this.index++;
    const operand = this.unary();
    return { kind: 'unary', op: '!', operand, start: this.offset(token.start), end: operand.end };
  }

  private postfix(): Expr {
    const first = this.peek();
    if (first.kind !== 'name') return this.refusePostfix(this.primary());
    this.index++;
    if (isSymbol(this.peek(), '(')) return this.refusePostfix(this.call(first.name, first));
    const path: Array<string | number> = [first.name];
    let end = first.end;
    for (let token = this.peek(); isSymbol(token, '.') || isSymbol(token, '['); token = this.peek()) {
      this.index++;
      end = isSymbol(token, '.') ? this.property(token, path) : this.indexer(token, path);
    }
    const name: NameExpr = { kind: 'name', path, start: this.offset(first.start), end: this.offset(end) };
    const next = this.peek();
    if (isSymbol(next, '(')) {
      const message = `${quote(this.text(first.start, end))} is not a function and cannot be called; found "(" at ${this.at(next.start)}`;
      throw this.failure(message, next);
    }
    return name;
  }

  /** Property access is only for names: `fromJSON(x).key` and `(a).b` are not supported. */
  private refusePostfix(expr: Expr): Expr {
    const next = this.peek();
    if (isSymbol(next, '.') || isSymbol(next, '[') || isSymbol(next, '(')) {
      const message = `${quote(next.symbol)} at ${this.at(next.start)} cannot follow a call, a literal or a parenthesised expression; only names like params.config have properties`;
      throw this.failure(message, next);
    }
    return expr;
  }

  private property(dot: Token, path: Array<string | number>): number {
    const token = this.peek();
    if (token.kind === 'name' || token.kind === 'boolean' || token.kind === 'null') {
      this.index++;
      path.push(this.text(token.start, token.end));
      return token.end;
    }
    throw this.failure(
      `expected a property name after "." at ${this.at(dot.start)}, found ${this.describe(token)}`,
      token,
    );
  }

  private indexer(open: Token, path: Array<string | number>): number {
    const key = this.peek();
    const isIndex = key.kind === 'number' && Number.isInteger(key.value) && key.value >= 0;
    if (key.kind !== 'string' && !isIndex) {
      const message = `expected a quoted key or a whole number inside "[" at ${this.at(open.start)}, found ${this.describe(key)}`;
      throw this.failure(message, key);
    }
    this.index++;
    if (key.kind === 'string' || key.kind === 'number') path.push(key.value);
    return this.expect(']', open).end;
  }

  private call(name: string, nameToken: Token): Expr {
    const open = this.next();
    const args: Expr[] = [];
    if (!isSymbol(this.peek(), ')')) {
      args.push(this.binary(0));
      while (isSymbol(this.peek(), ',')) {
        this.index++;
        args.push(this.binary(0));
      }
    }
    const close = this.expect(')', open, args.length > 0 ? '"," or ")"' : undefined);
    return { kind: 'call', name, args, start: this.offset(nameToken.start), end: this.offset(close.end) };
  }

  private primary(): Expr {
    const token = this.next();
    const span = { start: this.offset(token.start), end: this.offset(token.end) };
    switch (token.kind) {
      case 'number':
      case 'string':
      case 'boolean':
        return { kind: 'literal', value: token.value, ...span };
      case 'null':
        return { kind: 'literal', value: null, ...span };
      case 'symbol':
        if (token.symbol === '(') {
          const inner = this.binary(0);
          const close = this.expect(')', token);
          // The span covers the parentheses so that problems point at what was written.
          return { ...inner, start: span.start, end: this.offset(close.end) };
        }
        break;
      default:
        break;
    }
    throw this.failure(`expected an expression, found ${this.describe(token)}`, token);
  }

  private expect(symbol: Punctuation, open: Token, expected = `"${symbol}"`): Token {
    const token = this.peek();
    if (isSymbol(token, symbol)) return this.next();
    const opener = this.text(open.start, open.end);
    const message = `expected ${expected} to close "${opener}" at ${this.at(open.start)}, found ${this.describe(token)}`;
    throw this.failure(message, token);
  }

  private peek(): Token {
    return this.tokens[this.index] ?? this.endToken();
  }

  private next(): Token {
    const token = this.peek();
    if (token.kind !== 'end') this.index++;
    return token;
  }

  private endToken(): Token {
    const end = this.tokens.at(-1)?.end ?? this.base;
    return { kind: 'end', start: end, end };
  }

  private describe(token: Token): string {
    if (token.kind === 'end') return 'end of expression';
    return `${quote(this.text(token.start, token.end))} at ${this.at(token.start)}`;
  }

  private failure(message: string, token: Token): SyntaxFailure {
    return new SyntaxFailure(syntaxError(message, token.start, token.end));
  }

  private text(start: number, end: number): string {
    return this.source.slice(start, end);
  }

  private at(offset: number): string {
    return describeOffset(this.source, offset);
  }

  /** AST offsets are relative to the expression, not to the surrounding template. */
  private offset(sourceOffset: number): number {
    return sourceOffset - this.base;
  }
}

function isSymbol(token: Token, symbol: Operator | Punctuation): token is Token & { kind: 'symbol' } {
  return token.kind === 'symbol' && token.symbol === symbol;
}

/**
 * Parses `source.slice(from, to)`. AST offsets are relative to `from`; error offsets and the
 * columns in messages are relative to the whole `source`, so that a template can report them.
 */
export function parseExpressionAt(
  source: string,
  from: number,
  to: number,
): { expr?: Expr; errors: ExprError[] } {
  const { tokens, errors } = tokenize(source, from, to);
  if (errors.length > 0) return { errors };
  try {
    return { expr: new ExpressionParser(source, tokens, from).parse(), errors: [] };
  } catch (error) {
    if (error instanceof SyntaxFailure) return { errors: [error.error] };
    throw error;
  }
}

/** Parses one expression, such as `needs.build.result == 'success' && !cancelled()`. */
export function parseExpression(source: string): { expr?: Expr; errors: ExprError[] } {
  return parseExpressionAt(source, 0, source.length);
}
