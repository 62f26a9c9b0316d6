import type { JsonValue, TaskState } from '../../compiler/asl/types.js';
import type { StateInfo } from '../../compiler/compile/output.js';
import { invalidAsl, SimulationError } from './errors.js';
import type { Host } from './types.js';

/** A Task whose Parameters have been evaluated, and what to call with its raw result. */
export interface TaskCall {
  readonly stateName: string;
  readonly state: TaskState;
  readonly info: StateInfo | undefined;
  readonly parameters: JsonValue;
  readonly finish: (raw: JsonValue) => void;
}

/** What a successful job reports, as docs/compilation.md writes it to `$.jobs.<job>`. */
export const SUCCESS: JsonValue = { r: 'success', ok: true, x: 0 };

/** The DescribeTasks task an `ecs:runTask.sync` returns when the container exits 0. */
const ECS_TASK: JsonValue = {
  LastStatus: 'STOPPED',
  StopCode: 'EssentialContainerExited',
  StoppedReason: 'Essential container in task exited',
  Containers: [{ Name: 'main', ExitCode: 0, LastStatus: 'STOPPED' }],
};

/** DescribeMapRun of a Map Run whose items all succeeded (the simulator's items never fail). */
const MAP_RUN: JsonValue = {
  Status: 'SUCCEEDED',
  ItemCounts: { Pending: 0, Running: 0, Succeeded: 0, Failed: 0, TimedOut: 0, Aborted: 0, Total: 0 },
};

function staticResult(resource: string): JsonValue {
  if (resource.includes(':ecs:runTask')) return ECS_TASK;
  if (resource.endsWith(':sfn:describeMapRun')) return MAP_RUN;
  if (resource.includes(':states:startExecution')) return { Status: 'SUCCEEDED', Output: {} };
  if (resource.endsWith('.waitForTaskToken')) return SUCCESS;
  return { StatusCode: 200, Payload: SUCCESS };
}

function isObject(value: JsonValue | undefined): value is { [key: string]: JsonValue } {
  return value !== null && value !== undefined && typeof value === 'object' && !Array.isArray(value);
}

/** A Lambda call's payload: `Parameters.Payload`, or the Parameters themselves. */
function payloadOf(parameters: JsonValue): { [key: string]: JsonValue } {
  if (!isObject(parameters)) return {};
  return isObject(parameters.Payload) ? parameters.Payload : parameters;
}

function jobOf(call: TaskCall): string {
  const job = call.info?.job ?? payloadOf(call.parameters).job;
  if (typeof job !== 'string')
    throw invalidAsl(`state "${call.stateName}" (${call.info?.role}) names no job`);
  return job;
}

function runJob(host: Host, call: TaskCall): void {
  const job = jobOf(call);
  const duration = host.options.durations(job);
  if (!Number.isFinite(duration) || duration < 0) {
    throw new SimulationError('missing-input', `no duration for job "${job}" (got ${duration})`);
  }
  const latency = call.state.Resource.includes(':ecs:runTask') ? (host.options.taskStartLatency ?? 0) : 0;
  const target = { stateName: call.stateName, state: call.state, info: call.info };
  const result = host.options.taskResult?.(target) ?? staticResult(call.state.Resource);
  host.jobEvent(job, 'start');
  host.queue.schedule(latency + duration, () => {
    host.jobEvent(job, 'end');
    // The recorder sees the task stop and releases the job's gated dependants itself.
    if (host.releasedOnSuccess.has(job)) host.gates.release(job, SUCCESS);
    call.finish(result);
  });
}

function waitAtGate(host: Host, call: TaskCall): void {
  const upstream = payloadOf(call.parameters).upstream;
  if (!Array.isArray(upstream) || !upstream.every((u): u is string => typeof u === 'string')) {
    throw invalidAsl(`gate "${call.stateName}" has no "upstream" list of job names in its payload`);
  }
  const g = host.options.gateLatency ?? 0;
  host.gates.wait(call.stateName, upstream, (results) => host.queue.schedule(g, () => call.finish(results)));
}

// The release is recorded when the state starts: the gate's g covers the time until the waiting
// gate hears of it, so a gated edge costs g in all, while a synchronous release call still holds
// its own branch for g.
function release(host: Host, call: TaskCall): void {
  const payload = payloadOf(call.parameters);
  host.gates.release(jobOf(call), payload.result ?? SUCCESS);
  host.queue.schedule(callLatency(host, call), () => call.finish(staticResult(call.state.Resource)));
}

/** g for a Lambda call, 0 for an asynchronous one (`InvocationType: Event` returns at once). */
function callLatency(host: Host, call: TaskCall): number {
  const asynchronous = isObject(call.parameters) && call.parameters.InvocationType === 'Event';
  return asynchronous ? 0 : (host.options.gateLatency ?? 0);
}

function runPart(host: Host, call: TaskCall): void {
  const name = call.info?.part;
  const machine = name === undefined ? undefined : host.options.children?.get(name);
  if (name === undefined || machine === undefined) {
    throw invalidAsl(`part state "${call.stateName}" names no known child machine (${name})`);
  }
  const input = isObject(call.parameters) ? (call.parameters.Input ?? {}) : {};
  const parsed = typeof input === 'string' ? (JSON.parse(input) as JsonValue) : input;
  host.startExecution(name, machine, parsed, (output) =>
    call.finish({ Status: 'SUCCEEDED', Output: output }),
  );
}

/**
 * Starts a Task by its role: `run` takes S (ECS only) plus the job's duration, and releases the
 * job when it ends if its state map entry says `releasedOnSuccess`; a `gate` ends g after its
 * last upstream job is released (or g after it starts); a `release` releases its job and takes g
 * (0 when invoked asynchronously); a `part` runs its child machine; any other Task is a service
 * call taking g (0 when asynchronous).
 */
export function startTask(host: Host, call: TaskCall): void {
  const role = call.info?.role;
  if (role === 'run') runJob(host, call);
  else if (role === 'gate') waitAtGate(host, call);
  else if (role === 'release') release(host, call);
  else if (role === 'part') runPart(host, call);
  else {
    const target = { stateName: call.stateName, state: call.state, info: call.info };
    const result = host.options.taskResult?.(target) ?? staticResult(call.state.Resource);
    host.queue.schedule(callLatency(host, call), () => call.finish(result));
  }
}
