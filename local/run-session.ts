import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { JsonValue } from '../compiler/asl/types.js';
import { compileWorkflow } from '../compiler/compile/compile.js';
import { type Diagnostic, formatDiagnostic } from '../compiler/index.js';
import type { Job, Workflow } from '../compiler/ir.js';
import { resolveParams } from '../runtime/params.js';
import {
  type JobRecord,
  type RunEvent,
  type RunOwner,
  type RunRecord,
  readRun,
} from '../runtime/run-record.js';
import { startLocalApprovals } from './approvals.js';
import { type LocalDb, openLocalDb } from './db.js';
import {
  jobDirName,
  LocalEngine,
  type NestedOutcome,
  type NestedRequest,
  type ReusedJob,
  runEntries,
} from './engine/engine.js';
import { MissingSecretsError, resolveSecrets } from './engine/secrets.js';
import { createLiveView } from './live-view.js';
import { unreadableBecause } from './read-errors.js';
import { MirroredGateStore } from './run-gates.js';
import { journaledRecorder } from './run-journal.js';
import { pickRunner, type RunnerChoice } from './runners.js';

/**
 * One `waterflow run` (or `rerun`) from file to final record: compile, check params and
 * secrets, open the store, start the approval server, run the engine, record every event,
 * and close everything, also on Ctrl-C. The CLI is a thin layer over this.
 */

/** A mistake in what the user gave (the file, a param, a secret): exit 2, nothing recorded. */
export class RunInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunInputError';
  }
}

export interface LocalRunOptions {
  /** The workflow file, as the user named it. */
  readonly file: string;
  readonly params: ReadonlyMap<string, JsonValue>;
  /** `.waterflow` (runs, logs, db). */
  readonly home: string;
  readonly runner?: RunnerChoice;
  /** The approval server's port. @default a free one */
  readonly port?: number;
  /** Multiplies retry delays and waits. @default 1 */
  readonly delayScale?: number;
  /** Where the live view and job logs go. */
  readonly write: (text: string) => void;
  /** Warnings and notes (approval links), besides the view. */
  readonly warn: (text: string) => void;
  readonly tty: boolean;
  /** Ask on this terminal when an approval waits. */
  readonly prompt?: (question: string) => Promise<string>;
  /** A rerun: the run it reruns, and the job from which to run again. */
  readonly rerun?: { readonly of: RunRecord; readonly from?: string };
  readonly signal?: AbortSignal;
}

export interface LocalRunResult {
  readonly record: RunRecord;
}

export async function runLocally(options: LocalRunOptions): Promise<LocalRunResult> {
  const prepared = prepare(options);
  const db = await openLocalDb(options.home);
  try {
    return await execute(options, prepared, db);
  } finally {
    await db.close();
  }
}

interface Prepared extends Loaded {
  readonly params: { readonly [name: string]: JsonValue };
  /** Every workflow a nested job runs, here or deeper, by workflow name. */
  readonly nested: ReadonlyMap<string, Loaded>;
}

/** Everything that can be wrong with the input, found before anything runs or is recorded. */
function prepare(options: LocalRunOptions): Prepared {
  const loaded = load(options.file, options.warn);
  const { workflow } = loaded;
  const params = resolveParams(workflow.params, options.params);
  if (!params.ok) throw new RunInputError(params.errors.map((e) => `${options.file}: ${e}`).join('\n'));
  if (options.rerun?.from !== undefined && !workflow.jobs.some((job) => job.name === options.rerun?.from)) {
    throw new RunInputError(`--from "${options.rerun.from}": the workflow has no job of that name`);
  }
  const nested = new Map<string, Loaded>();
  loadNested(options.file, loaded, nested, [workflow.name], options.warn);
  return { ...loaded, params: params.params, nested };
}

/** A workflow file read, compiled and with its secrets found. */
interface Loaded {
  readonly file: string;
  readonly text: string;
  readonly workflow: Workflow;
  readonly output: NonNullable<ReturnType<typeof compileWorkflow>['output']>;
  readonly secrets: ReadonlyMap<string, string>;
}

