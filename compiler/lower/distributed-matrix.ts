import type { JsonValue, MapState, PayloadTemplate, State } from '../asl/types.js';
import type { Job } from '../ir.js';
import { carried, type Fragment, type RunRequest, stateRecord, transition } from './context.js';
import { usePermission, useSubstitution } from './substitutions.js';

/** A distributed Map runs this many items at once when `maxParallel` is not given. */
export const DISTRIBUTED_MATRIX_CONCURRENCY = 100;
/** Step Functions runs at most 10,000 child executions of a distributed Map at once. */
export const DISTRIBUTED_MAP_CONCURRENCY = 10_000;

/** What `lowerMatrix` built before choosing a distributed Map: the item's states and names. */
export interface DistributedParts {
  /** `<job> items` and the Map's own name (the job's), taken in the inline matrix's order. */
  readonly names: { readonly items: string; readonly map: string };
  readonly selector: PayloadTemplate;
  readonly inner: Fragment;
  /** States the item ends in (`<job> item passed`, and `<job> item failed` for a static matrix). */
  readonly itemStates: Record<string, State>;
  readonly mark: (name: string, role: 'matrix' | 'record') => string;
}

/**
 * Where the Map's items come from: an `ItemReader` on an S3 key (a `States.Format` call, for a
 * dynamic matrix), or the state itself (a static matrix's items, through `ItemsPath`).
 */
export type ItemSource =
  | { readonly kind: 'reader'; readonly key: string }
  | { readonly kind: 'state'; readonly items: ReadonlyArray<JsonValue> };

/**
 * A matrix as a distributed `Map` whose items are child executions, with the items' outputs
 * written to S3 (`ResultWriter`) so that their results never sit in the state.
 * `<job> items` (a Pass) puts `{ items, results }` in `$.mx.<job>`: the items (or the S3 key
 * they are read from) and the results' prefix. `failFast: false` tolerates every failed item
 * (`ToleratedFailurePercentage` 100); `<job> items count` then asks the Map Run how many failed,
 * and the job fails if any did.
 */
