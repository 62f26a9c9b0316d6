import type { ChoiceCondition } from '../asl/types.js';
import type { BinaryExpr, Expr, NameExpr, Template } from '../expr/ast.js';
import { format } from './intrinsics.js';

/** What a name in an expression stands for in the state data. */
export type NameValue = { readonly path: string } | { readonly literal: string | number | boolean };

/** Resolves names and knows the direct upstream result paths of the node being lowered. */
export interface ExprResolver {
  name(path: ReadonlyArray<string | number>): NameValue | undefined;
  /** Result paths (`$.jobs.x` or `$.gates.y.x`) of the node's direct upstream nodes. */
  readonly upstream: ReadonlyArray<string>;
}

/** An expression the lowering cannot express in Step Functions (yet); becomes a diagnostic. */
export class UnsupportedExpression extends Error {
  override readonly name = 'UnsupportedExpression';

  constructor(
    message: string,
    readonly start: number,
  ) {
    super(message);
  }
}

export type LoweredTemplate =
  | { readonly kind: 'static'; readonly text: string }
  | { readonly kind: 'dynamic'; readonly intrinsic: string };

function namePath(expr: NameExpr, resolver: ExprResolver): NameValue {
  const value = resolver.name(expr.path);
  if (value === undefined)
    throw new UnsupportedExpression(`"${expr.path.join('.')}" has no value in the state machine`, expr.start);
  return value;
}

/**
 * A template as a Parameters value: its text when static, else `States.Format` over the paths
 * of its names. Only names may stand in `${{ }}` here; other expressions are not lowered yet.
 */
export function lowerTemplate(template: Template, resolver: ExprResolver): LoweredTemplate {
  const pieces: string[] = [''];
  const args: string[] = [];
  for (const part of template.parts) {
    if (part.kind === 'text') {
      pieces[pieces.length - 1] += part.text;
      continue;
    }
    if (part.expr.kind === 'literal') {
      pieces[pieces.length - 1] += part.expr.value === null ? '' : String(part.expr.value);
      continue;
    }
    if (part.expr.kind !== 'name') {
      throw new UnsupportedExpression(
        `only names can be lowered inside \${{ }} for now, found ${part.expr.kind}`,
        part.offset,
      );
    }
    const value = namePath(part.expr, resolver);
    if ('literal' in value) pieces[pieces.length - 1] += String(value.literal);
    else {
      args.push(value.path);
      pieces.push('');
    }
  }
  return args.length === 0
    ? { kind: 'static', text: pieces.join('') }
    : { kind: 'dynamic', intrinsic: format(pieces, args) };
}

type Lowered = ChoiceCondition | boolean;

function and(items: Lowered[]): Lowered {
  if (items.some((i) => i === false)) return false;
  const rest = items.filter((i): i is ChoiceCondition => i !== true);
  if (rest.length === 0) return true;
  return rest.length === 1 ? (rest[0] as ChoiceCondition) : { And: rest };
}

function or(items: Lowered[]): Lowered {
  if (items.some((i) => i === true)) return true;
  const rest = items.filter((i): i is ChoiceCondition => i !== false);
  if (rest.length === 0) return false;
  return rest.length === 1 ? (rest[0] as ChoiceCondition) : { Or: rest };
}

function not(item: Lowered): Lowered {
  return typeof item === 'boolean' ? !item : { Not: item };
}

function statusFunction(name: string, resolver: ExprResolver, start: number): Lowered {
  switch (name) {
    case 'always':
      return true;
    case 'cancelled':
      // A cancelled run stops the execution: no state runs to see it.
      return false;
    case 'success':
      return and(resolver.upstream.map((path) => ({ Variable: `${path}.ok`, BooleanEquals: true })));
    case 'failure':
      return or(
        resolver.upstream.map((path) => ({
          And: [
            { Variable: `${path}.r`, StringEquals: 'failure' },
            { Variable: `${path}.ok`, BooleanEquals: false },
          ],
        })),
      );
    default:
      throw new UnsupportedExpression(`${name}() cannot be used in a condition yet`, start);
  }
}

function compare(expr: BinaryExpr, resolver: ExprResolver): Lowered {
  const [nameSide, literalSide, flipped] =
    expr.left.kind === 'name' && expr.right.kind === 'literal'
      ? [expr.left, expr.right, false]
      : expr.right.kind === 'name' && expr.left.kind === 'literal'
        ? [expr.right, expr.left, true]
        : [undefined, undefined, false];
  if (nameSide === undefined || literalSide === undefined) {
    throw new UnsupportedExpression('only a name compared with a literal can be lowered for now', expr.start);
  }
  const value = namePath(nameSide, resolver);
  if ('literal' in value)
    throw new UnsupportedExpression('comparisons of constants are not lowered', expr.start);
  const literal = literalSide.value;
  const op = flipped
    ? (({ '<': '>', '>': '<', '<=': '>=', '>=': '<=' } as const)[expr.op as '<'] ?? expr.op)
    : expr.op;
  const variable = value.path;
  if (typeof literal === 'string' && (op === '==' || op === '!=')) {
    const equals: ChoiceCondition = { Variable: variable, StringEquals: literal };
    return op === '==' ? equals : not(equals);
  }
  if (typeof literal === 'boolean' && (op === '==' || op === '!=')) {
    const equals: ChoiceCondition = { Variable: variable, BooleanEquals: literal };
    return op === '==' ? equals : not(equals);
  }
  if (typeof literal === 'number') {
    switch (op) {
      case '==':
        return { Variable: variable, NumericEquals: literal };
      case '!=':
        return not({ Variable: variable, NumericEquals: literal });
      case '<':
        return { Variable: variable, NumericLessThan: literal };
      case '>':
        return { Variable: variable, NumericGreaterThan: literal };
      case '<=':
        return { Variable: variable, NumericLessThanEquals: literal };
      case '>=':
        return { Variable: variable, NumericGreaterThanEquals: literal };
    }
  }
  throw new UnsupportedExpression(
    `the comparison ${op} with ${JSON.stringify(literal)} is not lowered for now`,
    expr.start,
  );
}

/** A condition as a Choice rule, or a constant when it does not depend on the run. */
export function lowerCondition(expr: Expr, resolver: ExprResolver): Lowered {
  switch (expr.kind) {
    case 'literal':
      return Boolean(expr.value);
    case 'call':
      return statusFunction(expr.name, resolver, expr.start);
    case 'unary':
      return not(lowerCondition(expr.operand, resolver));
    case 'name': {
      const value = namePath(expr, resolver);
      if ('literal' in value) return Boolean(value.literal);
      return { Variable: value.path, BooleanEquals: true };
    }
    case 'binary':
      if (expr.op === '&&')
        return and([lowerCondition(expr.left, resolver), lowerCondition(expr.right, resolver)]);
      if (expr.op === '||')
        return or([lowerCondition(expr.left, resolver), lowerCondition(expr.right, resolver)]);
      return compare(expr, resolver);
  }
}
