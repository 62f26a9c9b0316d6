import { didYouMean } from '../diagnostics/suggest.js';
import type { NameExpr } from './ast.js';
import { withArticle } from './errors.js';
import { lookupFunction } from './functions.js';
import { formatName } from './print.js';
import type { ExprProblem, ExprProblemCode, ExprScope } from './scope.js';

type Key = string | number;
type Report = (code: ExprProblemCode, message: string, hint?: string) => ExprProblem;

const roots = ['params', 'matrix', 'needs', 'run', 'workflow'];
const validNames =
  'expressions can use params.<name>, matrix.<key>, needs.<job>.outputs.<name>, needs.<job>.result, run.id, run.status and workflow.name';

/** Checks that a name refers to something that exists and is available where it is used. */
export function checkName(expr: NameExpr, scope: ExprScope): ExprProblem[] {
  const report: Report = (code, message, hint) => ({
    code,
    message,
    ...(hint === undefined ? {} : { hint }),
    start: expr.start,
    end: expr.end,
  });
  const [root, ...rest] = expr.path;
  switch (root) {
    case 'params':
      return checkParam(rest, scope, report);
    case 'matrix':
      return checkMatrix(rest, scope, report);
    case 'needs':
      return checkNeeds(expr.path, scope, report);
    case 'run':
      return checkRun(rest, scope, report);
    case 'workflow':
      return isPath(rest, ['name'])
        ? []
        : [report('WF3002', unknownIn(expr.path, 'workflow has name', ['name']))];
    default:
      break;
  }
  const name = String(root);
  if (rest.length === 0 && lookupFunction(name) !== undefined) {
    return [report('WF3002', `"${name}" is a function: write ${name}()`)];
  }
  return [report('WF3002', `unknown name "${formatName(expr.path)}"${didYouMean(name, roots)}`, validNames)];
}

function checkParam(rest: ReadonlyArray<Key>, scope: ExprScope, report: Report): ExprProblem[] {
  const [param, ...deeper] = rest;
  const declared = [...scope.params.keys()];
  const hint =
    declared.length === 0 ? 'this workflow declares no params' : `declared params: ${declared.join(', ')}`;
  if (typeof param !== 'string') {
    return [report('WF3002', '"params" needs a param name, as in params.environment', hint)];
  }
  const type = scope.params.get(param);
  if (type === undefined) {
    return [report('WF3002', `unknown param "${param}"${didYouMean(param, declared)}`, hint)];
  }
  if (deeper.length > 0 && type !== 'object' && type !== 'array') {
    const message = `"${formatName(['params', ...rest])}" reads into param "${param}", which is ${withArticle(type)}`;
    return [report('WF3002', message, 'only array and object params have items or properties')];
  }
  return [];
}

function checkMatrix(rest: ReadonlyArray<Key>, scope: ExprScope, report: Report): ExprProblem[] {
  const name = formatName(['matrix', ...rest]);
  if (scope.matrix === undefined) return [report('WF3005', `"${name}" is used, but this job has no matrix`)];
  const keys = scope.matrix === 'dynamic' ? [] : [...scope.matrix];
  const hint = scope.matrix === 'dynamic' ? undefined : `this job's matrix keys: ${keys.join(', ')}`;
  const [key] = rest;
  // A dynamic matrix's item may be a string or a number: `matrix` alone is the item itself.
  if (scope.matrix === 'dynamic' && rest.length === 0) return [];
  if (typeof key !== 'string') return [report('WF3002', '"matrix" needs a key, as in matrix.<key>', hint)];
  if (scope.matrix === 'dynamic' || scope.matrix.has(key)) return [];
  return [report('WF3005', `unknown matrix key "${key}"${didYouMean(key, keys)}`, hint)];
}

function checkNeeds(path: ReadonlyArray<Key>, scope: ExprScope, report: Report): ExprProblem[] {
  const [, job] = path;
  if (typeof job !== 'string') {
    return [
      report('WF3002', '"needs" needs a job name, as in needs.<job>.outputs.<name> or needs.<job>.result'),
    ];
  }
  const outputs = scope.jobs.get(job);
  if (outputs === undefined) {
    return [
      report('WF3002', `unknown job "${job}" in "${formatName(path)}"${didYouMean(job, scope.jobs.keys())}`),
    ];
  }
  const problems = checkJobField(path, job, outputs, report);
  if (!scope.upstream.has(job)) {
    problems.push(report('WF3003', `job "${job}" is not upstream of this job; add it to needs`));
  }
  return problems;
}

/** `needs.<job>.result` or `needs.<job>.outputs.<name>`, nothing else. */
function checkJobField(
  path: ReadonlyArray<Key>,
  job: string,
  outputs: ReadonlySet<string>,
  report: Report,
): ExprProblem[] {
  const [, , field, output, ...deeper] = path;
  const form = `use needs.${job}.outputs.<name> or needs.${job}.result`;
  if (field === 'result') {
    return deeper.length > 0 || output !== undefined
      ? [report('WF3002', `"${formatName(path)}" is not a name; ${form}`)]
      : [];
  }
  if (field !== 'outputs') {
    const suggestion = typeof field === 'string' ? didYouMean(field, ['outputs', 'result']) : '';
    return [report('WF3002', `"${formatName(path)}" is not a name; ${form}${suggestion}`)];
  }
  const declared = [...outputs];
  const hint =
    declared.length === 0
      ? `job "${job}" declares no outputs; declare them with outputs: [name]`
      : `outputs of "${job}": ${declared.join(', ')}`;
  if (typeof output !== 'string') {
    return [
      report('WF3002', `"${formatName(path)}" needs an output name, as in needs.${job}.outputs.<name>`, hint),
    ];
  }
  if (deeper.length > 0) {
    return [report('WF3002', `"${formatName(path)}" reads into output "${output}", which is a string`)];
  }
  if (outputs.has(output)) return [];
  return [
    report('WF3004', `job "${job}" does not declare output "${output}"${didYouMean(output, declared)}`, hint),
  ];
}

function checkRun(rest: ReadonlyArray<Key>, scope: ExprScope, report: Report): ExprProblem[] {
  if (isPath(rest, ['id'])) return [];
  if (!isPath(rest, ['status'])) {
    return [report('WF3002', unknownIn(['run', ...rest], 'run has id and status', ['id', 'status']))];
  }
  if (scope.allowRunStatus) return [];
  return [
    report(
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
