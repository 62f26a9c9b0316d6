import './promise-polyfill.js';
import {
  ExecutionAbortedError,
  ExecutionError,
  ExecutionTimeoutError,
  type RunOptions,
  StateMachine,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';
import type { StateMachine as Asl, JsonValue } from '../../compiler/asl/types.js';
import type { CompileOutput, StateInfo } from '../../compiler/compile/output.js';
import { inlineDistributedMaps, isToleratedItem, MapRuns } from '../../local/engine/distributed-map.js';
import { compensations, parseCompensationsRequest } from '../../runtime/compensations.js';
import { release, wait } from '../../runtime/gates.js';
import { type EcsTaskStateChange, jobEventFromEcs, releaseOnSuccess } from '../../runtime/job-events.js';
import { MemoryGateStore } from '../../runtime/memory-store.js';
import type { RunEvent } from '../../runtime/run-record.js';

/**
 * Runs compiled ASL in-process with aws-local-stepfunctions, every Task state replaced by a fake
 * chosen from `stateMap`: containers sleep and exit as told, gates and releases run the shared
 * gate logic over a memory store, parts run their child machine. Every duration of the ASL
 * (timeouts, retry intervals, waits) and of the fakes is multiplied by `timeScale`.
 */

/** How a fake job behaves at each attempt. */
export interface FakeJob {
  /** How long an attempt runs, in workflow milliseconds. @default 0 */
  readonly durationMs?: number;
  /** Exit code per attempt (0 = success); the last one repeats. @default [0] */
  readonly exitCodes?: ReadonlyArray<number>;
  /** Every attempt fails to start (`TaskFailedToStart`, `CannotPullContainerError`). */
  readonly infrastructureFailure?: boolean;
  /** Every attempt runs until something stops it. */
  readonly hang?: boolean;
  /** An approval job's decision. @default 'approved' */
  readonly decision?: 'approved' | 'rejected';
  /** What the job writes to `$WATERFLOW_OUTPUT`, read back by its `outputs` state. @default {} */
  readonly outputs?: { readonly [name: string]: string };
}

export interface RunCompiledOptions {
  /** The execution input. @default { params: {}, run: { id: 'test-run' }, jobs: {} } */
  readonly input?: JsonValue;
  /** Fakes by job name; a job not listed succeeds at once. */
  readonly jobs?: { readonly [job: string]: FakeJob };
  /** Real milliseconds per workflow millisecond. @default 0.01 */
  readonly timeScale?: number;
  /**
   * Check the ASL with the library's validator (asl-validator) first: about half a second per
   * machine, so off unless asked; the golden tests validate compiled ASL already. @default false
   */
  readonly validate?: boolean;
  /**
   * Real milliseconds after which the harness gives up on the run and fails it with
   * `Harness.Deadline` and the last states in `cause`: a hung gate fails fast and readably.
   * @default 20000
   */
  readonly deadlineMs?: number;
}

/**
 * `stopped`: a stop state, a failed `Parallel` or the failed execution stopped it; `abandoned`:
 * still running when the execution succeeded (Step Functions would leave it running).
 */
export type JobOutcome = 'success' | 'failure' | 'infrastructure' | 'stopped' | 'abandoned';

export interface JobEvent {
  readonly job: string;
  /** `stop`: a stop state asked to stop the job's running attempts. */
  readonly kind: 'start' | 'end' | 'stop';
  /** Real time, epoch milliseconds with a fraction. */
  readonly at: number;
  readonly attempt: number;
  readonly outcome?: JobOutcome;
}

export interface RunCompiledResult {
  readonly status: 'SUCCEEDED' | 'FAILED';
  readonly error?: string;
  readonly cause?: string;
  readonly events: ReadonlyArray<JobEvent>;
  /** The execution output; null when it failed. */
  readonly output: JsonValue;
  /** The library's state events, as `StateEntered compile` lines, to read when a test fails. */
  readonly trace: ReadonlyArray<string>;
  /** The rendered Parameters of every ECS task started, in order (`job`: a job or an action). */
  readonly taskParameters: ReadonlyArray<{ readonly job: string; readonly parameters: JsonValue }>;
}

/** Runs the compiled workflow to its end with fake jobs. */
export async function runCompiled(
  output: CompileOutput,
  options: RunCompiledOptions = {},
): Promise<RunCompiledResult> {
  const input = options.input ?? { params: {}, run: { id: 'test-run' }, jobs: {} };
  if (options.validate ?? false) {
    for (const asl of [output.asl, ...output.children.map((child) => child.asl)]) validateAsl(asl);
  }
  const harness = new Harness(output, options, runIdOf(input));
  let status: RunCompiledResult['status'] = 'FAILED';
  try {
    const outcome = await harness.execute(output.asl, input, options.deadlineMs ?? 20_000);
    status = outcome.status;
    return {
      ...outcome,
      events: harness.events,
      trace: harness.trace,
      taskParameters: harness.taskParameters,
    };
  } finally {
    harness.finish(status);
  }
}

/** The error a fake Task throws; the library matches `name` and hands `message` on as `Cause`. */
class TaskError extends Error {
  constructor(name: string, cause: string) {
    super(cause, { cause });
    this.name = name;
  }
}

class HarnessError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HarnessError';
  }
}

