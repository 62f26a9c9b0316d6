import { createHash } from 'node:crypto';
import type { JsonValue } from '../../compiler/asl/types.js';
import { compileWorkflow } from '../../compiler/compile/compile.js';
import type { CompileOutput } from '../../compiler/compile/output.js';
import type { Workflow } from '../../compiler/ir.js';
import { resolveParams } from '../../runtime/params.js';
import {
  type DeployDeps,
  deployStateMachines,
  registerTaskDefinitions,
  renderDefinitions,
  upsertSchedules,
} from './deploy.js';
import { type StartDeps, type StartOutcome, startRun } from './start.js';
import {
  type DeployedWorkflow,
  type RejectedUpload,
  readWorkflow,
  recordRejectedUpload,
  type UploadSource,
  writeDefinition,
  writeWorkflow,
} from './workflows.js';

/**
 * The submit path (DESIGN §4): validate and compile a definition, deploy it, start a run. A
 * definition that does not compile is a recorded rejection, never an error: the caller (a queue)
 * must not retry it. Errors that are thrown are ours or AWS's, and worth a retry.
 */

export interface SubmitDeps extends DeployDeps, Omit<StartDeps, 'platform'> {}

export interface Upload {
  readonly text: string;
  /** The file name diagnostics show (the object key). */
  readonly file: string;
  readonly source: UploadSource;
  /** Identifies this upload: the run id and the rejection record derive from it. */
  readonly id: string;
  /** When it was uploaded (the S3 event time): the rejection's time. */
  readonly at: string;
  /** Start a run with the default params once deployed. @default true */
  readonly start?: boolean;
}

export type SubmitOutcome =
  | { readonly status: 'rejected'; readonly rejected: RejectedUpload }
  | {
      readonly status: 'deployed';
      readonly workflow: DeployedWorkflow;
      readonly taskDefinitionsRegistered: number;
      /** The run started, or why none was (a param without a default). */
      readonly run: StartOutcome | { readonly status: 'not-started'; readonly reason: string };
    };

/** Compiles, deploys and (by default) starts a run of an uploaded definition. */
export async function submitDefinition(deps: SubmitDeps, upload: Upload): Promise<SubmitOutcome> {
  const compiled = compileWorkflow(upload.text, upload.file);
  const { output, workflow } = compiled;
  if (
    output === undefined ||
    workflow === undefined ||
    compiled.diagnostics.some((d) => d.severity === 'error')
  ) {
    const errors = compiled.diagnostics.filter((d) => d.severity === 'error');
    const rejected = await recordRejectedUpload(deps.store, upload.id, upload.source, upload.at, errors);
    return { status: 'rejected', rejected };
  }
  const { deployed, registered } = await deploy(deps, workflow, output, upload);
  if (upload.start === false) {
    return {
      status: 'deployed',
      workflow: deployed,
      taskDefinitionsRegistered: registered,
      run: { status: 'not-started', reason: 'deployed only (start=false)' },
    };
  }
  const params = resolveParams(workflow.params, new Map());
  const run = params.ok
    ? await startRun(deps, {
        workflow: deployed,
        runId: runIdFor(workflow.name, upload.id),
        params: params.params,
      })
    : { status: 'not-started' as const, reason: `no run started: ${params.errors.join('; ')}` };
  return { status: 'deployed', workflow: deployed, taskDefinitionsRegistered: registered, run };
}

