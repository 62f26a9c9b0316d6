import type { SFNClient } from '@aws-sdk/client-sfn';
import type { JsonValue } from '../../compiler/asl/types.js';
import {
  type Clock,
  GateError,
  type ReleaseRequest,
  release,
  type WaitRequest,
  wait,
} from '../../runtime/gates.js';
import type { GateStore } from '../../runtime/store.js';
import { answerTask, type Delivery } from '../shared/task-tokens.js';

/**
 * The gate Lambda (docs/compilation.md, "The graph"): `wait` from a `<job> gate` Task
 * (`lambda:invoke.waitForTaskToken`) and `release` from a `<job> done` Task (`lambda:invoke`,
 * `InvocationType: Event`) or from the recorder when an ECS task of a `releasedOnSuccess` job
 * exits 0 (runtime/job-events.ts). The gate logic is runtime/gates.ts; here a completed gate's
 * token is answered with `SendTaskSuccess`.
 */

export interface GateDeps {
  readonly store: GateStore;
  readonly sfn: SFNClient;
  readonly clock: Clock;
  /** Told about gates whose task no longer waits (the run ended); never given the token. */
  readonly onUndelivered?: (
    runId: string,
    job: string,
    delivery: Exclude<Delivery, { delivered: true }>,
  ) => void;
}

export type GateEvent =
  | ({ readonly action: 'wait' } & WaitRequest)
  | ({ readonly action: 'release' } & ReleaseRequest);

/** What the Lambda returns: for `wait`, Step Functions ignores it (the task waits for its token). */
export type GateResult =
  | { readonly action: 'wait'; readonly complete: boolean }
  | { readonly action: 'release'; readonly released: number };

/** Handles one gate event; a completed gate's waiting task gets the upstream results. */
export async function handleGateEvent(event: unknown, deps: GateDeps): Promise<GateResult> {
  const request = readGateEvent(event);
  if (request.action === 'wait') {
    const outcome = await wait(deps.store, request, deps.clock);
    if (outcome.complete) await answer(deps, request.runId, request.job, request.token, outcome.output);
    return { action: 'wait', complete: outcome.complete };
  }
  return { action: 'release', released: await releaseAndAnswer(request, deps) };
}

/**
 * Releases `request.job` and answers every gate this completes; returns how many. Every gate is
 * answered before a failure to answer one is thrown.
 */
export async function releaseAndAnswer(request: ReleaseRequest, deps: GateDeps): Promise<number> {
  const completions = await release(deps.store, request, deps.clock);
  const answered = await Promise.allSettled(
    completions.map(({ token, output }) => answer(deps, request.runId, request.job, token, output)),
  );
  const failed = answered.find((result) => result.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
  return completions.length;
}

async function answer(
  deps: GateDeps,
  runId: string,
  job: string,
  token: string,
  output: JsonValue,
): Promise<void> {
  const delivery = await answerTask(deps.sfn, { token, output });
  // A run that ended (stopped, failed elsewhere, timed out) no longer waits: nothing to do.
  if (!delivery.delivered) deps.onUndelivered?.(runId, job, delivery);
}

/** The Task's payload, checked: the ASL builds it, but a Lambda can be invoked by anyone allowed. */
export function readGateEvent(event: unknown): GateEvent {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    throw new GateError('the gate event is not an object');
  }
  const fields = event as Record<string, unknown>;
  const runId = text(fields, 'runId');
  const job = text(fields, 'job');
  if (fields.action === 'wait') {
    const upstream = fields.upstream;
    if (!Array.isArray(upstream) || !upstream.every((name) => typeof name === 'string' && name !== '')) {
      throw new GateError('a gate wait needs "upstream": a list of job names');
    }
    return { action: 'wait', runId, job, upstream, token: text(fields, 'token') };
  }
  if (fields.action === 'release') {
    if (!('result' in fields)) throw new GateError('a gate release needs the job\'s "result"');
    return { action: 'release', runId, job, result: fields.result as JsonValue };
  }
  throw new GateError(
    `the gate Lambda handles actions "wait" and "release", found ${JSON.stringify(fields.action) ?? 'none'}`,
  );
}

function text(fields: Record<string, unknown>, name: string): string {
  const value = fields[name];
  if (typeof value !== 'string' || value === '')
    throw new GateError(`a gate event needs a non-empty "${name}"`);
  return value;
}
