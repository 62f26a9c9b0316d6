import type { BinaryOp, Expr } from './ast.js';

const precedence: Readonly<Record<BinaryOp, number>> = {
  '||': 1,
  '&&': 2,
  '==': 3,
  '!=': 3,
  '<': 4,
  '<=': 4,
  '>': 4,
  '>=': 4,
};
const unaryPrecedence = 5;

const identifier = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const keywords = new Set(['true', 'false', 'null']);

/** A name path as it would be written: `needs.build.outputs['image-tag']`, `params.list[0]`. */
export function formatName(path: ReadonlyArray<string | number>): string {
  return path
    .map((key, i) => {
      if (typeof key === 'number') return `[${key}]`;
      if (i === 0) return key;
      return identifier.test(key) && !keywords.has(key) ? `.${key}` : `[${quoteString(key)}]`;
    })
    .join('');
}

function quoteString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** Prints an expression back to source, with only the parentheses that precedence needs. */
export function printExpression(expr: Expr): string {
  return print(expr, 0);
}

function print(expr: Expr, outer: number): string {
  switch (expr.kind) {
    case 'literal':
      return typeof expr.value === 'string' ? quoteString(expr.value) : String(expr.value);
    case 'name':
      return formatName(expr.path);
    case 'call':
      return `${expr.name}(${expr.args.map((arg) => print(arg, 0)).join(', ')})`;
    case 'unary':
      return `!${print(expr.operand, unaryPrecedence)}`;
    case 'binary': {
      const own = precedence[expr.op];
      // Left-associative: the right operand needs parentheses at the same level.
      const text = `${print(expr.left, own)} ${expr.op} ${print(expr.right, own + 1)}`;
      return own < outer ? `(${text})` : text;
    }
  }
}