type JsonObject = { [key: string]: JsonValue };
type Handler = (input: JsonValue) => Promise<JsonValue>;
type Overrides = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>;

interface Running {
  readonly job: string;
  readonly attempt: number;
  readonly taskArn: string;
  readonly state: string;
  readonly startedAt: number;
  stop(outcome: JobOutcome): void;
}

/** The longest timer Node keeps (2^31 - 1 ms); longer ones fire at once. */
const MAX_TIMEOUT_SECONDS = 2_000_000;
const now = () => performance.timeOrigin + performance.now();

class Harness {
  readonly events: JobEvent[] = [];
  readonly taskParameters: Array<{ readonly job: string; readonly parameters: JsonValue }> = [];
  readonly trace: string[] = [];
  readonly #output: CompileOutput;
  readonly #jobs: { readonly [job: string]: FakeJob };
  readonly #scale: number;
  readonly #runId: string;
  readonly #store = new MemoryGateStore();
  readonly #attempts = new Map<string, number>();
  readonly #running = new Set<Running>();
  readonly #waiting = new Map<string, (output: JsonValue) => void>();
  readonly #pending = new Set<() => void>();
  /** Task states by name: the Parallel and Map states around them. */
  readonly #ancestors = new Map<string, string[]>();
  readonly #overrides: Overrides = {};
  readonly #definitions = new Map<Asl, StateMachineDefinition>();
  readonly #releasedOnSuccess: ReadonlySet<string>;
  /** Distributed Maps run inline, their items read from the fakes' outputs (as the engine does). */
  readonly #mapRuns = new MapRuns({ readOutput: (job, output) => this.#jobs[job]?.outputs?.[output] });
  #tokens = 0;
  #finished = false;