export function lowerDistributedMatrix(
  job: Job,
  request: RunRequest,
  source: ItemSource,
  parts: DistributedParts,
): Fragment {
  const matrix = job.matrix;
  if (matrix === undefined) throw new RangeError(`job "${job.name}" has no matrix`);
  const { ctx, key } = request;
  distributedMapPermissions(request, source.kind === 'reader');
  const bucket = useSubstitution(ctx.out, 'ArtifactsBucket');
  const scratch = `$.mx.${key}`;
  // Static items would stay in the state after the Map: its Map Run takes their place.
  const runPath = source.kind === 'state' ? scratch : `${scratch}.run`;
  const count = matrix.failFast ? undefined : parts.mark(request.stateName('items count'), 'matrix');
  const check = matrix.failFast ? undefined : parts.mark(request.stateName('items failed'), 'matrix');
  const result: { ResultPath: string | null; ResultSelector?: PayloadTemplate } = !matrix.failFast
    ? { ResultPath: runPath }
    : request.resultPath !== null
      ? { ResultSelector: { r: 'success', ok: true }, ResultPath: request.resultPath }
      : { ResultPath: source.kind === 'state' ? runPath : null };
  const items: Pick<MapState, 'ItemReader' | 'ItemsPath'> =
    source.kind === 'reader'
      ? {
          ItemReader: {
            Resource: 'arn:aws:states:::s3:getObject',
            ReaderConfig: { InputType: 'JSON' },
            Parameters: { Bucket: bucket, 'Key.$': `${scratch}.items` },
          },
        }
      : { ItemsPath: `${scratch}.items` };
  const map: MapState = {
    Type: 'Map',
    ...items,
    ItemSelector: parts.selector,
    MaxConcurrency: Math.min(
      matrix.maxParallel ?? DISTRIBUTED_MATRIX_CONCURRENCY,
      DISTRIBUTED_MAP_CONCURRENCY,
    ),
    ...(matrix.failFast ? {} : { ToleratedFailurePercentage: 100 }),
    ItemProcessor: {
      ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
      StartAt: parts.inner.start,
      States: Object.assign(stateRecord(), parts.inner.states, parts.itemStates),
    },
    ResultWriter: {
      Resource: 'arn:aws:states:::s3:putObject',
      Parameters: { Bucket: bucket, 'Prefix.$': `${scratch}.results` },
    },
    ...result,
    // A failed Map (too many failed items, an unreadable item list) is the job's failure.
    ...(request.failureNext === undefined
      ? {}
      : { Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.err', Next: request.failureNext }] }),
    ...(count === undefined ? transition(request.successNext) : { Next: count }),
  };
  const out = stateRecord(
    [
      parts.names.items,
      {
        Type: 'Pass',
        Parameters: {
          ...(source.kind === 'reader' ? { 'items.$': source.key } : { items: [...source.items] }),
          'results.$': `States.Format('runs/{}/${job.name}/items', $.run.id)`,
        },
        ResultPath: scratch,
        Next: parts.names.map,
      },
    ],
    [parts.names.map, map],
  );
  if (count !== undefined && check !== undefined) {
    Object.assign(out, failedItemsCheck(request, parts, { job: job.name, count, check, scratch, runPath }));
  }
  return { start: parts.names.items, states: out };
}

/**
 * Starting, watching and counting the Map's child executions, and writing their results to S3
 * (`ResultWriter`); with `readsItems`, reading the items from S3 too (`ItemReader`).
 */
function distributedMapPermissions(request: RunRequest, readsItems: boolean): void {
  const { out, workflow } = request.ctx;
  const p = (name: string) => useSubstitution(out, name);
  const machines = [workflow.name, `${workflow.name}--part-*`];
  // A distributed Map starts its items as executions of the machine it is in (a part, if split).
  usePermission(
    out,
    'StartMatrixItems',
    ['states:StartExecution'],
    machines.map((m) => `${p('StateMachineArnPrefix')}${m}`),
  );
  usePermission(
    out,
    'WatchMatrixItems',
    ['states:DescribeExecution', 'states:StopExecution'],
    machines.map((m) => `${p('ExecutionArnPrefix')}${m}/*`),
  );
  usePermission(
    out,
    'CountMatrixItems',
    ['states:DescribeMapRun'],
    machines.map(
      (m) => `arn:${p('AwsPartition')}:states:${p('AwsRegion')}:${p('AwsAccountId')}:mapRun:${m}/*`,
    ),
  );
  const runs = `${p('ArtifactsBucketArn')}/runs/*`;
  if (readsItems) usePermission(out, 'ReadJobOutputs', ['s3:GetObject'], [runs]);
  usePermission(
    out,
    'WriteMatrixResults',
    ['s3:AbortMultipartUpload', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:PutObject'],
    [runs],
  );
}

/** `<job> items count` (the Map Run's item counts) and `<job> items failed` (a Choice on them). */
function failedItemsCheck(
  request: RunRequest,
  parts: DistributedParts,
  names: { job: string; count: string; check: string; scratch: string; runPath: string },
): Record<string, State> {
  const counted = request.resultPath ?? names.scratch;
  const out = stateRecord([
    names.count,
    {
      Type: 'Task',
      Resource: 'arn:aws:states:::aws-sdk:sfn:describeMapRun',
      Parameters: { 'MapRunArn.$': `${names.runPath}.MapRunArn` },
      ResultSelector: {
        r: 'success',
        ok: true,
        'failed.$': '$.ItemCounts.Failed',
        'timedOut.$': '$.ItemCounts.TimedOut',
      },
      ResultPath: counted,
      Next: names.check,
    },
  ]);
  const { failTarget, passed } = matrixOutcomes(request, names.job, parts.mark, out);
  out[names.check] = {
    Type: 'Choice',
    Choices: [
      {
        Or: [
          { Variable: `${counted}.failed`, NumericGreaterThan: 0 },
          { Variable: `${counted}.timedOut`, NumericGreaterThan: 0 },
        ],
        Next: failTarget,
      },
    ],
    Default: passed,
  };
  return out;
}

/** The carried fields and the item, as each item (an inline iteration or a child execution) gets them. */
export function itemSelector(request: RunRequest, gated: boolean): PayloadTemplate {
  return carried(request.ctx, '$', {
    'jobs.$': '$.jobs',
    ...(gated ? { 'gates.$': '$.gates' } : {}),
    'matrix.$': '$$.Map.Item.Value',
  });
}

/**
 * Where a matrix's items-failed check goes, inline or distributed: the job's failure path, or
 * a `Fail` of its own; its success path, or a `Succeed` ending the branch. Adds those to `out`.
 */
export function matrixOutcomes(
  request: RunRequest,
  job: string,
  mark: (name: string, role: 'matrix' | 'record') => string,
  out: Record<string, State>,
): { readonly failTarget: string; readonly passed: string } {
  const failTarget = request.failureNext ?? mark(request.stateName('failed'), 'record');
  if (request.failureNext === undefined) {
    out[failTarget] = {
      Type: 'Fail',
      Error: 'Waterflow.MatrixFailed',
      Cause: `an item of matrix job "${job}" failed`,
    };
  }
  let passed = request.successNext;
  if (passed === undefined) {
    passed = mark(request.stateName('passed'), 'matrix');
    out[passed] = { Type: 'Succeed' };
  }
  return { failTarget, passed };
}
