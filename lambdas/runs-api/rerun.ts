import { createHash } from 'node:crypto';
import { CopyObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { DeleteStateMachineCommand, ListExecutionsCommand } from '@aws-sdk/client-sfn';
import type { JsonValue } from '../../compiler/asl/types.js';
import { compileWorkflow } from '../../compiler/compile/compile.js';
import type { Job, Workflow } from '../../compiler/ir.js';
import { type ReusedResult, reusedResult } from '../../compiler/lower/reuse.js';
import { validateWorkflow } from '../../compiler/validate-workflow.js';
import { type KeyedEvent, recordRunEvents } from '../../runtime/run-log.js';
import { type JobRecord, type RunRecord, readRun, runPk } from '../../runtime/run-record.js';
import { uploadedOutputs } from '../shared/job-outputs.js';
import { deployStateMachines, registerTaskDefinitions, renderDefinitions } from '../submit/deploy.js';
import {
  executionArn,
  MAX_MACHINE_NAME,
  type Platform,
  rerunMachine,
  stateMachineArn,
} from '../submit/platform.js';
import type { StartDeps, StartOutcome } from '../submit/start.js';
import { runIdFor, startWorkflowRun } from '../submit/submit.js';
import { type DeployedWorkflow, readDefinition } from '../submit/workflows.js';

/**
 * A rerun in AWS (docs/cloud.md, "runs-api"): the workflow compiled again with the jobs that
 * succeeded in the earlier run as `Pass` states (the compiler's `reuse` option), deployed as a
 * machine of its own, `<workflow>--rerun-<hash of the reused results>`, and started with the run
 * id as execution name, so that the recorder keys its events by run as for any run.
 */

export interface RerunDeps extends StartDeps {
  /** Where jobs upload their outputs (`runs/<runId>/<job>/outputs.json`). */
  readonly s3: S3Client;
  readonly bucket: string;
  /** The platform the workflow's machines are rendered for, as the submit handler has it. */
  readonly machines: () => Platform;
}

export interface RerunRequest {
  readonly workflow: DeployedWorkflow;
  readonly earlier: RunRecord;
  /** Run this job and every job downstream of it again. */
  readonly from: string | undefined;
  readonly params: ReadonlyMap<string, JsonValue>;
  /** What makes the run id. */
  readonly key: string;
}

export type RerunOutcome = StartOutcome & {
  /** The state machine started: the workflow's own, or its rerun machine. */
  readonly machine: string;
  readonly reused: ReadonlyArray<string>;
};

/** Reruns `earlier`: its succeeded jobs become `Pass` states of a rerun machine, the others run. */
export async function startRerun(deps: RerunDeps, request: RerunRequest): Promise<RerunOutcome> {
  const { workflow, earlier } = request;
  const start = { workflow: workflow.name, params: request.params, key: request.key };
  const definition = await readDefinition(deps.store, workflow.name);
  // Deployed before definitions were kept: nothing to compile a rerun machine from.
  const ir =
    definition === undefined ? undefined : validateWorkflow(definition.text, definition.file).workflow;
  const reuse =
    ir === undefined ? new Map<string, ReusedResult>() : await reusedResults(deps, ir, earlier, request.from);
  const machine = rerunMachineName(workflow.name, reuse);
  // A split workflow's parts are named after the rerun machine (`<machine>--part-<n>`).
  const compiled =
    definition === undefined || reuse.size === 0
      ? undefined
      : compileWorkflow(definition.text, definition.file, { reuse, machine }).output;
  // A name past Step Functions' limit cannot be created: every job runs again instead.
  const names = [machine, ...(compiled?.children ?? []).map((child) => child.name)];
  if (compiled === undefined || names.some((name) => name.length > MAX_MACHINE_NAME)) {
    const outcome = await startWorkflowRun(deps, { ...start, rerun: { of: earlier.runId, reuse: {} } });
    return { ...outcome, machine: workflow.name, reused: [] };
  }
  const platform = deps.machines();
  const { arns } = await registerTaskDefinitions({ store: deps.store, platform }, compiled);
  const definitions = renderDefinitions(compiled, platform, arns, machine);
  await deployStateMachines({ sfn: deps.sfn, platform }, machine, definitions, workflow.name);
  const runId = runIdFor(workflow.name, request.key);
  if (ir !== undefined) await copyReusedArtifacts(deps, ir, earlier, reuse, runId);
  // Cancel and retry find the execution by it: its ARN names the machine. Deleting the run
  // removes the machine and its parts when no other execution used them (`retireRerunMachine`).
  const parts = compiled.children.map((child) => child.name);
  await deps.store.putAll([{ key: { pk: runPk(runId), sk: MACHINE_SK }, item: { machine, parts } }]);
  const outcome = await startWorkflowRun(deps, {
    ...start,
    rerun: {
      of: earlier.runId,
      reuse: Object.fromEntries([...reuse].map(([job, r]) => [job, reusedResult(r)])),
    },
    machine,
  });
  if (outcome.status === 'started' && ir !== undefined) {
    const at = new Date(deps.clock()).toISOString();
    await recordRunEvents(deps.store, outcome.runId, reusedEvents(ir, earlier, reuse, at));
  }
  return { ...outcome, machine, reused: [...reuse.keys()] };
}

const MACHINE_SK = 'machine';

/** The ARN of a run's execution, on its rerun machine if it has one. */
export async function runExecutionArn(
  deps: Pick<StartDeps, 'store' | 'platform'>,
  run: RunRecord,
): Promise<string> {
  const item = await deps.store.get({ pk: runPk(run.runId), sk: MACHINE_SK });
  const machine = typeof item?.machine === 'string' ? item.machine : run.workflow;
  return executionArn(deps.platform, machine, run.runId);
}

/**
 * When a rerun run is deleted, its rerun machine (and the machine's parts) goes too, unless
 * another execution ran on it: an identical rerun shares the machine, and its retry
 * (`RedriveExecution`) or its execution still running needs it. Step Functions lists an
 * execution for 90 days after it ends. Returns the machines deleted.
 */
export async function retireRerunMachine(
  deps: Pick<StartDeps, 'store' | 'sfn' | 'platform'>,
  runId: string,
): Promise<string[]> {
  const item = await deps.store.get({ pk: runPk(runId), sk: MACHINE_SK });
  if (typeof item?.machine !== 'string') return [];
  const machine = item.machine;
  const parts = Array.isArray(item.parts) ? item.parts.filter((p): p is string => typeof p === 'string') : [];
  const listed = await deps.sfn.send(
    new ListExecutionsCommand({ stateMachineArn: stateMachineArn(deps.platform, machine), maxResults: 2 }),
  );
  const others = (listed.executions ?? []).filter((execution) => execution.name !== runId);
  if (others.length > 0 || listed.nextToken !== undefined) return [];
  // Parts first: the machine that starts them goes last, so a failure leaves it whole.
  for (const name of [...parts, machine]) {
    await deps.sfn.send(
      new DeleteStateMachineCommand({ stateMachineArn: stateMachineArn(deps.platform, name) }),
    );
  }
  return [...parts, machine];
}

/** `<workflow>--rerun-<12 hex>`: the same reused results give the same machine. */
export function rerunMachineName(workflow: string, reuse: ReadonlyMap<string, ReusedResult>): string {
  const entries = [...reuse].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return rerunMachine(workflow, createHash('sha256').update(JSON.stringify(entries)).digest('hex'));
}

/**
 * The results a rerun takes over: every job that succeeded in the earlier run (a static
 * matrix: every item), except `from` and every job downstream of it, with the outputs it
 * uploaded. A dynamic matrix runs again, as locally (docs/local.md, "Rerun").
 */
export async function reusedResults(
  deps: Pick<RerunDeps, 'store' | 's3' | 'bucket'>,
  workflow: Workflow,
  earlier: RunRecord,
  from: string | undefined,
): Promise<Map<string, ReusedResult>> {
  const again = downstream(workflow, from);
  const reuse = new Map<string, ReusedResult>();
  for (const job of workflow.jobs) {
    if (again.has(job.name)) continue;
    const records = entriesOf(job, earlier);
    if (records === undefined || !records.every((record) => record.status === 'succeeded')) continue;
    const exitCode = job.matrix === undefined ? records[0]?.exitCode : undefined;
    const outputs = job.outputs.length === 0 ? undefined : await outputsOf(deps, earlier, job.name);
    reuse.set(job.name, {
      r: 'success',
      ok: true,
      ...(exitCode === undefined ? {} : { x: exitCode }),
      ...(outputs === undefined ? {} : { o: outputs }),
    });
  }
  return reuse;
}

function downstream(workflow: Workflow, from: string | undefined): Set<string> {
  const found = new Set(from === undefined ? [] : [from]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const job of workflow.jobs) {
      if (!found.has(job.name) && job.upstream.some((u) => found.has(u))) {
        found.add(job.name);
        grew = true;
      }
    }
  }
  return found;
}