  constructor(output: CompileOutput, options: RunCompiledOptions, runId: string) {
    this.#output = output;
    this.#jobs = options.jobs ?? {};
    this.#scale = options.timeScale ?? 0.01;
    this.#runId = runId;
    this.#releasedOnSuccess = new Set(
      Object.values(output.stateMap).flatMap((info) =>
        info.releasedOnSuccess === true && info.job !== undefined ? [info.job] : [],
      ),
    );
    for (const asl of [output.asl, ...output.children.map((child) => child.asl)]) {
      this.#definitions.set(asl, this.#prepare(asl));
    }
  }

  /** Runs one machine (the workflow's, or a part's) and settles with its status. */
  async execute(
    asl: Asl,
    input: JsonValue,
    deadlineMs?: number,
  ): Promise<Omit<RunCompiledResult, 'events' | 'trace' | 'taskParameters'>> {
    const definition = this.#definitions.get(asl);
    if (definition === undefined) throw new HarnessError('a machine that is not in the compile output');
    const machine = new StateMachine(definition, { validationOptions: { noValidate: true } });
    const execution = machine.run(input, {
      overrides: { taskResourceLocalHandlers: this.#overrides },
      context: {
        Execution: {
          Name: this.#runId,
          Id: `arn:aws:states:local:000000000000:execution:waterflow:${this.#runId}`,
        },
        // One token for all: the gate fake makes its own, the approval fake needs none.
        Task: { Token: 'local-task-token' },
      },
    });
    const watching = this.#watch(execution.eventLogs);
    let late = false;
    const deadline =
      deadlineMs === undefined
        ? undefined
        : setTimeout(() => {
            late = true;
            execution.abort();
          }, deadlineMs);
    try {
      return { status: 'SUCCEEDED', output: await execution.result };
    } catch (error) {
      if (late && error instanceof ExecutionAbortedError) {
        const cause = `no end after ${deadlineMs} ms; last states:\n${this.trace.slice(-12).join('\n')}`;
        return { status: 'FAILED', output: null, error: 'Harness.Deadline', cause };
      }
      return { status: 'FAILED', output: null, ...describeFailure(error) };
    } finally {
      clearTimeout(deadline);
      await watching;
    }
  }

  /** Ends what the run left behind, so that no timer outlives it. */
  finish(status: RunCompiledResult['status']): void {
    this.#finished = true;
    for (const running of [...this.#running]) running.stop(status === 'SUCCEEDED' ? 'abandoned' : 'stopped');
    for (const settle of [...this.#pending]) settle();
  }

  /** A copy of `asl` with durations scaled, library gaps worked around, and overrides installed. */
  #prepare(asl: Asl): StateMachineDefinition {
    const root = structuredClone(asl) as unknown as JsonObject;
    const seconds = root.TimeoutSeconds;
    if (typeof seconds === 'number') root.TimeoutSeconds = this.#seconds(seconds);
    inlineDistributedMaps(root);
    this.#prepareGraph(root, []);
    return root as unknown as StateMachineDefinition;
  }

  #prepareGraph(graph: JsonObject, ancestors: string[]): void {
    const states = graph.States;
    if (!isObject(states)) throw new HarnessError('a state graph without States');
    for (const [name, state] of Object.entries(states)) {
      if (!isObject(state)) continue;
      // The library stores a ResultPath of `$` under a key named `$`; leaving it out is the same.
      if (state.ResultPath === '$') delete state.ResultPath;
      for (const catcher of arrayOf(state.Catch)) if (catcher.ResultPath === '$') delete catcher.ResultPath;
      for (const retrier of arrayOf(state.Retry)) {
        retrier.IntervalSeconds = this.#seconds(numberOr(retrier.IntervalSeconds, 1));
        if (typeof retrier.MaxDelaySeconds === 'number')
          retrier.MaxDelaySeconds = this.#seconds(retrier.MaxDelaySeconds);
      }
      if (state.Type === 'Task') {
        // Without TimeoutSeconds the library gives up after 60 s; Step Functions waits for ever.
        state.TimeoutSeconds = this.#seconds(numberOr(state.TimeoutSeconds, MAX_TIMEOUT_SECONDS));
        this.#ancestors.set(name, ancestors);
        this.#overrides[name] = this.#mapRuns.handler(resourceOf(state)) ?? this.#handlerFor(name, state);
      } else if (state.Type === 'Wait') {
        states[name] = this.#prepareWait(name, state);
      } else if (state.Type === 'Parallel') {
        for (const branch of arrayOf(state.Branches)) this.#prepareGraph(branch, [...ancestors, name]);
      } else if (state.Type === 'Map') {
        const processor = state.ItemProcessor ?? state.Iterator;
        if (isObject(processor)) this.#prepareGraph(processor, [...ancestors, name]);
      }
    }
  }

  /** Scales `Seconds`; turns `SecondsPath` (integers only in the library) into a sleeping Task. */
  #prepareWait(name: string, state: JsonObject): JsonObject {
    if (typeof state.Seconds === 'number') return { ...state, Seconds: this.#seconds(state.Seconds) };
    if (typeof state.SecondsPath !== 'string') return state;
    const { SecondsPath, Type: _wait, ...rest } = state;
    this.#overrides[name] = async (input) => {
      const value = isObject(input) ? input.seconds : undefined;
      await this.#sleep(numberOr(value, 0) * 1000);
      return isObject(input) ? (input.input ?? null) : null;
    };
    return {
      ...rest,
      Type: 'Task',
      Resource: 'arn:aws:states:::waterflow:sleep',
      Parameters: { 'seconds.$': SecondsPath, 'input.$': '$' },
      TimeoutSeconds: MAX_TIMEOUT_SECONDS,
    };
  }

  #handlerFor(name: string, state: JsonObject): Handler {
    const info = this.#output.stateMap[name];
    if (info === undefined) throw new HarnessError(`Task state "${name}" is not in stateMap`);
    const job = info.job ?? '';
    switch (info.role) {
      case 'run':
        if (info.kind === 'approval') return () => this.#approval(name, job);
        if (info.kind === 'workflow') return () => this.#container(name, job, nestedExecution);
        return (input) => this.#container(name, job, ecsTask, payloadOf(input));
      case 'gate':
        return (input) => this.#gate(job, payloadOf(input));
      case 'release':
        return (input) => this.#release(job, payloadOf(input));
      case 'stop':
        return async (input) => this.#stop(info.action ?? job, resourceOf(state), payloadOf(input));
      case 'compensations':
        return async (input) => this.#compensations(payloadOf(input));
      case 'compensate':
      case 'onExit':
        // Faked, recorded and stopped under the action's record entry, as the engine runs them.
        return (input) => this.#container(name, info.action ?? name, ecsTask, payloadOf(input));
      case 'outputs':
        return async () => ({ Body: JSON.stringify(this.#jobs[job]?.outputs ?? {}) });
      case 'part':
        return (input) => this.#part(info, payloadOf(input));
      default:
        throw new HarnessError(`Task state "${name}" has role "${info.role}", which the harness cannot fake`);
    }
  }

  /** The succeeded jobs to compensate, newest first, from the fakes' events (runtime/compensations.ts). */
  #compensations(payload: JsonObject): JsonValue {
    const ended: RunEvent[] = this.events.flatMap((event) =>
      event.kind === 'end'
        ? [
            {
              kind: 'job-ended' as const,
              at: new Date(event.at).toISOString(),
              job: event.job,
              status: event.outcome === 'success' ? ('succeeded' as const) : ('failed' as const),
            },
          ]
        : [],
    );
    const jobs = compensations(
      parseCompensationsRequest(payload),
      ended,
      (job) => [job],
      (job) => this.#jobs[job]?.outputs ?? {},
    );
    return { StatusCode: 200, Payload: { jobs } as unknown as JsonValue };
  }

  /** A container or nested workflow: one attempt, then its DescribeTasks-like answer or failure. */
  async #container(
    state: string,
    job: string,
    shape: (job: string, attempt: number, exit: Exit) => JsonObject,
    parameters?: JsonObject,
  ) {
    const fake = this.#jobs[job] ?? {};
    const codes = fake.exitCodes ?? [0];
    if (parameters !== undefined) this.taskParameters.push({ job, parameters });
    const ended = await this.#attempt(
      state,
      job,
      (attempt) => codes[Math.min(attempt, codes.length) - 1] ?? 0,
    );
    if (ended === undefined) return null;
    const answer = shape(job, ended.attempt, ended.exit);
    if (parameters !== undefined) await this.#taskStopped(parameters, answer);
    if (ended.exit === 0 || ended.exit === 'stopped') return answer;
    throw new TaskError('States.TaskFailed', JSON.stringify(answer));
  }

  /**
   * What the cloud recorder does with ECS's "task stopped" event: a job the compiler marked
   * `releasedOnSuccess` has no release state on its success path, so the recorder releases it.
   */
  async #taskStopped(parameters: JsonObject, task: JsonObject): Promise<void> {
    const container = arrayOf(task.Containers)[0];
    const exitCode = container?.ExitCode;
    const detail: EcsTaskStateChange = {
      taskArn: stringOr(task.TaskArn, ''),
      lastStatus: 'STOPPED',
      ...(typeof parameters.Group === 'string' ? { group: parameters.Group } : {}),
      ...(typeof parameters.StartedBy === 'string' ? { startedBy: parameters.StartedBy } : {}),
      ...(typeof task.StopCode === 'string' ? { stopCode: task.StopCode } : {}),
      containers: [{ name: 'main', ...(typeof exitCode === 'number' ? { exitCode } : {}) }],
    };
    const event = jobEventFromEcs(detail);
    const releasing = event === undefined ? undefined : releaseOnSuccess(event, this.#releasedOnSuccess);
    if (releasing === undefined) return;
    for (const { token, output } of await release(this.#store, releasing)) this.#answer(token, output);
  }

  /** An approval: decided after `durationMs`; a rejection is `Waterflow.Rejected`. */
  async #approval(state: string, job: string): Promise<JsonValue> {
    const decision = this.#jobs[job]?.decision ?? 'approved';
    const ended = await this.#attempt(state, job, () => (decision === 'approved' ? 0 : 1));
    if (ended === undefined || ended.exit === 'stopped') return null;
    if (decision === 'rejected') throw new TaskError('Waterflow.Rejected', JSON.stringify({ decision, job }));
    return { decision };
  }

  /**
   * One attempt of a fake job, from its start event to its end event; settles with how it ended
   * (never rejects), or at once with nothing once the run is over (an aborted branch retrying).
   */
  #attempt(state: string, job: string, exitOf: (attempt: number) => number): Promise<Ended | undefined> {
    if (this.#finished) return Promise.resolve(undefined);
    const fake = this.#jobs[job] ?? {};
    const attempt = this.#start(job);
    if (fake.infrastructureFailure === true) {
      this.#record(job, 'end', attempt, 'infrastructure');
      return Promise.resolve({ attempt, exit: 'unplaced' });
    }
    const exit = exitOf(attempt);
    return new Promise((resolve) => {
      const running: Running = {
        job,
        attempt,
        taskArn: taskArnOf(job, attempt),
        state,
        startedAt: now(),
        stop: (outcome) => {
          clearTimeout(timer);
          this.#end(running, outcome);
          // Whoever still waits (an aborted branch, a race already lost to a timeout) ignores
          // this answer; a failure would make the library retry inside an aborted branch.
          resolve({ attempt, exit: 'stopped' });
        },
      };
      this.#running.add(running);
      const finish = () => {
        this.#end(running, exit === 0 ? 'success' : 'failure');
        resolve({ attempt, exit });
      };
      const timer = fake.hang === true ? undefined : setTimeout(finish, this.#ms(fake.durationMs ?? 0));
    });
  }

  async #gate(job: string, payload: JsonObject): Promise<JsonValue> {
    if (this.#finished) return null;
    const upstream = arrayOf(payload.upstream, isString);
    const token = `${job}#${++this.#tokens}`;
    const answered = new Promise<JsonValue>((resolve) => {
      this.#waiting.set(token, resolve);
      this.#pending.add(() => resolve(null));
    });
    const runId = typeof payload.runId === 'string' ? payload.runId : this.#runId;
    const outcome = await wait(this.#store, { runId, job: stringOr(payload.job, job), upstream, token });
    if (outcome.complete) this.#answer(token, outcome.output);
    return answered;
  }

  async #release(job: string, payload: JsonObject): Promise<JsonValue> {
    const runId = typeof payload.runId === 'string' ? payload.runId : this.#runId;
    const released = stringOr(payload.job, job);
    const completions = await release(this.#store, { runId, job: released, result: payload.result ?? null });
    for (const { token, output } of completions) this.#answer(token, output);
    return { StatusCode: 200, Payload: { released: completions.length } };
  }

  /**
   * A stop state: `ecs:listTasks` lists the job's running attempts, `ecs:stopTask` stops one;
   * any other resource stops them all.
   */
  #stop(job: string, resource: string, payload: JsonObject): JsonValue {
    const attempts = [...this.#running].filter((running) => running.job === job);
    if (resource.endsWith(':ecs:listTasks')) return { TaskArns: attempts.map((running) => running.taskArn) };
    const stopping = resource.endsWith(':ecs:stopTask')
      ? attempts.filter((running) => running.taskArn === payload.Task)
      : attempts;
    for (const running of stopping) {
      this.#record(job, 'stop', running.attempt);
      running.stop('stopped');
    }
    return { Task: { TaskArn: stringOr(payload.Task, ''), LastStatus: 'STOPPED' } };
  }

  async #part(info: StateInfo, payload: JsonObject): Promise<JsonValue> {
    const child = this.#output.children.find((machine) => machine.name === info.part);
    if (child === undefined) throw new HarnessError(`part "${info.part}" is not among the children`);
    const input =
      typeof payload.Input === 'string' ? (JSON.parse(payload.Input) as JsonValue) : (payload.Input ?? {});
    const outcome = await this.execute(child.asl, input);
    if (outcome.status === 'SUCCEEDED') return { Status: 'SUCCEEDED', Output: outcome.output };
    const description = { Status: 'FAILED', Error: outcome.error ?? null, Cause: outcome.cause ?? null };
    throw new TaskError('States.TaskFailed', JSON.stringify(description));
  }

  /** Stops the attempts inside a Parallel or Map that failed: the library aborts its branches. */
  async #watch(logs: AsyncGenerator<LibraryEvent>): Promise<void> {
    for await (const event of logs) {
      const state = event.state;
      const error = event.Error === undefined ? '' : ` ${event.Error}`;
      this.trace.push(`${event.type}${state === undefined ? '' : ` ${state.name}`}${error}`);
      if (event.type !== 'StateFailed' || state === undefined) continue;
      if (state.type !== 'Parallel' && state.type !== 'Map') continue;
      // One item's failure, counted: the other items share its state names and run on.
      if (isToleratedItem(state.name)) continue;
      for (const running of [...this.#running]) {
        const inside = this.#ancestors.get(running.state)?.includes(state.name) ?? false;
        // Only attempts that started before the failure; 1 ms of slack for whole-ms timestamps.
        if (inside && running.startedAt <= event.timestamp + 1) running.stop('stopped');
      }
    }
  }

  #answer(token: string, output: JsonValue): void {
    this.#waiting.get(token)?.(output);
    this.#waiting.delete(token);
  }

  #start(job: string): number {
    const attempt = (this.#attempts.get(job) ?? 0) + 1;
    this.#attempts.set(job, attempt);
    this.#record(job, 'start', attempt);
    return attempt;
  }

  #end(running: Running, outcome: JobOutcome): void {
    if (!this.#running.delete(running)) return;
    this.#record(running.job, 'end', running.attempt, outcome);
  }

  #record(job: string, kind: JobEvent['kind'], attempt: number, outcome?: JobOutcome): void {
    this.events.push({ job, kind, at: now(), attempt, ...(outcome === undefined ? {} : { outcome }) });
  }

  #sleep(workflowMs: number): Promise<void> {
    return new Promise((resolve) => {
      const settle = () => {
        clearTimeout(timer);
        this.#pending.delete(settle);
        resolve();
      };
      const timer = setTimeout(settle, this.#ms(workflowMs));
      this.#pending.add(settle);
    });
  }

  #ms(workflowMs: number): number {
    return workflowMs * this.#scale;
  }

  #seconds(workflowSeconds: number): number {
    return Math.min(workflowSeconds * this.#scale, MAX_TIMEOUT_SECONDS);
  }
}