function load(file: string, warn: (text: string) => void): Loaded {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new RunInputError(`${file}: cannot read the file: ${unreadableBecause(error)}`);
  }
  const compiled = compileWorkflow(text, file);
  const errors = compiled.diagnostics.filter((d: Diagnostic) => d.severity === 'error');
  for (const warning of compiled.diagnostics.filter((d: Diagnostic) => d.severity !== 'error')) {
    warn(`${formatDiagnostic(warning)}\n`);
  }
  const { workflow } = compiled;
  if (errors.length > 0 || compiled.output === undefined || workflow === undefined) {
    throw new RunInputError(errors.map((d) => formatDiagnostic(d)).join('\n'));
  }
  let secrets: ReadonlyMap<string, string>;
  try {
    secrets = resolveSecrets(workflow, [dirname(resolve(file)), process.cwd()]);
  } catch (error) {
    if (error instanceof MissingSecretsError) throw new RunInputError(error.message);
    throw error;
  }
  return { file, text, workflow, output: compiled.output, secrets };
}

/**
 * Finds, compiles and checks every workflow that `parent` runs as a nested job, and theirs in
 * turn, before anything runs: a missing or broken nested workflow is an input error, not a job
 * failure half-way through the run. `chain` holds the workflows on the way here, for cycles.
 */
function loadNested(
  file: string,
  parent: Loaded,
  found: Map<string, Loaded>,
  chain: ReadonlyArray<string>,
  warn: (text: string) => void,
): void {
  for (const job of parent.workflow.jobs) {
    if (job.kind !== 'workflow') continue;
    if (chain.includes(job.workflow)) {
      throw new RunInputError(
        `${file}: job "${job.name}" runs workflow "${job.workflow}", which runs itself through ${[...chain, job.workflow].join(' -> ')}`,
      );
    }
    if (found.has(job.workflow)) continue;
    const childFile = nestedWorkflowFile(dirname(file), job.workflow);
    if (childFile === undefined) {
      throw new RunInputError(
        `${file}: job "${job.name}" runs workflow "${job.workflow}", but ${dirname(file)} has no ${job.workflow}.yaml (or .yml) and no YAML file whose metadata.name is "${job.workflow}"; put the nested workflow beside this file`,
      );
    }
    const child = load(childFile, warn);
    found.set(job.workflow, child);
    loadNested(childFile, child, found, [...chain, job.workflow], warn);
  }
}

/** `<dir>/<name>.yaml` or `.yml`, else the YAML file in `dir` whose `metadata.name` is `name`. */
function nestedWorkflowFile(dir: string, name: string): string | undefined {
  for (const candidate of [`${name}.yaml`, `${name}.yml`]) {
    if (existsSync(join(dir, candidate))) return join(dir, candidate);
  }
  for (const entry of readdirSync(dir).sort()) {
    if (!/\.ya?ml$/.test(entry)) continue;
    const text = readFileSync(join(dir, entry), 'utf8');
    if (!text.includes(name)) continue;
    const { workflow } = compileWorkflow(text, join(dir, entry));
    if (workflow?.name === name) return join(dir, entry);
  }
  return undefined;
}

/** A nested run: the id its parent gives it, and the params its `with` gives it. */
interface NestedIdentity {
  readonly runId: string;
  readonly params: { readonly [name: string]: JsonValue };
}

