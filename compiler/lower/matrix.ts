import type { MapState, StateGraph } from '../asl/types.js';
import { estimatedPayload, inlineItemEvents, itemsBytes, LIMITS } from '../compile/stats.js';
import type { Job, JsonValue } from '../ir.js';
import { type Fragment, type LowerContext, type RunRequest, stateRecord, transition } from './context.js';
import { itemSelector, lowerDistributedMatrix, matrixOutcomes } from './distributed-matrix.js';
import { lowerDynamicMatrix, matrixSource } from './dynamic-matrix.js';
import type { ExprResolver } from './expressions.js';
import { fieldPath } from './names.js';

/** An inline Map runs at most 40 items at once. */
export const INLINE_MAP_CONCURRENCY = 40;

/**
 * The history events a static matrix may add to its execution as an inline Map (items times
 * one item's events); beyond, it is a distributed Map. A fifth of the 25,000-event quota, so
 * that a few large matrices still leave the machine under the split thresholds (compile.ts).
 */
export const INLINE_MATRIX_HISTORY_BUDGET = 5_000;

/** Whether a static matrix runs as a distributed Map: above 40 at once, or too much history. */
export function isDistributedMatrix(
  matrix: { readonly maxParallel?: number },
  items: number,
  itemEvents: number,
): boolean {
  return (
    (matrix.maxParallel ?? 0) > INLINE_MAP_CONCURRENCY || items * itemEvents > INLINE_MATRIX_HISTORY_BUDGET
  );
}

function itemResolver(outer: ExprResolver): ExprResolver {
  return {
    get upstream() {
      return outer.upstream;
    },
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
  const names = { items: itemsName, map: mapName };
  if (matrix.kind === 'dynamic') {
    if (source === undefined) throw new RangeError('unreachable: checked above');
    return lowerDynamicMatrix(job, request, source, { names, selector, inner, itemStates: states, mark });
  }
  checkItemsPayload(ctx, job, matrix.items);
  const item: StateGraph = { StartAt: inner.start, States: { ...inner.states, ...states } };
  if (isDistributedMatrix(matrix, matrix.items.length, inlineItemEvents(item, ctx.out.stateMap))) {
    // A failed item fails its child execution with its own error, which the Map Run counts.
    if (itemFailed !== undefined)
      states[itemFailed] = { Type: 'Fail', ErrorPath: '$.err.Error', CausePath: '$.err.Cause' };
    const items = { kind: 'state', items: matrix.items.map((i) => ({ ...i })) } as const;
    return lowerDistributedMatrix(job, request, items, { names, selector, inner, itemStates: states, mark });
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
    // At most 40 here: above, the matrix is a distributed Map.
    MaxConcurrency: matrix.maxParallel ?? INLINE_MAP_CONCURRENCY,
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
    const { failTarget, passed } = matrixOutcomes(request, job.name, mark, out);
    out[check] = {
      Type: 'Choice',
      Choices: [{ Variable: failedPath, BooleanEquals: true, Next: failTarget }],
      Default: passed,
    };
  }
  return { start: itemsName, states: out };
}

/**
 * A static matrix's items sit in the state (`$.mx.<job>`) while its Map runs: past Step
 * Functions' 256 KB payload limit with them, the run would fail (`States.DataLimitExceeded`).
 */
function checkItemsPayload(ctx: LowerContext, job: Job, items: ReadonlyArray<JsonValue>): void {
  const bytes = itemsBytes(items);
  const total = bytes + estimatedPayload(ctx.flow.recorded.size);
  if (total <= LIMITS.payloadBytes) return;
  const kb = (n: number) => `${Math.ceil(n / 1024)} KB`;
  const report =
    bytes > LIMITS.payloadBytes ? ctx.sink.error.bind(ctx.sink) : ctx.sink.warning.bind(ctx.sink);
  report(
    'WF4001',
    [...job.path, 'matrix'],
    `job "${job.name}": the matrix's ${items.length} items take ${kb(bytes)} in the state (about ${kb(total)} with the rest of it); Step Functions allows 256 KB per state`,
    {
      hint: 'use fewer or shorter values, or fromJson with an upstream output, whose items are read from S3',
    },
  );
}