/** A job's entries in the earlier record: itself, or each item of a static matrix. */
function entriesOf(job: Job, earlier: RunRecord): JobRecord[] | undefined {
  if (job.matrix === undefined) {
    const record = earlier.jobs[job.name];
    return record === undefined ? undefined : [record];
  }
  if (job.matrix.kind !== 'static') return undefined;
  const prefix = `${job.name} (`;
  const items = Object.entries(earlier.jobs).filter(([name]) => name.startsWith(prefix));
  return items.length === job.matrix.items.length ? items.map(([, record]) => record) : undefined;
}

/** The run that ran `job`: `earlier`, or the run its reused entry came from, and so on. */
async function ranIn(deps: Pick<RerunDeps, 'store'>, earlier: RunRecord, job: string): Promise<string> {
  let ran: RunRecord | undefined = earlier;
  for (let hops = 0; ran?.jobs[job]?.reused === true && ran.rerunOf !== undefined && hops < 100; hops++) {
    ran = await readRun(deps.store, ran.rerunOf);
  }
  return ran?.runId ?? earlier.runId;
}

/** The uploaded outputs of `job`, from the run that ran it (a reused job's are its earlier run's). */
async function outputsOf(
  deps: Pick<RerunDeps, 'store' | 's3' | 'bucket'>,
  earlier: RunRecord,
  job: string,
): Promise<{ [name: string]: string }> {
  return uploadedOutputs(deps.s3, deps.bucket, await ranIn(deps, earlier, job), job);
}

