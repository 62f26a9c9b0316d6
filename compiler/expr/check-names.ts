import { didYouMean } from '../diagnostics/suggest.js';
import type { NameExpr } from './ast.js';
import { withArticle } from './errors.js';
import { lookupFunction } from './functions.js';
import { formatName } from './print.js';
import type { ExprProblem, ExprProblemCode, ExprScope } from './scope.js';

type Key = string | number;

/** A problem spanning the whole name; a plain function, not a closure per name checked. */
function report(at: NameExpr, code: ExprProblemCode, message: string, hint?: string): ExprProblem {
  return { code, message, ...(hint === undefined ? {} : { hint }), start: at.start, end: at.end };
}

const roots = ['params', 'matrix', 'needs', 'run', 'workflow'];
const validNames =
  'expressions can use params.<name>, matrix.<key>, needs.<job>.outputs.<name>, needs.<job>.result, run.id, run.status and workflow.name';

/** Checks that a name refers to something that exists and is available where it is used. */
export function checkName(expr: NameExpr, scope: ExprScope): ExprProblem[] {
  const root = expr.path[0];
  // Params and needs are most names: they read the path in place, with no copy of its rest.
  if (root === 'params') return checkParam(expr.path, scope, expr);
  if (root === 'needs') return checkNeeds(expr.path, scope, expr);
  const rest = expr.path.slice(1);
  switch (root) {
    case 'matrix':
      return checkMatrix(rest, scope, expr);
    case 'run':
      return checkRun(rest, scope, expr);
    case 'workflow':
      return isPath(rest, ['name'])
        ? []
        : [report(expr, 'WF3002', unknownIn(expr.path, 'workflow has name', ['name']))];
    default:
      break;
  }
  const name = String(root);
  if (rest.length === 0 && lookupFunction(name) !== undefined) {
    return [report(expr, 'WF3002', `"${name}" is a function: write ${name}()`)];
  }
  return [
    report(expr, 'WF3002', `unknown name "${formatName(expr.path)}"${didYouMean(name, roots)}`, validNames),
  ];
}

function checkParam(path: ReadonlyArray<Key>, scope: ExprScope, at: NameExpr): ExprProblem[] {
  const param = path[1];
  const declared = (): string[] => [...scope.params.keys()];
  const hint = (): string => {
    const names = declared();
    return names.length === 0 ? 'this workflow declares no params' : `declared params: ${names.join(', ')}`;
  };
  if (typeof param !== 'string') {
    return [report(at, 'WF3002', '"params" needs a param name, as in params.environment', hint())];
  }
  const type = scope.params.get(param);
  if (type === undefined) {
    return [report(at, 'WF3002', `unknown param "${param}"${didYouMean(param, declared())}`, hint())];
  }
  if (path.length > 2 && type !== 'object' && type !== 'array') {
    const message = `"${formatName(path)}" reads into param "${param}", which is ${withArticle(type)}`;
    return [report(at, 'WF3002', message, 'only array and object params have items or properties')];
  }
  return [];
}

function checkMatrix(rest: ReadonlyArray<Key>, scope: ExprScope, at: NameExpr): ExprProblem[] {
  const name = formatName(['matrix', ...rest]);
  if (scope.matrix === undefined)
    return [report(at, 'WF3005', `"${name}" is used, but this job has no matrix`)];
  const keys = scope.matrix === 'dynamic' ? [] : [...scope.matrix];
  const hint = scope.matrix === 'dynamic' ? undefined : `this job's matrix keys: ${keys.join(', ')}`;
  const [key] = rest;
  // A dynamic matrix's item may be a string or a number: `matrix` alone is the item itself.
  if (scope.matrix === 'dynamic' && rest.length === 0) return [];
  if (typeof key !== 'string')
    return [report(at, 'WF3002', '"matrix" needs a key, as in matrix.<key>', hint)];
  if (scope.matrix === 'dynamic' || scope.matrix.has(key)) return [];
  return [report(at, 'WF3005', `unknown matrix key "${key}"${didYouMean(key, keys)}`, hint)];
}

function checkNeeds(path: ReadonlyArray<Key>, scope: ExprScope, at: NameExpr): ExprProblem[] {
  const [, job] = path;
  if (typeof job !== 'string') {
    return [
      report(
        at,
        'WF3002',
        '"needs" needs a job name, as in needs.<job>.outputs.<name> or needs.<job>.result',
      ),
    ];
  }
  const outputs = scope.jobs.get(job);
  if (outputs === undefined) {
    return [
      report(
        at,
        'WF3002',
        `unknown job "${job}" in "${formatName(path)}"${didYouMean(job, scope.jobs.keys())}`,
      ),
    ];
  }
  const problems = checkJobField(path, job, outputs, at);
  if (!scope.upstream.has(job)) {
    problems.push(report(at, 'WF3003', `job "${job}" is not upstream of this job; add it to needs`));
  }
  return problems;
}

/** `needs.<job>.result` or `needs.<job>.outputs.<name>`, nothing else. */
function checkJobField(
  path: ReadonlyArray<Key>,
  job: string,
  outputs: ReadonlySet<string>,
  at: NameExpr,
): ExprProblem[] {
  const field = path[2];
  const output = path[3];
  const deeper = path.length > 4;
  const form = (): string => `use needs.${job}.outputs.<name> or needs.${job}.result`;
  if (field === 'result') {
    return deeper || output !== undefined
      ? [report(at, 'WF3002', `"${formatName(path)}" is not a name; ${form()}`)]
      : [];
  }
  if (field !== 'outputs') {
    const suggestion = typeof field === 'string' ? didYouMean(field, ['outputs', 'result']) : '';
    return [report(at, 'WF3002', `"${formatName(path)}" is not a name; ${form()}${suggestion}`)];
  }
  // Built only for a message: most names are fine.
  const hint = (): string =>
    outputs.size === 0
      ? `job "${job}" declares no outputs; declare them with outputs: [name]`
      : `outputs of "${job}": ${[...outputs].join(', ')}`;
  if (typeof output !== 'string') {
    return [
      report(
        at,
        'WF3002',
        `"${formatName(path)}" needs an output name, as in needs.${job}.outputs.<name>`,
        hint(),
      ),
    ];
  }
  if (deeper) {
    return [report(at, 'WF3002', `"${formatName(path)}" reads into output "${output}", which is a string`)];
  }
  if (outputs.has(output)) return [];
  return [
    report(
      at,
      'WF3004',
      `job "${job}" does not declare output "${output}"${didYouMean(output, [...outputs])}`,
      hint(),
    ),
  ];
}

function checkRun(rest: ReadonlyArray<Key>, scope: ExprScope, at: NameExpr): ExprProblem[] {
  if (isPath(rest, ['id'])) return [];
  if (!isPath(rest, ['status'])) {
    return [report(at, 'WF3002', unknownIn(['run', ...rest], 'run has id and status', ['id', 'status']))];
  }
  if (scope.allowRunStatus) return [];
  return [
    report(
      at,
      'WF3007',
      'run.status is only available in onExit',
      'the status of the run is known once every job has ended',
    ),
  ];
}

function unknownIn(path: ReadonlyArray<Key>, has: string, fields: ReadonlyArray<string>): string {
  const [, field] = path;
  const suggestion = typeof field === 'string' ? didYouMean(field, fields) : '';
  return `unknown name "${formatName(path)}"; ${has}${suggestion}`;
}

function isPath(rest: ReadonlyArray<Key>, expected: ReadonlyArray<string>): boolean {
  return rest.length === expected.length && rest.every((key, i) => key === expected[i]);
}