async function deploy(
  deps: SubmitDeps,
  workflow: Workflow,
  output: CompileOutput,
  upload: Pick<Upload, 'text' | 'file' | 'source'>,
): Promise<{ deployed: DeployedWorkflow; registered: number }> {
  const { arns, registered } = await registerTaskDefinitions(deps, output);
  const definitions = renderDefinitions(output, deps.platform, arns, workflow.name);
  const deployHash = createHash('sha256')
    .update(JSON.stringify({ definitions, schedules: output.schedules, platform: deps.platform }))
    .digest('hex');
  const existing = await readWorkflow(deps.store, workflow.name);
  const unchanged = existing?.deployHash === deployHash;
  const stateMachineArn = unchanged
    ? existing.stateMachineArn
    : await deployStateMachines(deps, workflow.name, definitions);
  const schedules = unchanged ? existing.schedules : await upsertSchedules(deps, workflow, output);
  const deployed: DeployedWorkflow = {
    name: workflow.name,
    stateMachineArn,
    policy: workflow.concurrency.policy,
    params: workflow.params,
    jobs: workflow.jobs.map((job) => job.name),
    upstream: Object.fromEntries(workflow.jobs.map((job) => [job.name, job.upstream])),
    releasedOnSuccess: [
      ...new Set(
        Object.values(output.stateMap).flatMap((info) =>
          info.releasedOnSuccess === true && info.job !== undefined ? [info.job] : [],
        ),
      ),
    ],
    ...(workflow.ttlAfterFinishedSeconds === undefined
      ? {}
      : { ttlAfterFinishedSeconds: workflow.ttlAfterFinishedSeconds }),
    deployHash,
    schedules,
    source: upload.source,
    deployedAt: new Date(deps.clock()).toISOString(),
  };
  // Before the workflow record: a rerun that finds the workflow finds the text it came from.
  await writeDefinition(deps.store, workflow.name, { text: upload.text, file: upload.file, deployHash });
  await writeWorkflow(deps.store, deployed);
  return { deployed, registered };
}

/** A workflow that is not deployed; `code` is stable. */
export class WorkflowNotFoundError extends Error {
  readonly code: 'WorkflowNotFound';

  constructor(name: string) {
    super(`no workflow "${name}" is deployed; upload its definition first (POST /workflows)`);
    this.name = 'Waterflow.WorkflowNotFound';
    this.code = 'WorkflowNotFound';
  }
}

/** Params that do not fit the workflow's declaration; each error names its param. */
export class InvalidParamsError extends Error {
  readonly code: 'InvalidParams';
  readonly errors: ReadonlyArray<string>;

  constructor(workflow: string, errors: ReadonlyArray<string>) {
    super(`workflow ${workflow}: ${errors.join('; ')}`);
    this.name = 'Waterflow.InvalidParams';
    this.code = 'InvalidParams';
    this.errors = errors;
  }
}

export interface RunRequest {
  readonly workflow: string;
  readonly params: ReadonlyMap<string, JsonValue>;
  /** What makes the run id: an idempotency key, a schedule's fire time, a request id. */
  readonly key: string;
  readonly rerun?: { readonly of: string; readonly reuse: { readonly [job: string]: JsonValue } };
  /** The state machine to start instead of the workflow's own (a rerun's). */
  readonly machine?: string;
}

/** Starts a run of a deployed workflow with `params` (defaults applied, types checked). */
export async function startWorkflowRun(deps: StartDeps, request: RunRequest): Promise<StartOutcome> {
  const workflow = await readWorkflow(deps.store, request.workflow);
  if (workflow === undefined) throw new WorkflowNotFoundError(request.workflow);
  const params = resolveParams(workflow.params, request.params);
  if (!params.ok) throw new InvalidParamsError(workflow.name, params.errors);
  return startRun(deps, {
    workflow,
    runId: runIdFor(workflow.name, request.key),
    params: params.params,
    ...(request.rerun === undefined ? {} : { rerun: request.rerun }),
    ...(request.machine === undefined ? {} : { machine: request.machine }),
  });
}

/**
 * The run id (and execution name) for what started it: `<workflow>-<16 hex>`, at most 80
 * characters of those Step Functions allows, the same for the same key.
 */
export function runIdFor(workflow: string, key: string): string {
  return `${workflow}-${createHash('sha256').update(`${workflow}\n${key}`).digest('hex').slice(0, 16)}`;
}
