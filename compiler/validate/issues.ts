import type * as z from 'zod';
import { type DiagnosticCode, diagnosticCodes } from '../diagnostics/diagnostic.js';
import type { DiagnosticSink } from '../diagnostics/sink.js';
import { didYouMean } from '../diagnostics/suggest.js';
import type { DocPath } from '../ir.js';
import { suggestField } from '../language/aliases.js';
import { describeField, showValue, valueAt } from './describe.js';

type Issue = z.core.$ZodIssue;

/** What the issue mapper needs besides the issue: the data and the known keys of strict objects. */
export interface IssueContext {
  readonly data: unknown;
  readonly sink: DiagnosticSink;
  /** Known keys of the object that raised an `unrecognized_keys` issue, keyed by its `keys` array. */
  readonly knownKeys: WeakMap<object, ReadonlyArray<string>>;
  /** Job kinds, for "unknown job type" suggestions. */
  readonly kinds: ReadonlyArray<string>;
  /** `parent path + key` of required fields that a misspelt key stands for: reported once, as unknown. */
  readonly misspelt: ReadonlySet<string>;
}

/** The `misspelt` key of a field: its parent path and its name. */
export function fieldKey(parent: DocPath, key: string): string {
  return JSON.stringify([...parent, key]);
}

const EXPECTED: Readonly<Record<string, string>> = {
  object: 'a mapping',
  record: 'a mapping',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
};

function isCode(value: unknown): value is DiagnosticCode {
  return typeof value === 'string' && value in diagnosticCodes;
}

/** Turns one zod issue (at `base`, for issues nested in unions) into located diagnostics. */
export function reportIssue(issue: Issue, ctx: IssueContext, base: DocPath = []): void {
  const path: DocPath = [...base, ...(issue.path as Array<string | number>)];
  const field = describeField(ctx.data, path);
  const found = valueAt(ctx.data, path);
  switch (issue.code) {
    case 'custom': {
      const params = issue.params ?? {};
      const code = isCode(params.code) ? params.code : 'WF1105';
      const hint = typeof params.hint === 'string' ? params.hint : undefined;
      const offset = typeof params.offset === 'number' ? params.offset : undefined;
      ctx.sink.error(code, path, `${field}: ${issue.message}`, { hint, offset });
      return;
    }
    case 'unrecognized_keys': {
      const known = ctx.knownKeys.get(issue.keys) ?? [];
      for (const key of issue.keys) {
        const meant = suggestField(key, known);
        ctx.sink.error(
          'WF1102',
          [...path, key],
          `unknown field "${key}" in ${field}${meant === undefined ? '' : ` (did you mean "${meant}"?)`}`,
          {
            target: 'key',
            hint: known.length > 0 ? `allowed fields: ${known.join(', ')}` : undefined,
          },
        );
      }
      return;
    }
    case 'invalid_type':
      reportInvalidType(issue, path, field, found, ctx);
      return;
    case 'invalid_value': {
      const allowed = issue.values.map((v) => JSON.stringify(v));
      const suggestion =
        typeof found === 'string'
          ? didYouMean(
              found,
              issue.values.filter((v) => typeof v === 'string'),
            )
          : '';
      ctx.sink.error(
        'WF1104',
        path,
        `${field} must be ${allowed.length === 1 ? allowed[0] : `one of ${allowed.join(', ')}`}, found ${showValue(found)}${suggestion}`,
      );
      return;
    }
    case 'invalid_format':
      ctx.sink.error(
        'WF1105',
        path,
        `${field} is ${showValue(found)}, which is not valid: it must ${issue.message}`,
      );
      return;
    case 'too_small':
    case 'too_big':
      reportRange(issue, path, field, found, ctx);
      return;
    case 'not_multiple_of':
      ctx.sink.error(
        'WF1106',
        path,
        `${field} must be a multiple of ${issue.divisor}, found ${showValue(found)}`,
      );
      return;
    case 'invalid_key':
      for (const inner of issue.issues) {
        ctx.sink.error(
          'WF1105',
          path,
          `the name "${String(path[path.length - 1])}" in ${describeField(ctx.data, path.slice(0, -1))} is not valid: it must ${inner.message}`,
          {
            target: 'key',
          },
        );
      }
      return;
    case 'invalid_union':
      reportUnion(issue, path, field, found, ctx);
      return;
    case 'invalid_element':
      for (const inner of issue.issues) reportIssue(inner, ctx, path);
      return;
  }
}

