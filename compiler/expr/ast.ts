/**
 * The expression language of `${{ ... }}` and `if`: a small, typed subset of GitHub Actions
 * expressions. Offsets (`start`, `end`) are 0-based character offsets into the expression
 * source, so that diagnostics can point into the YAML scalar.
 */
export type Expr = LiteralExpr | NameExpr | CallExpr | UnaryExpr | BinaryExpr;

interface Span {
  readonly start: number;
  readonly end: number;
}

export interface LiteralExpr extends Span {
  readonly kind: 'literal';
  readonly value: string | number | boolean | null;
}

/** A dotted or indexed name: `needs.build.outputs.version` is `['needs', 'build', 'outputs', 'version']`. */
export interface NameExpr extends Span {
  readonly kind: 'name';
  readonly path: ReadonlyArray<string | number>;
}

export interface CallExpr extends Span {
  readonly kind: 'call';
  readonly name: string;
  readonly args: ReadonlyArray<Expr>;
}

export interface UnaryExpr extends Span {
  readonly kind: 'unary';
  readonly op: '!';
  readonly operand: Expr;
}

export type BinaryOp = '==' | '!=' | '<' | '<=' | '>' | '>=' | '&&' | '||';

export interface BinaryExpr extends Span {
  readonly kind: 'binary';
  readonly op: BinaryOp;
  readonly left: Expr;
  readonly right: Expr;
}

/** A string with `${{ ... }}` holes: text and expression parts in order. */
export interface Template {
  readonly source: string;
  /** Where the template stands in the document; set by `normalize`. */
  readonly path?: ReadonlyArray<string | number>;
  readonly parts: ReadonlyArray<TemplatePart>;
}

export type TemplatePart =
  | { readonly kind: 'text'; readonly text: string }
  /** `offset` is where the expression source starts inside the template source. */
  | { readonly kind: 'expr'; readonly expr: Expr; readonly source: string; readonly offset: number };

/** Every name an expression mentions, depth first. */
export function* namesIn(expr: Expr): Generator<ReadonlyArray<string | number>> {
  switch (expr.kind) {
    case 'name':
      yield expr.path;
      return;
    case 'call':
      for (const arg of expr.args) yield* namesIn(arg);
      return;
    case 'unary':
      yield* namesIn(expr.operand);
      return;
    case 'binary':
      yield* namesIn(expr.left);
      yield* namesIn(expr.right);
      return;
    case 'literal':
      return;
  }
}
