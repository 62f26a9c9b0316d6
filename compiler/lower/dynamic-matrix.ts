import type { MapState, PayloadTemplate, State } from '../asl/types.js';
import type { Job, Workflow } from '../ir.js';
import { carried, type Fragment, type RunRequest, stateRecord, transition } from './context.js';
import { usePermission, useSubstitution } from './substitutions.js';

/** A distributed Map runs this many items at once when `maxParallel` is not given. */
export const DYNAMIC_MATRIX_CONCURRENCY = 100;
/** Step Functions runs at most 10,000 child executions of a distributed Map at once. */
export const DISTRIBUTED_MAP_CONCURRENCY = 10_000;

/** The upstream output a dynamic matrix fans out over: `${{ needs.<job>.outputs.<name> }}`. */
export interface MatrixSource {
  readonly job: string;
  readonly output: string;
}

/** The output a `fromJson` names, when it is exactly one `needs.<job>.outputs.<name>`. */
export function matrixSource(job: Job): MatrixSource | undefined {
  if (job.matrix?.kind !== 'dynamic') return undefined;
  const parts = job.matrix.from.parts.filter((part) => part.kind !== 'text' || part.text.trim() !== '');
  const [only] = parts;
  if (parts.length !== 1 || only?.kind !== 'expr' || only.expr.kind !== 'name') return undefined;
  const [root, upstream, field, output, ...rest] = only.expr.path;
  if (root !== 'needs' || field !== 'outputs' || rest.length > 0) return undefined;
  if (typeof upstream !== 'string' || typeof output !== 'string') return undefined;
  return { job: upstream, output };
}

/** Per workflow: the outputs each job must also write as JSON objects. Asked once per job. */
const jsonOutputs = new WeakMap<Workflow, ReadonlyMap<string, ReadonlyArray<string>>>();

/** The outputs of `job` that a dynamic matrix reads: its uploader writes them as JSON objects. */
export function jsonOutputsOf(workflow: Workflow, job: string): ReadonlyArray<string> {
  let byJob = jsonOutputs.get(workflow);
  if (byJob === undefined) {
    const sets = new Map<string, Set<string>>();
    for (const reader of workflow.jobs) {
      const source = matrixSource(reader);
      if (source !== undefined) sets.set(source.job, (sets.get(source.job) ?? new Set()).add(source.output));
    }
    byJob = new Map([...sets].map(([name, outputs]) => [name, [...outputs].sort()]));
    jsonOutputs.set(workflow, byJob);
  }
  return byJob.get(job) ?? [];
}

/** The S3 key of an output written as a JSON object of its own, as a `States.Format` call. */
function outputKey(source: MatrixSource): string {
  return `States.Format('runs/{}/${source.job}/outputs/${source.output}.json', $.run.id)`;
}

