import { createHash } from 'node:crypto';
import type { JsonValue } from '../compiler/asl/types.js';
import type { GateStore, StoreItem, StoreKey } from './store.js';

/**
 * Gates release a job whose upstream jobs are not ordered before it by the state machine's
 * structure (docs/compilation.md, "The graph"). A gate waits on a task token; each upstream
 * job's `done` state releases it; the last release answers the token. Both runtimes call these
 * functions, the cloud one from the gate Lambda and the local one from its Task overrides.
 *
 * Without transactions, exactly one caller completes a gate:
 * - `wait` writes the gate (counter = number of upstream jobs), then one index item per
 *   upstream job, then looks for releases already recorded;
 * - `release` records the release, then looks for gates indexed under the job.
 * Each side writes before it reads, so at least one of them sees the other; both may, so every
 * (gate, upstream) pair is counted through a put-if-absent marker before the counter goes down.
 * The caller whose decrement reaches zero gets the token to answer; nobody else does.
 *
 * A crash between a marker and its decrement leaves that gate waiting: the gate state's own
 * timeout is what ends such a run.
 */

/** Milliseconds since the epoch; passed in so that tests and replays control time. */
export type Clock = () => number;

/** The system clock. */
export const systemClock: Clock = () => Date.now();

export interface ReleaseRequest {
  readonly runId: string;
  /** The job that ended. */
  readonly job: string;
  /** Its result, `{ r, ok, x?, o? }` (docs/compilation.md, "The state data"). */
  readonly result: JsonValue;
}

export interface WaitRequest {
  readonly runId: string;
  /** The gated job. */
  readonly job: string;
  /** The jobs it waits for. */
  readonly upstream: ReadonlyArray<string>;
  /** The task token to answer once every upstream job has been released. */
  readonly token: string;
}

/** What a completed gate answers: each upstream job's released result, by job name. */
export type GateOutput = { readonly [upstream: string]: JsonValue };

/** A token to answer (cloud: `SendTaskSuccess`; local: resolve the waiting task). */
export interface GateCompletion {
  readonly token: string;
  readonly output: GateOutput;
}

export type WaitOutcome =
  | { readonly complete: true; readonly output: GateOutput }
  | { readonly complete: false };

/** A gate request or record that cannot be right; `code` is stable. */
export class GateError extends Error {
  readonly code: 'WF9001';

  constructor(message: string) {
    super(message);
    this.name = 'Waterflow.GateError';
    this.code = 'WF9001';
  }
}

/**
 * Records that `job` ended with `result` and returns the gates this completes. A second release
 * of the same job keeps the first result and completes nothing more; it also finishes the work of
 * a first release that stopped half-way.
 */
export async function release(
  store: GateStore,
  request: ReleaseRequest,
  clock: Clock = systemClock,
): Promise<GateCompletion[]> {
  requireName('job', request.job);
  const keys = new GateKeys(request.runId);
  await store.putIfAbsent(keys.release(request.job), {
    job: request.job,
    result: request.result,
    releasedAt: clock(),
  });
  const waiting = await store.query(keys.pk, keys.waitersPrefix(request.job));
  const completions: GateCompletion[] = [];
  for (const { item } of waiting) {
    const completion = await count(store, keys, readString(item, 'gate'), request.job, clock);
    if (completion !== undefined) completions.push(completion);
  }
  return completions;
}

/**
 * Registers a gate on `upstream` and counts the upstream jobs already released. Returns the
 * output when this call completes the gate; then the caller answers the token itself. A
 * redelivered wait (same job and token) counts nothing twice and completes nothing twice.
 */