/** The fields of the library's event log that the harness reads. */
interface LibraryEvent {
  readonly type: string;
  readonly timestamp: number;
  readonly state?: { readonly name: string; readonly type: string };
  readonly Error?: string;
}

type Exit = number | 'unplaced' | 'stopped';

interface Ended {
  readonly attempt: number;
  readonly exit: Exit;
}

/** A DescribeTasks task, as `ecs:runTask.sync` returns it and puts in `Cause` on failure. */
function ecsTask(job: string, attempt: number, exit: Exit): JsonObject {
  const taskArn = taskArnOf(job, attempt);
  if (exit === 'unplaced') {
    return {
      TaskArn: taskArn,
      LastStatus: 'STOPPED',
      Containers: [{ Name: 'main', LastStatus: 'STOPPED' }],
      StopCode: 'TaskFailedToStart',
      StoppedReason: `CannotPullContainerError: pull image manifest has been retried 5 time(s): ${job}: not found`,
    };
  }
  const stopped = exit === 'stopped';
  return {
    TaskArn: taskArn,
    LastStatus: 'STOPPED',
    Containers: [{ Name: 'main', ExitCode: stopped ? 137 : exit, LastStatus: 'STOPPED' }],
    StopCode: stopped ? 'UserInitiated' : 'EssentialContainerExited',
    StoppedReason: stopped ? 'Task stopped by user' : 'Essential container in task exited',
  };
}

