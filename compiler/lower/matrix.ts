import type { MapState } from '../asl/types.js';
import type { Job } from '../ir.js';
import { type Fragment, type RunRequest, stateRecord, transition } from './context.js';
import { itemSelector, lowerDynamicMatrix, matrixSource } from './dynamic-matrix.js';
import type { ExprResolver } from './expressions.js';
import { fieldPath } from './names.js';

/** An inline Map runs at most 40 items at once. */
export const INLINE_MAP_CONCURRENCY = 40;

function itemResolver(outer: ExprResolver): ExprResolver {
  return {
    upstream: outer.upstream,
    name: (path) => {
      if (path[0] !== 'matrix') return outer.name(path);
      // `matrix` alone is the whole item: a dynamic matrix's items may be strings or numbers.
      if (path.length === 1) return { path: '$.matrix' };
      return typeof path[1] === 'string' && path.length === 2
        ? { path: fieldPath('$.matrix', path[1]) }
        : undefined;
    },
  };
}

/**
 * A matrix job. Static: its items in the state, then an inline `Map` that runs the job's
 * states once per item (`$.matrix` is the item), at most `maxParallel` at once; with the
 * matrix's `failFast: false`, every item runs and the job fails after them if one failed.
 * Dynamic (`fromJson`): a distributed Map over the upstream output (see dynamic-matrix.ts).
 */
export function lowerMatrix(job: Job, request: RunRequest, run: (inner: RunRequest) => Fragment): Fragment {
  const { ctx, key } = request;
  const matrix = job.matrix;
  if (matrix === undefined) return run(request);
  const source = matrixSource(job);
  if (matrix.kind === 'dynamic' && source === undefined) {
    ctx.sink.error(
      'WF4002',
      [...job.path, 'matrix', 'fromJson'],
      `job "${job.name}": matrix.fromJson must be exactly one upstream output, as in "\${{ needs.split.outputs.items }}"; found "${matrix.from.source}"`,
      { hint: 'write the array to $WATERFLOW_OUTPUT in an upstream job and declare it in its outputs' },
    );
    return run(request);
  }
  const mark = (name: string, role: 'matrix' | 'record') => {
    ctx.out.stateMap[name] = { job: job.name, role };
    return name;
  };
  const itemsName = mark(request.stateName('items'), 'matrix');
  const mapName = request.stateName();
  ctx.out.stateMap[mapName] = { job: job.name, role: 'run', kind: 'matrix' };
  const states = stateRecord();
  // Each item ends with a result of its own, `{ f }`, not the whole state: the Map's result
  // array stays small (Step Functions limits it like any payload), and `$[*].f` finds every item.
  const itemPassed = mark(request.stateName('item passed'), 'matrix');
  states[itemPassed] = { Type: 'Pass', Result: { f: false }, End: true };
  // A dynamic matrix's failed item fails its child execution, which the Map Run counts.
  const itemFailed =
    matrix.failFast || matrix.kind === 'dynamic'
      ? undefined
      : mark(request.stateName('item failed'), 'record');
  if (itemFailed !== undefined) states[itemFailed] = { Type: 'Pass', Result: { f: true }, End: true };
  const inner = run({
    ...request,
    stateName: (suffix = '') => request.stateName(suffix === '' ? 'item' : `item ${suffix}`),
    successNext: itemPassed,
    failureNext: itemFailed,
    resultPath: null,
    resolver: itemResolver(request.resolver),
  });
  const selector = itemSelector(request, ctx.flow.gateOutputs.has(job.name));
  if (matrix.kind === 'dynamic') {
    if (source === undefined) throw new RangeError('unreachable: checked above');
    const names = { items: itemsName, map: mapName };
    return lowerDynamicMatrix(job, request, source, { names, selector, inner, itemStates: states, mark });
  }
  const list = `$.mx.${key}`;
  const result = matrix.failFast
    ? request.resultPath === null
      ? { ResultPath: null }
      : { ResultSelector: { r: 'success', ok: true }, ResultPath: request.resultPath }
    : {
        ResultSelector: { r: 'success', ok: true, 'failed.$': 'States.ArrayContains($[*].f, true)' },
        ResultPath: request.resultPath ?? list,
      };
  const check = matrix.failFast ? undefined : mark(request.stateName('items failed'), 'matrix');
  const map: MapState = {
    Type: 'Map',
    ItemsPath: list,
    ItemSelector: selector,
    MaxConcurrency: Math.min(matrix.maxParallel ?? INLINE_MAP_CONCURRENCY, INLINE_MAP_CONCURRENCY),
    ItemProcessor: {
      ProcessorConfig: { Mode: 'INLINE' },
      StartAt: inner.start,
      States: Object.assign(stateRecord(), inner.states, states),
    },
    ...result,
    ...(check === undefined ? transition(request.successNext) : { Next: check }),
  };
  const out = stateRecord(
    [
      itemsName,
      { Type: 'Pass', Result: matrix.items.map((item) => ({ ...item })), ResultPath: list, Next: mapName },
    ],
    [mapName, map],
  );
  if (check !== undefined) {
    const failedPath = `${request.resultPath ?? list}.failed`;
    const failTarget = request.failureNext ?? mark(request.stateName('failed'), 'record');
    if (request.failureNext === undefined) {
      out[failTarget] = {
        Type: 'Fail',
        Error: 'Waterflow.MatrixFailed',
        Cause: `an item of matrix job "${job.name}" failed`,
      };
    }
    let passed = request.successNext;
    if (passed === undefined) {
      passed = mark(request.stateName('passed'), 'record');
      out[passed] = { Type: 'Succeed' };
    }
    out[check] = {
      Type: 'Choice',
      Choices: [{ Variable: failedPath, BooleanEquals: true, Next: failTarget }],
      Default: passed,
    };
  }
  return { start: itemsName, states: out };
}