function reportInvalidType(
  issue: z.core.$ZodIssueInvalidType,
  path: DocPath,
  field: string,
  found: unknown,
  ctx: IssueContext,
): void {
  const expected = EXPECTED[issue.expected] ?? issue.expected;
  if (found === undefined && !(path.length > 0 && valueAt(ctx.data, path.slice(0, -1)) === undefined)) {
    const key = String(path[path.length - 1]);
    const parent = path.slice(0, -1);
    // "comands" was reported as unknown with "did you mean commands": the missing field is the same mistake.
    if (ctx.misspelt.has(fieldKey(parent, key))) return;
    ctx.sink.error(
      'WF1103',
      parent,
      `${describeField(ctx.data, parent)} is missing the required field "${key}" (${expected})`,
      {
        target: 'key',
      },
    );
    return;
  }
  ctx.sink.error('WF1101', path, `${field} must be ${expected}, found ${showValue(found)}`);
}

function reportRange(
  issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig,
  path: DocPath,
  field: string,
  found: unknown,
  ctx: IssueContext,
): void {
  const small = issue.code === 'too_small';
  const bound = Number(small ? issue.minimum : issue.maximum);
  if (issue.origin === 'array') {
    const what = small ? `at least ${bound} item${bound === 1 ? '' : 's'}` : `at most ${bound} items`;
    ctx.sink.error(
      'WF1106',
      path,
      `${field} must have ${what}, found ${Array.isArray(found) ? found.length : 0}`,
    );
  } else if (issue.origin === 'string') {
    ctx.sink.error(
      'WF1106',
      path,
      `${field} must ${small ? 'not be empty' : `be at most ${bound} characters`}`,
    );
  } else {
    ctx.sink.error(
      'WF1106',
      path,
      `${field} must be ${small ? 'at least' : 'at most'} ${bound}, found ${showValue(found)}`,
    );
  }
}

/**
 * A union failed. With a discriminator it is an unknown job `type`; otherwise report the
 * branch the value came closest to: branches that failed only because the value had another
 * type at the union's own path are dropped first.
 */
function reportUnion(
  issue: z.core.$ZodIssueInvalidUnion,
  path: DocPath,
  field: string,
  found: unknown,
  ctx: IssueContext,
): void {
  if (issue.discriminator !== undefined) {
    const typePath = path[path.length - 1] === issue.discriminator ? path : [...path, issue.discriminator];
    const owner = describeField(ctx.data, typePath.slice(0, -1));
    const value = valueAt(ctx.data, typePath);
    ctx.sink.error(
      'WF1107',
      typePath,
      `${owner} has unknown type ${showValue(value)}${typeof value === 'string' ? didYouMean(value, ctx.kinds) : ''}`,
      {
        hint: `a job type is one of ${ctx.kinds.join(', ')}; leave it out for a container job`,
      },
    );
    return;
  }
  if (found === undefined) {
    const only = issue.errors
      .flat()
      .find((inner) => inner.code === 'invalid_type' && inner.path.length === 0);
    if (only !== undefined) {
      reportIssue(only, ctx, path);
      return;
    }
  }
  const near = issue.errors.filter(
    (branch) => !branch.every((inner) => inner.code === 'invalid_type' && inner.path.length === 0),
  );
  const best = near.sort((a, b) => a.length - b.length)[0];
  if (best !== undefined) {
    for (const inner of best) reportIssue(inner, ctx, path);
    return;
  }
  const expected = issue.errors
    .flatMap((branch) =>
      branch.map((inner) =>
        inner.code === 'invalid_type' ? (EXPECTED[inner.expected] ?? inner.expected) : undefined,
      ),
    )
    .filter((e): e is string => e !== undefined);
  const unique = [...new Set(expected)];
  ctx.sink.error(
    'WF1101',
    path,
    `${field} must be ${unique.join(' or ') || 'something else'}, found ${showValue(found)}`,
  );
}