function taskArnOf(job: string, attempt: number): string {
  return `arn:aws:ecs:local:000000000000:task/waterflow/${encodeURIComponent(job)}-${attempt}`;
}

/** A DescribeExecution answer, as `states:startExecution.sync:2` returns it. */
function nestedExecution(job: string, attempt: number, exit: Exit): JsonObject {
  const status = exit === 0 ? 'SUCCEEDED' : exit === 'stopped' ? 'ABORTED' : 'FAILED';
  return {
    ExecutionArn: `arn:aws:states:local:000000000000:execution:${encodeURIComponent(job)}:${attempt}`,
    Status: status,
    Output: status === 'SUCCEEDED' ? {} : null,
  };
}

function describeFailure(error: unknown): { error: string; cause: string } {
  if (error instanceof ExecutionTimeoutError)
    return { error: 'States.Timeout', cause: 'the execution timed out' };
  if (error instanceof ExecutionError && error.cause instanceof Error) {
    return { error: error.cause.name, cause: error.cause.message };
  }
  throw error;
}

/** Checks the ASL as the library would before running it. */
function validateAsl(asl: Asl): void {
  new StateMachine(structuredClone(asl) as unknown as StateMachineDefinition, {
    validationOptions: { checkArn: true, checkPaths: true },
  });
}

function runIdOf(input: JsonValue): string {
  const run = isObject(input) ? input.run : undefined;
  return isObject(run) && typeof run.id === 'string' ? run.id : 'test-run';
}

/** A `lambda:invoke` Task's `Payload`, or the whole input of another integration. */
function payloadOf(input: JsonValue): JsonObject {
  if (!isObject(input)) return {};
  return isObject(input.Payload) ? input.Payload : input;
}

function resourceOf(state: JsonObject): string {
  return stringOr(state.Resource, '');
}

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isString(value: JsonValue): value is string {
  return typeof value === 'string';
}

function arrayOf(value: JsonValue | undefined): JsonObject[];
function arrayOf<T extends JsonValue>(
  value: JsonValue | undefined,
  guard: (item: JsonValue) => item is T,
): T[];
function arrayOf(value: JsonValue | undefined, guard: (item: JsonValue) => boolean = isObject): JsonValue[] {
  return Array.isArray(value) ? value.filter(guard) : [];
}

function numberOr(value: JsonValue | undefined, fallback: number): number {
  return typeof value === 'number' ? value : fallback;
}

function stringOr(value: JsonValue | undefined, fallback: string): string {
  return typeof value === 'string' ? value : fallback;
}