async function execute(
  options: LocalRunOptions,
  prepared: Prepared,
  db: LocalDb,
  identity?: NestedIdentity,
): Promise<LocalRunResult> {
  const { workflow } = prepared;
  const runId = identity?.runId ?? newRunId(workflow.name);
  const params = identity?.params ?? prepared.params;
  const runDir = join(options.home, 'runs', runId);
  mkdirSync(runDir, { recursive: true });
  writeFileSync(join(runDir, 'workflow.yaml'), prepared.text);
  const recorder = journaledRecorder(db.store, runId, runDir);
  const gates = new MirroredGateStore(db.store);
  const view = createLiveView({ write: options.write, tty: options.tty });
  const runner = await pickRunner(options.runner ?? 'auto', options.warn);
  const approvals = await startLocalApprovals({
    store: db.store,
    home: options.home,
    runId,
    workflow: workflow.name,
    ...(options.port === undefined ? {} : { port: options.port }),
    ...(options.prompt === undefined ? {} : { prompt: options.prompt }),
    onLink: (job, link) =>
      view.note(`${job}: approve or reject at ${link} or with: waterflow approve ${runId} ${job}`),
  });
  const reuse =
    options.rerun === undefined
      ? undefined
      : reusable(workflow, options.rerun.of, options.rerun.from, options.home);
  const engine = new LocalEngine({
    output: prepared.output,
    workflow,
    runId,
    input: { params, run: { id: runId }, jobs: {} },
    store: gates,
    runner,
    runDir,
    approvals: approvals.desk,
    observer: {
      onEvent: (event) => {
        // Journaled as it is appended: once the file has a success, dependants may start.
        view.event(event, recorder.append(event));
        return undefined;
      },
      onLog: (job, line, stream) => view.log(job, line, stream),
    },
    secrets: prepared.secrets,
    ...(options.delayScale === undefined ? {} : { delayScale: options.delayScale }),
    ...(reuse === undefined ? {} : { reuse }),
    nested: (request) => runNested(options, prepared, db, request),
  });
  approvals.connect(engine);
  const owner: RunOwner = { pid: process.pid, host: hostname() };
  const startEvent: RunEvent = {
    kind: 'run-started',
    at: new Date().toISOString(),
    workflow: workflow.name,
    params,
    jobs: workflow.jobs.flatMap((job) => runEntries(job)),
    file: options.file,
    owner,
    ...(options.rerun === undefined ? {} : { rerunOf: options.rerun.of.runId }),
  };
  view.event(startEvent, recorder.append(startEvent));
  // Recorded before any job starts: a run that dies from here on shows as interrupted.
  await recorder.flush();
  const onAbort = () => engine.cancel();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const result = await engine.run();
    await gates.flush();
    const reason =
      result.status === 'failed'
        ? failureReason(recorder.record, actionEntries(prepared), result.error, result.cause)
        : undefined;
    const endEvent: RunEvent = {
      kind: 'run-ended',
      at: new Date().toISOString(),
      status: result.status,
      ...(reason === undefined ? {} : { reason }),
    };
    const ended = recorder.append(endEvent);
    view.event(endEvent, ended);
    await recorder.flush();
    view.close(ended);
    const record = ended ?? (await readRun(db.store, runId));
    if (record === undefined) throw new Error(`run ${runId} has no record`);
    return { record };
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    await approvals.close();
  }
}

/**
 * A nested workflow job's run: a run of its own, as a child execution is in AWS, recorded under
 * the id the parent's state machine gives it, with its output lines prefixed by the job's name.
 * Params that its `with` gets wrong fail the job, with the reason, as the start would in AWS.
 */
async function runNested(
  options: LocalRunOptions,
  parent: Prepared,
  db: LocalDb,
  request: NestedRequest,
): Promise<NestedOutcome> {
  const loaded = parent.nested.get(request.workflow);
  const input = isJsonObject(request.input) ? request.input : {};
  const run = isJsonObject(input.run) ? input.run : {};
  const runId = typeof run.id === 'string' ? run.id : newRunId(request.workflow);
  if (loaded === undefined) {
    return {
      runId,
      status: 'failed',
      error: 'Waterflow.LocalRuntime',
      reason: `no workflow "${request.workflow}"`,
    };
  }
  const given = isJsonObject(input.params) ? input.params : {};
  const params = resolveParams(loaded.workflow.params, new Map(Object.entries(given)));
  if (!params.ok) {
    return { runId, status: 'failed', error: 'Waterflow.InvalidParams', reason: params.errors.join('; ') };
  }
  const prefix = `[${request.job}] `;
  // The child shares the parent's store, runner and home; its own approvals server, no rerun.
  const { rerun: _rerun, port: _port, ...shared } = options;
  const childOptions: LocalRunOptions = {
    ...shared,
    file: loaded.file,
    params: new Map(Object.entries(params.params)),
    write: (text) => options.write(text.replaceAll(/^(?=.)/gm, prefix)),
    tty: false,
    signal: request.signal,
  };
  const { record } = await execute(
    childOptions,
    { ...loaded, params: params.params, nested: parent.nested },
    db,
    {
      runId,
      params: params.params,
    },
  );
  return {
    runId,
    status: record.status,
    ...(record.reason === undefined ? {} : { reason: record.reason }),
  };
}

