import './promise-polyfill.js';
import { cpSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  ExecutionAbortedError,
  ExecutionError,
  ExecutionTimeoutError,
  StateMachine,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';
import type { StateMachine as Asl, JsonValue } from '../../compiler/asl/types.js';
import type { CompileOutput, TaskDefinitionSpec } from '../../compiler/compile/output.js';
import type { ContainerAction, Job, Workflow } from '../../compiler/ir.js';
import { compensations, parseCompensationsRequest } from '../../runtime/compensations.js';
import { release, wait } from '../../runtime/gates.js';
import { type EcsTaskStateChange, jobEventFromEcs, releaseOnSuccess } from '../../runtime/job-events.js';
import type { JobRecord, RunEvent } from '../../runtime/run-record.js';
import type { Store } from '../../runtime/store.js';
import { type AttemptResult, type RunAttempt, readOutputs } from '../runner/index.js';
import { type ItemsRead, isToleratedItem, MapRuns } from './distributed-map.js';
import { ITEM_PARAMETER, MATRIX_PARAMETER, type PreparedTask, prepareForLibrary } from './prepare.js';
import { secretValue } from './secrets.js';

/**
 * Runs a compiled workflow in-process: aws-local-stepfunctions walks the ASL, and every Task
 * state is answered here, chosen by the compiler's state map: container jobs through a local
 * runner, gates and releases through the shared gate logic, approvals through the approval
 * desk, parts as child machines. What a state does in AWS, its override does locally, with the
 * same input and the same result shape, so the ASL's own Retry, Catch and Choice decide.
 */

type JsonObject = { [key: string]: JsonValue };
type Handler = (input: JsonValue) => Promise<JsonValue>;

/** Runs one attempt of a container job (host shell or Docker). */
export type JobRunner = (attempt: RunAttempt) => Promise<AttemptResult>;

/** Where approval requests go: the local approval server, or a test's fake. */
export interface ApprovalDesk {
  /**
   * Stores the request (the payload of the approval Task) under `token` and returns the link a
   * person opens. The decision comes back through `LocalEngine.answer` or `LocalEngine.fail`.
   */
  request(payload: JsonObject, token: string): Promise<{ readonly link: string }>;
}

export interface EngineObserver {
  /** A run record event, as it is recorded. */
  /**
   * A run record event, as it is recorded. The engine waits for the promise of a job's success
   * before its dependants may start, so that a crash never forgets a success a rerun could reuse.
   */
  onEvent(event: RunEvent): void | Promise<void>;
  /** A line a job printed. */
  onLog(job: string, line: string, stream: 'stdout' | 'stderr'): void;
}

/** A job result a rerun takes over instead of running the job. */
export interface ReusedJob {
  readonly record: JobRecord;
  /** The job's directory in the run it comes from (outputs, artifacts). */
  readonly dir: string;
}

export interface EngineOptions {
  readonly output: CompileOutput;
  readonly workflow: Workflow;
  readonly runId: string;
  readonly input: JsonValue;
  readonly store: Store;
  readonly runner: JobRunner;
  /** `.waterflow/runs/<runId>`: one directory per job inside. */
  readonly runDir: string;
  readonly approvals: ApprovalDesk;
  readonly observer: EngineObserver;
  /** Secret values by secret name (see secrets.ts). */
  readonly secrets?: ReadonlyMap<string, string>;
  /** Multiplies retry delays and waits, never timeouts. @default 1 */
  readonly delayScale?: number;
  /** Jobs (or matrix items) whose earlier success a rerun reuses. */
  readonly reuse?: ReadonlyMap<string, ReusedJob>;
  /** Runs a nested workflow job's workflow (the CLI runs it as a run of its own). */
  readonly nested?: NestedRunner;
}

/** What a nested workflow job asks for: the other workflow, run with `input` (params, run id). */
export interface NestedRequest {
  readonly job: string;
  readonly workflow: string;
  readonly input: JsonValue;
  readonly signal: AbortSignal;
}

export interface NestedOutcome {
  readonly runId: string;
  readonly status: 'succeeded' | 'failed' | 'cancelled' | 'interrupted' | 'running';
  readonly output?: JsonValue;
  readonly error?: string;
  readonly reason?: string;
}

export type NestedRunner = (request: NestedRequest) => Promise<NestedOutcome>;

export interface EngineResult {
  readonly status: 'succeeded' | 'failed' | 'cancelled';
  /** The execution's output, when it succeeded. */
  readonly output?: JsonValue;
  readonly error?: string;
  readonly cause?: string;
}

/** The error a Task override throws: the library matches `name` and passes `message` as Cause. */
class TaskError extends Error {
  constructor(name: string, cause: string) {
    super(cause);
    this.name = name;
  }
}

interface Running {
  readonly job: string;
  readonly taskArn: string;
  readonly state: string;
  readonly startedAt: number;
  readonly stop: AbortController;
  /** Set by a stop state: Step Functions stops a task only after its job timed out. */
  timedOut?: true;
}

export class LocalEngine {
  readonly #o: EngineOptions;
  readonly #jobs: ReadonlyMap<string, Job>;
  readonly #taskDefinitions: ReadonlyMap<string, TaskDefinitionSpec>;
  readonly #tasks = new Map<string, PreparedTask>();
  readonly #overrides: { [state: string]: Handler } = {};
  readonly #definitions = new Map<Asl, StateMachineDefinition>();
  readonly #attempts = new Map<string, number>();
  readonly #running = new Set<Running>();
  /** Nested runs going on, each stopped by its controller on cancel. */
  readonly #nestedStops = new Set<AbortController>();
  readonly #waiting = new Map<string, { answer: (output: JsonValue) => void; fail: (e: Error) => void }>();
  readonly #releasedOnSuccess: ReadonlySet<string>;
  readonly #executions = new Set<{ abort(): void }>();
  readonly #inFlight = new Set<Promise<unknown>>();
  /** Approval jobs whose Task timed out, already recorded. */
  readonly #timedOut = new Set<string>();
  /** Every event emitted, in order: what the compensations are chosen from. */
  readonly #log: RunEvent[] = [];
  readonly #mapRuns: MapRuns;
  /** The record names of a dynamic matrix's items, by job, in item order (see matrixItemNames). */
  readonly #readItemNames = new Map<string, ReadonlyArray<string>>();
  #tokens = 0;
  #finished = false;
  #cancelled = false;

  constructor(options: EngineOptions) {
    this.#o = options;
    this.#jobs = new Map(options.workflow.jobs.map((job) => [job.name, job]));
    this.#taskDefinitions = new Map(options.output.taskDefinitions.map((spec) => [spec.substitution, spec]));
    this.#releasedOnSuccess = new Set(
      Object.values(options.output.stateMap).flatMap((info) =>
        info.releasedOnSuccess === true && info.job !== undefined ? [info.job] : [],
      ),
    );
    this.#mapRuns = new MapRuns({
      readOutput: (job, output) => readOutputs(join(options.runDir, jobDirName(job)))[output],
      onItems: (read) => this.#itemsRead(read),
    });
    for (const machine of [options.output.asl, ...options.output.children.map((child) => child.asl)]) {
      const prepared = prepareForLibrary(machine, options.delayScale ?? 1);
      for (const [name, task] of prepared.tasks) {
        this.#tasks.set(name, task);
        this.#overrides[name] = this.#handlerFor(task);
      }
      this.#definitions.set(machine, prepared.definition);
    }
  }

  /** Runs the workflow's machine to its end. Never throws for a failed run. */
  async run(): Promise<EngineResult> {
    try {
      const outcome = await this.#execute(this.#o.output.asl, this.#o.input);
      if (this.#cancelled) return { status: 'cancelled', error: 'Waterflow.Cancelled', cause: 'cancelled' };
      return outcome;
    } finally {
      this.#finish();
      // Stopped jobs end (SIGTERM, then SIGKILL after the grace) and record how, before the run does.
      await Promise.allSettled([...this.#inFlight]);
    }
  }

  /** Ctrl-C: stops every running job and ends the run as cancelled. */
  cancel(): void {
    this.#cancelled = true;
    for (const execution of this.#executions) execution.abort();
    for (const running of this.#running) running.stop.abort();
    for (const stop of this.#nestedStops) stop.abort();
    for (const { fail } of this.#waiting.values()) fail(new TaskError('Waterflow.Cancelled', 'cancelled'));
  }

  /** Answers a waiting token (a gate that completed, an approval that was decided). */
  answer(token: string, output: JsonValue): void {
    this.#waiting.get(token)?.answer(output);
    this.#waiting.delete(token);
  }

  /** Fails a waiting token with `error` (a rejected approval: `Waterflow.Rejected`). */
  fail(token: string, error: string, cause: string): void {
    this.#waiting.get(token)?.fail(new TaskError(error, cause));
    this.#waiting.delete(token);
  }

  async #execute(asl: Asl, input: JsonValue): Promise<EngineResult> {
    const definition = this.#definitions.get(asl);
    if (definition === undefined) throw new Error('a state machine that is not in the compile output');
    const machine = new StateMachine(definition, { validationOptions: { noValidate: true } });
    const execution = machine.run(input, {
      overrides: { taskResourceLocalHandlers: this.#overrides },
      context: {
        Execution: {
          Name: this.#o.runId,
          Id: `arn:aws:states:local:000000000000:execution:${this.#o.workflow.name}:${this.#o.runId}`,
        },
        Task: { Token: 'local' },
      },
    });
    this.#executions.add(execution);
    const watching = this.#watch(execution.eventLogs as AsyncGenerator<LibraryEvent>);
    try {
      return { status: 'succeeded', output: await execution.result };
    } catch (error) {
      if (error instanceof ExecutionAbortedError)
        return { status: 'cancelled', error: 'Waterflow.Cancelled' };
      if (error instanceof ExecutionTimeoutError) {
        return { status: 'failed', error: 'States.Timeout', cause: 'the run timed out' };
      }
      if (error instanceof ExecutionError && error.cause instanceof Error) {
        const { name, message } = error.cause;
        // The run timer (spec.timeout with an exit path) times out with no cause of its own.
        const cause = name === 'States.Timeout' && message === '' ? 'the run timed out' : message;
        return { status: 'failed', error: name, cause };
      }
      throw error;
    } finally {
      this.#executions.delete(execution);
      await watching;
    }
  }

  #handlerFor(task: PreparedTask): Handler {
    if (task.sleep) {
      return async (input) => {
        const seconds = isObject(input) && typeof input.seconds === 'number' ? input.seconds : 0;
        await this.#sleep(seconds * 1000 * (this.#o.delayScale ?? 1));
        return isObject(input) ? (input.input ?? null) : null;
      };
    }
    const emulated = this.#mapRuns.handler(task.resource);
    if (emulated !== undefined) return emulated;
    const info = this.#o.output.stateMap[task.name];
    const job = info?.job ?? '';
    switch (info?.role) {
      case 'run':
        if (info.kind === 'approval') return (input) => this.#approval(job, payloadOf(input));
        if (info.kind === 'workflow') return (input) => this.#tracked(this.#nested(job, payloadOf(input)));
        return (input) => this.#tracked(this.#container(task, job, payloadOf(input)));
      case 'gate':
        return (input) => this.#gate(job, payloadOf(input));
      case 'release':
        return (input) => this.#release(job, payloadOf(input));
      case 'stop':
        return async (input) => this.#stop(info.action ?? job, task.resource, payloadOf(input));
      case 'compensations':
        return async (input) => this.#compensations(payloadOf(input));
      case 'compensate':
      case 'onExit': {
        const entry = info.action ?? task.name;
        const definition = this.#jobs.get(job);
        const action = info.role === 'onExit' ? this.#o.workflow.onExit : definition?.compensate;
        return (input) =>
          this.#tracked(this.#action(task, { entry, action, stage: definition?.stage }, payloadOf(input)));
      }
      case 'outputs':
        return async () => this.#outputs(job);
      case 'part':
        return (input) => this.#part(info.part ?? '', payloadOf(input));
      default:
        return async () => {
          throw new TaskError('Waterflow.LocalRuntime', `no local handler for Task state "${task.name}"`);
        };
    }
  }

  /** Keeps `attempt` until it settles: the run ends only after its jobs have (see run()). */
  #tracked<T>(attempt: Promise<T>): Promise<T> {
    this.#inFlight.add(attempt);
    const forget = () => this.#inFlight.delete(attempt);
    attempt.then(forget, forget);
    return attempt;
  }

  /** One attempt of a container job (or matrix item), answered as `ecs:runTask.sync` answers. */
  async #container(task: PreparedTask, job: string, parameters: JsonObject): Promise<JsonValue> {
    const definition = this.#jobs.get(job);
    const matrix = parameters[MATRIX_PARAMETER];
    const index = parameters[ITEM_PARAMETER];
    const read = typeof index === 'number' ? this.#readItemNames.get(job)?.[index] : undefined;
    const name = matrix === undefined ? job : (read ?? matrixItemName(job, matrix));
    const workdir = join(this.#o.runDir, jobDirName(name));
    const reused = this.#o.reuse?.get(name);
    if (reused !== undefined) return this.#reuse(name, reused, workdir, parameters);
    if (this.#finished) throw new TaskError('Waterflow.Cancelled', 'the run is over');
    const attempt = (this.#attempts.get(name) ?? 0) + 1;
    this.#attempts.set(name, attempt);
    if (definition !== undefined) this.#copyArtifacts(definition, workdir);
    const { result, running, stop } = await this.#attempt({
      task,
      job,
      entry: name,
      attempt,
      parameters,
      workdir,
      env: (override) => this.#envOf(definition, override, matrix),
      onStopped: (detail) => void this.#taskStopped(detail),
    });
    if (result.ok) return result.task as unknown as JsonValue;
    const stopped = stop.signal.aborted && running.timedOut === undefined;
    this.#emit(this.#failedAttempt(name, definition, attempt, result, stopped, running.timedOut === true));
    throw new TaskError(result.error, result.cause);
  }

  /**
   * One attempt through the job runner, recorded under `entry` (a job, a matrix item, an action):
   * started, run with the ECS-shaped overrides of its Task, and, when it succeeds, ended. The
   * caller records a failure, since jobs and actions word it differently.
   */
  async #attempt(request: {
    readonly task: PreparedTask;
    /** The job the runner runs (a matrix item's job), for its process and container names. */
    readonly job: string;
    readonly entry: string;
    readonly attempt: number;
    readonly parameters: JsonObject;
    readonly workdir: string;
    readonly env: (override: JsonObject | undefined) => Record<string, string>;
    /** The attempt's ECS-shaped task stopped (the recorder's cue to release gated dependants). */
    readonly onStopped?: (detail: EcsTaskStateChange) => void;
  }): Promise<{ readonly result: AttemptResult; readonly running: Running; readonly stop: AbortController }> {
    const { task, job, entry, attempt, parameters } = request;
    const override = firstContainer(parameters);
    const command = Array.isArray(override?.Command) ? override.Command.map(String) : [];
    const spec = this.#taskDefinitions.get(substitutionName(parameters.TaskDefinition));
    const stop = new AbortController();
    const running: Running = { job, taskArn: '', state: task.name, startedAt: Date.now(), stop };
    this.#running.add(running);
    this.#emit({ kind: 'job-started', at: iso(), job: entry, attempt });
    let result: AttemptResult;
    try {
      result = await this.#o.runner({
        runId: this.#o.runId,
        job,
        attempt,
        image: spec?.image ?? '',
        script: command[2] ?? '',
        env: request.env(override),
        workdir: request.workdir,
        signal: stop.signal,
        onLog: (line, stream) => this.#o.observer.onLog(entry, line, stream),
        onEvent: (detail) => {
          (running as { taskArn: string }).taskArn = detail.taskArn;
          if (detail.lastStatus === 'STOPPED') request.onStopped?.(detail);
        },
      });
    } finally {
      this.#running.delete(running);
    }
    if (result.ok) {
      await this.#emit({
        kind: 'job-ended',
        at: iso(),
        job: entry,
        attempt,
        status: 'succeeded',
        exitCode: 0,
      });
    }
    return { result, running, stop };
  }

  #failedAttempt(
    name: string,
    definition: Job | undefined,
    attempt: number,
    result: Extract<AttemptResult, { ok: false }>,
    stopped: boolean,
    timedOut: boolean,
  ): RunEvent {
    const task = result.error === 'States.TaskFailed' ? parseJson(result.cause) : undefined;
    const exitCode = isObject(task) ? exitCodeOf(task) : undefined;
    const startFailure = isObject(task) && task.StopCode === 'TaskFailedToStart';
    const reason = stopped
      ? 'stopped'
      : timedOut || result.error === 'States.Timeout'
        ? `timed out after ${definition?.timeoutSeconds ?? '?'} s`
        : startFailure
          ? `could not start: ${String(task.StoppedReason)}`
          : `exit code ${exitCode ?? '?'}`;
    const more = !stopped && attempt < (definition?.retry.maxAttempts ?? 1);
    return {
      kind: 'job-ended',
      at: iso(),
      job: name,
      attempt,
      status: stopped ? 'cancelled' : more ? 'retrying' : 'failed',
      ...(exitCode === undefined ? {} : { exitCode }),
      reason,
    };
  }

  /** A rerun takes the job's earlier success: its files come along, the job does not run. */
  #reuse(name: string, reused: ReusedJob, workdir: string, parameters: JsonObject): JsonValue {
    if (existsSync(reused.dir) && reused.dir !== workdir) cpSync(reused.dir, workdir, { recursive: true });
    this.#emit({
      kind: 'job-ended',
      at: iso(),
      job: name,
      attempt: 0,
      status: 'succeeded',
      exitCode: reused.record.exitCode ?? 0,
      reason: 'reused from the earlier run',
      reused: true,
    });
    const task: JsonObject = {
      TaskArn: `arn:aws:ecs:local:000000000000:task/waterflow/reused-${encodeURIComponent(name)}`,
      Group: String(parameters.Group ?? ''),
      StartedBy: String(parameters.StartedBy ?? ''),
      LastStatus: 'STOPPED',
      StopCode: 'EssentialContainerExited',
      StoppedReason: 'Essential container in task exited',
      Containers: [{ Name: 'main', ExitCode: reused.record.exitCode ?? 0 }],
    };
    void this.#taskStopped({
      taskArn: String(task.TaskArn),
      lastStatus: 'STOPPED',
      group: String(task.Group),
      startedBy: String(task.StartedBy),
      stopCode: 'EssentialContainerExited',
      containers: [{ name: 'main', exitCode: reused.record.exitCode ?? 0 }],
    });
    return task;
  }

  /** The variables of one attempt: the Task's rendered Environment, secrets, Waterflow's own. */
  #envOf(job: Job | undefined, override: JsonObject | undefined, matrix: JsonValue | undefined) {
    const env: Record<string, string> = {};
    for (const entry of Array.isArray(override?.Environment) ? override.Environment : []) {
      if (isObject(entry) && typeof entry.Name === 'string') env[entry.Name] = String(entry.Value ?? '');
    }
    for (const variable of job?.env ?? []) {
      if (!('secretRef' in variable)) continue;
      const value = this.#o.secrets?.get(variable.secretRef.secret);
      if (value !== undefined) env[variable.name] = secretValue(value, variable.secretRef.key);
    }
    env.WATERFLOW_WORKFLOW = this.#o.workflow.name;
    if (job !== undefined) env.WATERFLOW_STAGE = job.stage;
    if (matrix !== undefined) env.WATERFLOW_MATRIX = JSON.stringify(matrix);
    return env;
  }

  /** Copies what `artifactsFrom` names out of the producing jobs' directories. */
  #copyArtifacts(job: Job, workdir: string): void {
    if (job.artifactsFrom.length === 0) return;
    mkdirSync(workdir, { recursive: true });
    for (const from of job.artifactsFrom) {
      const producer = this.#jobs.get(from.job);
      for (const name of from.artifacts) {
        const artifact = producer?.artifacts.find((a) => a.name === name);
        if (artifact === undefined) continue;
        const source = join(this.#o.runDir, jobDirName(from.job), artifact.path);
        if (existsSync(source)) cpSync(source, join(workdir, artifact.path), { recursive: true });
      }
    }
  }

  /** What the cloud recorder does when ECS reports a stopped task: release on success. */
  async #taskStopped(detail: EcsTaskStateChange): Promise<void> {
    const event = jobEventFromEcs(detail);
    const releasing = event === undefined ? undefined : releaseOnSuccess(event, this.#releasedOnSuccess);
    if (releasing === undefined) return;
    for (const { token, output } of await release(this.#o.store, releasing)) this.answer(token, output);
  }

  async #approval(job: string, payload: JsonObject): Promise<JsonValue> {
    const reused = this.#o.reuse?.get(job);
    if (reused !== undefined) {
      this.#emit({
        kind: 'job-ended',
        at: iso(),
        job,
        status: 'succeeded',
        reason: 'approved in the earlier run',
        reused: true,
      });
      return { decision: 'approved' };
    }
    const token = `approval:${job}:${++this.#tokens}:${this.#o.runId}`;
    const attempt = (this.#attempts.get(job) ?? 0) + 1;
    this.#attempts.set(job, attempt);
    const answered = this.#waitFor(token);
    const { link } = await this.#o.approvals.request(payload, token);
    this.#emit({ kind: 'job-waiting', at: iso(), job, reason: `waiting for approval: ${link}` });
    try {
      const output = await answered;
      const timedOut = isObject(output) && output.timedOut === true;
      const by =
        isObject(output) && Array.isArray(output.approvers) ? output.approvers.map(String).join(', ') : '';
      const reason = timedOut
        ? 'approved when it timed out (onTimeout: approve)'
        : `approved${by === '' ? '' : ` by ${by}`}`;
      if (!this.#timedOut.has(job))
        this.#emit({ kind: 'job-ended', at: iso(), job, attempt, status: 'succeeded', reason });
      return output;
    } catch (error) {
      const rejected = error instanceof Error && error.name === 'Waterflow.Rejected';
      if (!this.#timedOut.has(job))
        this.#emit({
          kind: 'job-ended',
          at: iso(),
          job,
          attempt,
          status: rejected ? 'failed' : 'cancelled',
          reason: rejected ? rejectionReason(error) : 'stopped',
        });
      throw error;
    }
  }

  /**
   * A nested workflow job, answered as `states:startExecution.sync:2` answers: the other
   * workflow runs as a run of its own (its id is the execution name the ASL gives it), and its
   * final state comes back as `Output`; a child that fails fails this Task with `States.TaskFailed`.
   */
  async #nested(job: string, payload: JsonObject): Promise<JsonValue> {
    const definition = this.#jobs.get(job);
    const nested = this.#o.nested;
    if (definition?.kind !== 'workflow' || nested === undefined) {
      throw new TaskError('Waterflow.LocalRuntime', `job "${job}" has no nested workflow to run`);
    }
    const reused = this.#o.reuse?.get(job);
    if (reused !== undefined) {
      this.#emit({
        kind: 'job-ended',
        at: iso(),
        job,
        status: 'succeeded',
        reason: 'succeeded in the earlier run',
        reused: true,
      });
      return { Status: 'SUCCEEDED', Output: null };
    }
    if (this.#finished) throw new TaskError('Waterflow.Cancelled', 'the run is over');
    const attempt = (this.#attempts.get(job) ?? 0) + 1;
    this.#attempts.set(job, attempt);
    const input =
      typeof payload.Input === 'string' ? (JSON.parse(payload.Input) as JsonValue) : (payload.Input ?? {});
    const stop = new AbortController();
    this.#nestedStops.add(stop);
    this.#emit({ kind: 'job-started', at: iso(), job, attempt });
    try {
      const outcome = await nested({ job, workflow: definition.workflow, input, signal: stop.signal });
      const reason = `nested run ${outcome.runId} ${outcome.status}`;
      if (outcome.status === 'succeeded') {
        this.#emit({ kind: 'job-ended', at: iso(), job, attempt, status: 'succeeded', reason });
        return { Status: 'SUCCEEDED', Output: outcome.output ?? null };
      }
      this.#emit({
        kind: 'job-ended',
        at: iso(),
        job,
        attempt,
        status: outcome.status === 'cancelled' ? 'cancelled' : 'failed',
        reason: outcome.reason === undefined ? reason : `${reason}: ${outcome.reason}`,
      });
      const description = {
        Status: outcome.status === 'cancelled' ? 'ABORTED' : 'FAILED',
        Error: outcome.error ?? null,
        Cause: outcome.reason ?? null,
      };
      throw new TaskError('States.TaskFailed', JSON.stringify(description));
    } finally {
      this.#nestedStops.delete(stop);
    }
  }

  async #gate(job: string, payload: JsonObject): Promise<JsonValue> {
    if (this.#finished) throw new TaskError('Waterflow.Cancelled', 'the run is over');
    const upstream = Array.isArray(payload.upstream) ? payload.upstream.map(String) : [];
    const token = `gate:${job}:${++this.#tokens}`;
    const answered = this.#waitFor(token);
    const runId = typeof payload.runId === 'string' ? payload.runId : this.#o.runId;
    const outcome = await wait(this.#o.store, { runId, job: String(payload.job ?? job), upstream, token });
    if (outcome.complete) this.answer(token, outcome.output);
    return answered;
  }

  async #release(job: string, payload: JsonObject): Promise<JsonValue> {
    const runId = typeof payload.runId === 'string' ? payload.runId : this.#o.runId;
    const released = String(payload.job ?? job);
    const completions = await release(this.#o.store, {
      runId,
      job: released,
      result: payload.result ?? null,
    });
    for (const { token, output } of completions) this.answer(token, output);
    return { StatusCode: 200, Payload: { released: completions.length } };
  }

  /** `ecs:listTasks` lists the job's running attempts; `ecs:stopTask` stops one. */
  #stop(job: string, resource: string, payload: JsonObject): JsonValue {
    const attempts = [...this.#running].filter((running) => running.job === job);
    if (resource.endsWith(':ecs:listTasks')) return { TaskArns: attempts.map((running) => running.taskArn) };
    for (const running of attempts) {
      if (payload.Task !== undefined && running.taskArn !== payload.Task) continue;
      running.timedOut = true;
      running.stop.abort();
    }
    return { Task: { TaskArn: String(payload.Task ?? ''), LastStatus: 'STOPPED' } };
  }

  /** A dynamic matrix read its items: its own entry says into how many it fanned out, or why not. */
  #itemsRead(read: ItemsRead): void | Promise<void> {
    const job = this.#o.output.stateMap[read.map]?.job;
    if (job === undefined) return;
    if ('error' in read) {
      return this.#emit({ kind: 'job-ended', at: iso(), job, status: 'failed', reason: read.error });
    }
    const count = read.items.length;
    this.#readItemNames.set(job, matrixItemNames(job, read.items));
    return this.#emit({
      kind: 'job-ended',
      at: iso(),
      job,
      status: 'succeeded',
      reason: `fanned out to ${count} item${count === 1 ? '' : 's'}`,
    });
  }

  /**
   * The `compensations` state: the succeeded jobs with a compensate action, newest first, from
   * the events of this run (the cloud's runs function reads the execution's history instead).
   */
  #compensations(payload: JsonObject): JsonValue {
    const request = parseCompensationsRequest(payload);
    const entriesOf = (name: string): string[] => {
      const job = this.#jobs.get(name);
      if (job === undefined) return [];
      if (job.matrix?.kind !== 'dynamic') return runEntries(job);
      const items = this.#log.flatMap((e) =>
        e.kind === 'job-ended' && e.job.startsWith(`${name} (`) ? [e.job] : [],
      );
      return [name, ...new Set(items)];
    };
    const outputsOf = (name: string) => readOutputs(join(this.#o.runDir, jobDirName(name)));
    const jobs = compensations(request, this.#log, entriesOf, outputsOf);
    return { StatusCode: 200, Payload: { jobs } as unknown as JsonValue };
  }

  /** A compensate or onExit action: one attempt through the job runner, under its own record entry. */
  async #action(
    task: PreparedTask,
    target: {
      readonly entry: string;
      readonly action: ContainerAction | undefined;
      readonly stage: string | undefined;
    },
    parameters: JsonObject,
  ): Promise<JsonValue> {
    const { entry, action } = target;
    if (this.#finished) throw new TaskError('Waterflow.Cancelled', 'the run is over');
    const attempt = (this.#attempts.get(entry) ?? 0) + 1;
    this.#attempts.set(entry, attempt);
    const { result, running, stop } = await this.#attempt({
      task,
      job: entry,
      entry,
      attempt,
      parameters,
      workdir: join(this.#o.runDir, jobDirName(entry)),
      env: (override) => {
        const env = this.#envOf(undefined, override, undefined);
        for (const variable of action?.env ?? []) {
          if (!('secretRef' in variable)) continue;
          const value = this.#o.secrets?.get(variable.secretRef.secret);
          if (value !== undefined) env[variable.name] = secretValue(value, variable.secretRef.key);
        }
        if (target.stage !== undefined) env.WATERFLOW_STAGE = target.stage;
        return env;
      },
    });
    if (result.ok) return result.task as unknown as JsonValue;
    const stopped = stop.signal.aborted && running.timedOut === undefined;
    const timedOut = running.timedOut === true || result.error === 'States.Timeout';
    const ended = this.#failedAttempt(entry, undefined, attempt, result, stopped, false);
    // The action's own timeout, which #failedAttempt (made for jobs) does not know.
    const reason = `timed out after ${action?.timeoutSeconds ?? '?'} s`;
    this.#emit(timedOut && ended.kind === 'job-ended' ? { ...ended, reason } : ended);
    throw new TaskError(result.error, result.cause);
  }

  /** The `outputs` state: in AWS an S3 object the uploader wrote; here the job's output file. */
  #outputs(job: string): JsonValue {
    const declared = this.#jobs.get(job)?.outputs ?? [];
    const all = readOutputs(join(this.#o.runDir, jobDirName(job)));
    const outputs: JsonObject = {};
    // A declared output the job did not write reads as "", as in GitHub Actions (docs/local.md).
    for (const name of declared) outputs[name] = all[name] ?? '';
    return { Body: JSON.stringify(outputs) };
  }

  async #part(part: string, payload: JsonObject): Promise<JsonValue> {
    const child = this.#o.output.children.find((machine) => machine.name === part);
    if (child === undefined) throw new TaskError('Waterflow.LocalRuntime', `no part named "${part}"`);
    const input =
      typeof payload.Input === 'string' ? (JSON.parse(payload.Input) as JsonValue) : (payload.Input ?? {});
    const outcome = await this.#execute(child.asl, input);
    // `.sync:2` hands the child's output back as JSON: its `jobs` merge into the parent's state.
    if (outcome.status === 'succeeded') return { Status: 'SUCCEEDED', Output: outcome.output ?? null };
    const description = { Status: 'FAILED', Error: outcome.error ?? null, Cause: outcome.cause ?? null };
    throw new TaskError('States.TaskFailed', JSON.stringify(description));
  }

  /**
   * Reads the library's state events: skipped and tolerated jobs are states, not Tasks; and a
   * failed Parallel or Map stops the jobs still running inside it, as Step Functions does.
   */
  async #watch(logs: AsyncGenerator<LibraryEvent>): Promise<void> {
    for await (const event of logs) {
      const state = event.state;
      if (state === undefined) continue;
      if (event.type === 'StateEntered') this.#entered(state.name);
      if (event.type === 'StateFailed' && event.Error === 'States.Timeout')
        this.#approvalTimedOut(state.name);
      if (event.type !== 'StateFailed' || (state.type !== 'Parallel' && state.type !== 'Map')) continue;
      // One item's failure, counted: the other items share its state names and run on.
      if (isToleratedItem(state.name)) continue;
      for (const running of [...this.#running]) {
        const inside = this.#tasks.get(running.state)?.ancestors.includes(state.name) ?? false;
        if (inside) running.stop.abort();
      }
    }
  }

  /**
   * An approval's Task timed out: the ASL goes on at once (onTimeout), so the record says so
   * now; the approval logic's own expiry, a moment later, changes nothing more.
   */
  #approvalTimedOut(stateName: string): void {
    const info = this.#o.output.stateMap[stateName];
    const job = info?.job === undefined ? undefined : this.#jobs.get(info.job);
    if (info?.role !== 'run' || job?.kind !== 'approval' || this.#timedOut.has(job.name)) return;
    this.#timedOut.add(job.name);
    const approve = job.onTimeout === 'approve';
    this.#emit({
      kind: 'job-ended',
      at: iso(),
      job: job.name,
      attempt: this.#attempts.get(job.name) ?? 1,
      status: approve ? 'succeeded' : 'failed',
      reason: approve
        ? 'approved when it timed out (onTimeout: approve)'
        : 'rejected when it timed out (onTimeout: reject)',
    });
  }

  #entered(stateName: string): void {
    const info = this.#o.output.stateMap[stateName];
    // Stage joins have states too (`stage <name> ...`), but no entry in the run record.
    if (info?.job === undefined || !this.#jobs.has(info.job)) return;
    const job = info.job;
    const names = this.#itemNames(job);
    if (info.role === 'skip') {
      for (const name of names) {
        this.#emit({
          kind: 'job-ended',
          at: iso(),
          job: name,
          status: 'skipped',
          reason: 'its condition is false or an upstream job did not succeed',
        });
      }
    } else if (info.role === 'record' && names.length === 1 && !this.#timedOut.has(job)) {
      const definition = this.#jobs.get(job);
      const tolerated = definition?.continueOnFailure === true;
      this.#emit({
        kind: 'job-ended',
        at: iso(),
        job,
        status: 'failed',
        attempt: this.#attempts.get(job) ?? 0,
        ...(tolerated ? { reason: 'failed; continueOnFailure lets dependants run' } : {}),
      });
    } else if (info.role === 'retry' && stateName === `${job} ignored`) {
      this.#emit({
        kind: 'job-ended',
        at: iso(),
        job,
        status: 'succeeded',
        reason: 'exit code ignored by an exitCodes rule',
      });
    }
  }

  /** The job's entries in the run record: the job, or its matrix items. */
  #itemNames(job: string): string[] {
    const definition = this.#jobs.get(job);
    return definition === undefined ? [job] : runEntries(definition);
  }

  #emit(event: RunEvent): void | Promise<void> {
    this.#log.push(event);
    return this.#o.observer.onEvent(event);
  }

  #waitFor(token: string): Promise<JsonValue> {
    const answered = new Promise<JsonValue>((answer, fail) => this.#waiting.set(token, { answer, fail }));
    // A branch the library abandoned (a failed Parallel) never awaits its token: not an error.
    answered.catch(() => undefined);
    return answered;
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  #finish(): void {
    this.#finished = true;
    for (const running of this.#running) running.stop.abort();
    for (const { fail } of this.#waiting.values())
      fail(new TaskError('Waterflow.Cancelled', 'the run is over'));
    this.#waiting.clear();
  }
}

/** The run record's entries for a job: itself, or one per static matrix item. */
export function runEntries(job: Job): string[] {
  if (job.matrix?.kind === 'static') return job.matrix.items.map((item) => matrixItemName(job.name, item));
  return [job.name];
}

/**
 * `<job> (<k>=<v>, ...)`, as the language names matrix items; an item that is not an object
 * (a dynamic matrix over strings or numbers) is `<job> (<value>)`.
 */
export function matrixItemName(job: string, item: JsonValue): string {
  const text = (value: JsonValue) => (typeof value === 'string' ? value : JSON.stringify(value));
  if (!isObject(item)) return `${job} (${text(item)})`;
  const values = Object.entries(item).map(([key, value]) => `${key}=${text(value)}`);
  return `${job} (${values.join(', ')})`;
}

/**
 * The names of a matrix's items, in order: an item equal to an earlier one (a dynamic matrix
 * over `["a", "a"]`) is `<name> #2`, `#3`, ..., so that each has its own entry and directory.
 */
export function matrixItemNames(job: string, items: ReadonlyArray<JsonValue>): string[] {
  const seen = new Map<string, number>();
  return items.map((item) => {
    const name = matrixItemName(job, item);
    const n = (seen.get(name) ?? 0) + 1;
    seen.set(name, n);
    return n === 1 ? name : `${name} #${n}`;
  });
}

/** A job's (or item's) directory name under the run directory. */
export function jobDirName(name: string): string {
  return name.replaceAll(/[^A-Za-z0-9._=-]+/g, '_').replace(/_+$/, '');
}

/** The fields of the library's event log that the engine reads. */
interface LibraryEvent {
  readonly type: string;
  readonly Error?: string;
  readonly state?: { readonly name: string; readonly type: string };
}

function iso(): string {
  return new Date().toISOString();
}

function payloadOf(input: JsonValue): JsonObject {
  if (!isObject(input)) return {};
  return isObject(input.Payload) ? input.Payload : input;
}

function firstContainer(parameters: JsonObject): JsonObject | undefined {
  const overrides = parameters.Overrides;
  if (!isObject(overrides) || !Array.isArray(overrides.ContainerOverrides)) return undefined;
  const first = overrides.ContainerOverrides[0];
  return isObject(first) ? first : undefined;
}

function substitutionName(value: JsonValue | undefined): string {
  return typeof value === 'string' ? value.replace(/^\$\{/, '').replace(/\}$/, '') : '';
}

function exitCodeOf(task: JsonObject): number | undefined {
  const containers = task.Containers;
  const first = Array.isArray(containers) ? containers[0] : undefined;
  return isObject(first) && typeof first.ExitCode === 'number' ? first.ExitCode : undefined;
}

function parseJson(text: string): JsonValue | undefined {
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return undefined;
  }
}

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** "rejected by bob: not today", from the cause the approval logic gives a rejection. */
function rejectionReason(error: unknown): string {
  const cause = error instanceof Error ? parseJson(error.message) : undefined;
  if (!isObject(cause)) return 'rejected';
  const who = typeof cause.approver === 'string' ? ` by ${cause.approver}` : '';
  const comment = typeof cause.comment === 'string' && cause.comment !== '' ? `: ${cause.comment}` : '';
  return cause.timedOut === true
    ? 'rejected when it timed out (onTimeout: reject)'
    : `rejected${who}${comment}`;
}