/**
 * Copies, before the run starts, each artifact a job that runs again takes (`artifactsFrom`)
 * from a reused job: from the run that made it to the new run's prefix, where the job's init
 * container looks (`runs/<runId>/<job>/artifacts/<name>/`), as the local rerun copies its files.
 * Copying again is harmless, so a redelivered request may do it twice. S3 copies objects of up
 * to 5 GB in one request; a larger one fails the rerun with S3's error.
 */
async function copyReusedArtifacts(
  deps: Pick<RerunDeps, 'store' | 's3' | 'bucket'>,
  workflow: Workflow,
  earlier: RunRecord,
  reuse: ReadonlyMap<string, ReusedResult>,
  runId: string,
): Promise<void> {
  const wanted = new Map<string, Set<string>>();
  for (const job of workflow.jobs) {
    if (reuse.has(job.name)) continue;
    for (const from of job.artifactsFrom) {
      if (!reuse.has(from.job)) continue;
      const names = wanted.get(from.job) ?? new Set<string>();
      for (const name of from.artifacts) names.add(name);
      wanted.set(from.job, names);
    }
  }
  for (const [producer, names] of wanted) {
    const source = await ranIn(deps, earlier, producer);
    for (const name of names) {
      const prefix = `runs/${source}/${producer}/artifacts/${name}/`;
      let token: string | undefined;
      do {
        const page = await deps.s3.send(
          new ListObjectsV2Command({ Bucket: deps.bucket, Prefix: prefix, ContinuationToken: token }),
        );
        for (const object of page.Contents ?? []) {
          if (object.Key === undefined) continue;
          await deps.s3.send(
            new CopyObjectCommand({
              Bucket: deps.bucket,
              // The source is `bucket/key`, URL-encoded: a file name may hold spaces or `+`.
              CopySource: `${deps.bucket}/${object.Key.split('/').map(encodeURIComponent).join('/')}`,
              Key: `runs/${runId}/${producer}/artifacts/${name}/${object.Key.slice(prefix.length)}`,
            }),
          );
        }
        token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
      } while (token !== undefined);
    }
  }
}

/** The record's `job-ended` of each reused entry: no task runs for the recorder to see. */
function reusedEvents(
  workflow: Workflow,
  earlier: RunRecord,
  reuse: ReadonlyMap<string, ReusedResult>,
  at: string,
): KeyedEvent[] {
  const entries = workflow.jobs
    .filter((job) => reuse.has(job.name))
    .flatMap((job) => entryNames(job, earlier));
  return entries.map((entry) => {
    const exitCode = earlier.jobs[entry]?.exitCode;
    return {
      id: `reused:${entry}`,
      kind: 'job-ended',
      at,
      job: entry,
      status: 'succeeded',
      ...(exitCode === undefined ? {} : { exitCode }),
      reason: `reused from run ${earlier.runId}`,
      reused: true,
    };
  });
}

function entryNames(job: Job, earlier: RunRecord): string[] {
  if (job.matrix === undefined) return [job.name];
  const prefix = `${job.name} (`;
  return Object.keys(earlier.jobs).filter((name) => name.startsWith(prefix));
}