function isJsonObject(value: JsonValue | undefined): value is { [key: string]: JsonValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The record entries of compensate and onExit actions, which the state map names. */
function actionEntries(prepared: Prepared): Set<string> {
  const names = new Set<string>();
  for (const info of Object.values(prepared.output.stateMap))
    if (info.action !== undefined) names.add(info.action);
  return names;
}

/** `<workflow>-<yyyymmdd>-<hhmmss>-<4 hex>`: sorts by time, at most 80 characters (an execution name). */
export function newRunId(workflow: string, now = new Date()): string {
  const stamp = now.toISOString().replaceAll(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${workflow.slice(0, 58)}-${stamp}-${randomBytes(2).toString('hex')}`;
}

/**
 * What a rerun takes over: every job (or matrix item) that succeeded in the earlier run,
 * except, with `from`, that job and every job downstream of it.
 */
function reusable(
  workflow: Workflow,
  earlier: RunRecord,
  from: string | undefined,
  home: string,
): Map<string, ReusedJob> {
  const again = from === undefined ? new Set<string>() : downstream(workflow, from);
  const reuse = new Map<string, ReusedJob>();
  for (const job of workflow.jobs) {
    if (again.has(job.name)) continue;
    // A dynamic matrix's items are known only from the earlier record; an item whose name comes
    // back (the same item of the same upstream output) is taken over like any other entry.
    const entries =
      job.matrix?.kind === 'dynamic'
        ? Object.keys(earlier.jobs).filter((entry) => entry.startsWith(`${job.name} (`))
        : runEntries(job);
    for (const entry of entries) {
      const record: JobRecord | undefined = earlier.jobs[entry];
      if (record?.status !== 'succeeded') continue;
      reuse.set(entry, { record, dir: join(home, 'runs', earlier.runId, jobDirName(entry)) });
    }
  }
  return reuse;
}

function downstream(workflow: Workflow, from: string): Set<string> {
  const found = new Set([from]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const job of workflow.jobs as ReadonlyArray<Job>) {
      if (!found.has(job.name) && job.upstream.some((u) => found.has(u))) {
        found.add(job.name);
        grew = true;
      }
    }
  }
  return found;
}

/** One line saying why the run failed: the first job that failed, else the execution's error. */
function failureReason(
  record: RunRecord | undefined,
  actions: ReadonlySet<string>,
  error: string | undefined,
  cause: string | undefined,
): string {
  // A compensation or onExit that failed after the body did is not why the run failed.
  const failed = Object.entries(record?.jobs ?? {})
    .filter(([name, job]) => job.status === 'failed' && job.endedAt !== undefined && !actions.has(name))
    .sort(([, a], [, b]) => (a.endedAt ?? '').localeCompare(b.endedAt ?? ''))[0];
  if (failed !== undefined)
    return `job ${failed[0]} failed${failed[1].reason === undefined ? '' : `: ${failed[1].reason}`}`;
  // A timeout that no job failed of is the run's own (a job's timeout fails that job).
  const explained =
    error === 'States.Timeout' && (cause === undefined || cause === '' || cause === error)
      ? 'the run timed out (spec.timeout)'
      : cause;
  const parts = [error, explained === error ? undefined : explained].filter(
    (part) => part !== undefined && part !== '',
  );
  return parts.join(': ') || 'failed';
}