export async function wait(
  store: GateStore,
  request: WaitRequest,
  clock: Clock = systemClock,
): Promise<WaitOutcome> {
  requireName('job', request.job);
  const upstream = [...new Set(request.upstream)];
  for (const name of upstream) requireName('upstream job', name);
  if (upstream.includes(request.job)) {
    throw new GateError(`job "${request.job}" cannot wait for itself`);
  }
  const keys = new GateKeys(request.runId);
  const gate = keys.gateId(request.job, request.token);
  const created = await store.putIfAbsent(keys.gate(gate), {
    job: request.job,
    token: request.token,
    upstream,
    remaining: upstream.length,
    registeredAt: clock(),
  });
  if (upstream.length === 0) {
    return created ? { complete: true, output: {} } : { complete: false };
  }
  // The index must be complete before the releases are read: a release that this read misses
  // then finds the index.
  await Promise.all(upstream.map((name) => store.putIfAbsent(keys.waiter(name, gate), { gate })));
  for (const name of upstream) {
    if ((await store.get(keys.release(name))) === undefined) continue;
    const completion = await count(store, keys, gate, name, clock);
    if (completion !== undefined) return { complete: true, output: completion.output };
  }
  return { complete: false };
}

/** Counts `upstream` once for `gate`; returns the completion when this count was the last. */
async function count(
  store: GateStore,
  keys: GateKeys,
  gate: string,
  upstream: string,
  clock: Clock,
): Promise<GateCompletion | undefined> {
  const first = await store.putIfAbsent(keys.counted(gate, upstream), { countedAt: clock() });
  if (!first) return undefined;
  const remaining = await store.addAndGet(keys.gate(gate), 'remaining', -1);
  if (remaining !== 0) return undefined;
  return completion(store, keys, gate);
}

async function completion(store: GateStore, keys: GateKeys, gate: string): Promise<GateCompletion> {
  const record = await store.get(keys.gate(gate));
  if (record === undefined) throw new GateError(`gate ${gate} of run ${keys.runId} is missing`);
  const upstream = record.upstream;
  if (!Array.isArray(upstream) || !upstream.every((name) => typeof name === 'string')) {
    throw new GateError(`gate ${gate} of run ${keys.runId} has no upstream list`);
  }
  const output: Record<string, JsonValue> = {};
  for (const name of upstream) {
    const released = await store.get(keys.release(name));
    if (released === undefined || released.result === undefined) {
      throw new GateError(
        `gate ${gate} of run ${keys.runId} was counted for "${name}", which has no release`,
      );
    }
    output[name] = released.result;
  }
  return { token: readString(record, 'token'), output };
}

/**
 * Whether an item is one that says what happened (a gate with its upstream jobs and count, a
 * job's release with its result), as opposed to the waiter index and the count markers, which
 * only the protocol itself reads while the run goes on.
 */
export function isGateRecord(key: StoreKey): boolean {
  return key.sk.startsWith('gate#') || key.sk.startsWith('release#');
}

/**
 * Where gate items live: one partition per run. Names are URI-encoded, so `#` only ever
 * separates; the token is hashed because tokens can outgrow a DynamoDB sort key.
 */
class GateKeys {
  readonly runId: string;
  readonly pk: string;

  constructor(runId: string) {
    requireName('runId', runId);
    this.runId = runId;
    this.pk = `run#${encodeURIComponent(runId)}`;
  }

  gateId(job: string, token: string): string {
    const digest = createHash('sha256').update(token).digest('hex').slice(0, 32);
    return `${encodeURIComponent(job)}@${digest}`;
  }

  gate(gate: string): StoreKey {
    return { pk: this.pk, sk: `gate#${gate}` };
  }

  release(job: string): StoreKey {
    return { pk: this.pk, sk: `release#${encodeURIComponent(job)}` };
  }

  waitersPrefix(upstream: string): string {
    return `waiter#${encodeURIComponent(upstream)}#`;
  }

  waiter(upstream: string, gate: string): StoreKey {
    return { pk: this.pk, sk: `${this.waitersPrefix(upstream)}${gate}` };
  }

  counted(gate: string, upstream: string): StoreKey {
    return { pk: this.pk, sk: `counted#${gate}#${encodeURIComponent(upstream)}` };
  }
}

function requireName(what: string, value: string): void {
  if (value.length === 0) throw new GateError(`a gate request needs a non-empty ${what}`);
}

function readString(item: StoreItem, field: string): string {
  const value = item[field];
  if (typeof value !== 'string') throw new GateError(`gate item has no string field "${field}"`);
  return value;
}