/** Starting, watching and counting the Map's child executions, and reading and writing S3. */
function permissions(request: RunRequest): void {
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
  usePermission(out, 'ReadJobOutputs', ['s3:GetObject'], [runs]);
  usePermission(
    out,
    'WriteMatrixResults',
    ['s3:AbortMultipartUpload', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:PutObject'],
    [runs],
  );
}

/** What the dynamic lowering needs from `lowerMatrix`: the item's states and names. */
export interface DynamicParts {
  /** `<job> items` and the Map's own name (the job's), taken in the static matrix's order. */
  readonly names: { readonly items: string; readonly map: string };
  readonly selector: PayloadTemplate;
  readonly inner: Fragment;
  /** States the item ends in (`<job> item passed`). */
  readonly itemStates: Record<string, State>;
  readonly mark: (name: string, role: 'matrix' | 'record') => string;
}

/**
 * A dynamic matrix: a distributed `Map` whose items are child executions, read by its
 * `ItemReader` from the JSON array the upstream job's uploader wrote to S3, with the items'
 * outputs written back to S3 (`ResultWriter`), so that neither the items nor their results ever
 * sit in the state. `failFast: false` tolerates every failed item (`ToleratedFailurePercentage`
 * 100); `<job> items count` then asks the Map Run how many failed, and the job fails if any did.
 */
export function lowerDynamicMatrix(
  job: Job,
  request: RunRequest,
  source: MatrixSource,
  parts: DynamicParts,
): Fragment {
  if (job.matrix?.kind !== 'dynamic') throw new RangeError(`job "${job.name}" has no dynamic matrix`);
  const { ctx, key } = request;
  const matrix = job.matrix;
  permissions(request);
  const bucket = useSubstitution(ctx.out, 'ArtifactsBucket');
  const scratch = `$.mx.${key}`;
  const itemsName = parts.names.items;
  const mapName = parts.names.map;
  const count = matrix.failFast ? undefined : parts.mark(request.stateName('items count'), 'matrix');
  const check = matrix.failFast ? undefined : parts.mark(request.stateName('items failed'), 'matrix');
  const result: { ResultPath: string | null; ResultSelector?: PayloadTemplate } = matrix.failFast
    ? request.resultPath === null
      ? { ResultPath: null }
      : { ResultSelector: { r: 'success', ok: true }, ResultPath: request.resultPath }
    : { ResultPath: `${scratch}.run` };
  const map: MapState = {
    Type: 'Map',
    ItemReader: {
      Resource: 'arn:aws:states:::s3:getObject',
      ReaderConfig: { InputType: 'JSON' },
      Parameters: { Bucket: bucket, 'Key.$': `${scratch}.items` },
    },
    ItemSelector: parts.selector,
    MaxConcurrency: Math.min(matrix.maxParallel ?? DYNAMIC_MATRIX_CONCURRENCY, DISTRIBUTED_MAP_CONCURRENCY),
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
    // An unreadable item list (not a JSON array) fails the Map: the job failed, as an item would.
    ...(request.failureNext === undefined
      ? {}
      : { Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.err', Next: request.failureNext }] }),
    ...(count === undefined ? transition(request.successNext) : { Next: count }),
  };
  const out = stateRecord(
    [
      itemsName,
      {
        Type: 'Pass',
        Parameters: {
          'items.$': outputKey(source),
          'results.$': `States.Format('runs/{}/${job.name}/items', $.run.id)`,
        },
        ResultPath: scratch,
        Next: mapName,
      },
    ],
    [mapName, map],
  );
  if (count !== undefined && check !== undefined) {
    Object.assign(out, failedItemsCheck(request, parts, { job: job.name, count, check, scratch }));
  }
  return { start: itemsName, states: out };
}

/** `<job> items count` (the Map Run's item counts) and `<job> items failed` (a Choice on them). */
function failedItemsCheck(
  request: RunRequest,
  parts: DynamicParts,
  names: { job: string; count: string; check: string; scratch: string },
): Record<string, State> {
  const counted = request.resultPath ?? names.scratch;
  const out = stateRecord([
    names.count,
    {
      Type: 'Task',
      Resource: 'arn:aws:states:::aws-sdk:sfn:describeMapRun',
      Parameters: { 'MapRunArn.$': `${names.scratch}.run.MapRunArn` },
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
  const failTarget = request.failureNext ?? parts.mark(request.stateName('failed'), 'record');
  if (request.failureNext === undefined) {
    out[failTarget] = {
      Type: 'Fail',
      Error: 'Waterflow.MatrixFailed',
      Cause: `an item of matrix job "${names.job}" failed`,
    };
  }
  let passed = request.successNext;
  if (passed === undefined) {
    passed = parts.mark(request.stateName('passed'), 'record');
    out[passed] = { Type: 'Succeed' };
  }
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

/** The carried fields and the item, as each item (child execution) gets them. */
export function itemSelector(request: RunRequest, gated: boolean): PayloadTemplate {
  return {
    ...carried(request.ctx, '$'),
    'jobs.$': '$.jobs',
    ...(gated ? { 'gates.$': '$.gates' } : {}),
    'matrix.$': '$$.Map.Item.Value',
  };
}
