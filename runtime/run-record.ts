import type { JsonValue } from '../compiler/asl/types.js';
import type { Store, StoreItem, StoreKey } from './store.js';

/**
 * The run record: an append-only event log per run and a snapshot folded from it. Both
 * runtimes write it through these functions (local: the engine; cloud: the recorder Lambda, see
 * run-log.ts). The local fold ignores duplicate sequence numbers and orders by them; the cloud
 * fold keys events by an idempotent id and orders by time, since its events arrive in any order.
 */

export type RunStatus = 'running' | 'succeeded' | 'failed' | 'cancelled' | 'interrupted';

export type JobStatus =
  | 'pending'
  | 'waiting'
  | 'running'
  | 'retrying'
  | 'succeeded'
  | 'failed'
  | 'skipped'
  | 'cancelled';

export interface JobRecord {
  readonly status: JobStatus;
  readonly attempts: number;
  readonly exitCode?: number;
  readonly startedAt?: string;
  readonly endedAt?: string;
  readonly reason?: string;
  /** True when a rerun took the job's result from the run it reruns instead of running it. */
  readonly reused?: true;
  /** Where the job's latest attempt logs (the cloud: a CloudWatch console link). */
  readonly logUrl?: string;
}

/** Who runs a local run: a run whose process is gone is shown as interrupted. */
export interface RunOwner {
  readonly pid: number;
  readonly host: string;
}

export interface RunRecord {
  readonly runId: string;
  readonly workflow: string;
  readonly status: RunStatus;
  readonly params: { readonly [name: string]: JsonValue };
  readonly startedAt: string;
  readonly endedAt?: string;
  readonly reason?: string;
  /** The workflow file, as given to `waterflow run`. */
  readonly file?: string;
  readonly rerunOf?: string;
  readonly owner?: RunOwner;
  readonly jobs: { readonly [job: string]: JobRecord };
  /** Events folded into this snapshot: a snapshot with more is newer. */
  readonly events: number;
}

export type RunEvent =
  | {
      readonly kind: 'run-started';
      readonly at: string;
      readonly workflow: string;
      readonly params: { readonly [name: string]: JsonValue };
      readonly jobs: ReadonlyArray<string>;
      readonly file?: string;
      readonly rerunOf?: string;
      readonly owner?: RunOwner;
    }
  | {
      readonly kind: 'job-started';
      readonly at: string;
      readonly job: string;
      readonly attempt: number;
      readonly logUrl?: string;
    }
  | {
      readonly kind: 'job-waiting';
      readonly at: string;
      readonly job: string;
      readonly reason: string;
    }
  | {
      readonly kind: 'job-ended';
      readonly at: string;
      readonly job: string;
      readonly status: 'succeeded' | 'failed' | 'retrying' | 'skipped' | 'cancelled';
      readonly attempt?: number;
      readonly exitCode?: number;
      readonly reason?: string;
      readonly reused?: true;
    }
  | {
      readonly kind: 'run-ended';
      readonly at: string;
      readonly status: Exclude<RunStatus, 'running'>;
      readonly reason?: string;
    }
  /** An ended run runs again (the cloud: `RedriveExecution`); its later events count again. */
  | { readonly kind: 'run-resumed'; readonly at: string };

/** An event as stored: with its place in the log. */
export type LoggedEvent = RunEvent & { readonly seq: number };

const TERMINAL: ReadonlySet<JobStatus> = new Set(['succeeded', 'failed', 'skipped', 'cancelled']);

/** Folds `events` (any order, duplicates allowed) into the run's snapshot. */
export function foldRun(runId: string, events: ReadonlyArray<LoggedEvent>): RunRecord | undefined {
  const unique = new Map<number, LoggedEvent>();
  for (const event of events) unique.set(event.seq, event);
  const ordered = [...unique.values()].sort((a, b) => a.seq - b.seq);
  let record: RunRecord | undefined;
  for (const event of ordered) record = applyEvent(record, runId, event, { inPlace: true });
  return record === undefined ? undefined : { ...record, events: ordered.length };
}

/**
 * One step of the fold; events before `run-started` wait for it (they are dropped). With
 * `inPlace`, a job's change is written into `record.jobs` instead of a copy of it: for a caller
 * that owns the record, since copying a 1,000-job map per event made a run's fold quadratic.
 */
export function applyEvent(
  record: RunRecord | undefined,
  runId: string,
  event: RunEvent,
  { inPlace = false }: { readonly inPlace?: boolean } = {},
): RunRecord | undefined {
  const withJob = inPlace ? withJobInPlace : withJobCopied;
  if (event.kind === 'run-started') {
    const jobs: Record<string, JobRecord> = {};
    for (const job of event.jobs) jobs[job] = record?.jobs[job] ?? { status: 'pending', attempts: 0 };
    return {
      runId,
      workflow: event.workflow,
      status: record?.status ?? 'running',
      params: event.params,
      startedAt: event.at,
      ...(record?.endedAt === undefined ? {} : { endedAt: record.endedAt }),
      ...(event.file === undefined ? {} : { file: event.file }),
      ...(event.rerunOf === undefined ? {} : { rerunOf: event.rerunOf }),
      ...(event.owner === undefined ? {} : { owner: event.owner }),
      jobs: { ...record?.jobs, ...jobs },
      events: (record?.events ?? 0) + 1,
    };
  }
  if (record === undefined) return undefined;
  const next = { ...record, events: record.events + 1 };
  switch (event.kind) {
    case 'run-resumed': {
      const { endedAt: _ended, reason: _reason, ...rest } = next;
      return { ...rest, status: 'running' };
    }
    case 'run-ended': {
      const jobs: Record<string, JobRecord> = {};
      for (const [name, job] of Object.entries(record.jobs)) jobs[name] = closeJob(job, event);
      return {
        ...next,
        status: event.status,
        endedAt: event.at,
        ...(event.reason === undefined ? {} : { reason: event.reason }),
        jobs,
      };
    }
    case 'job-started': {
      const job = record.jobs[event.job] ?? { status: 'pending', attempts: 0 };
      const { endedAt: _ended, reason: _reason, exitCode: _exit, ...rest } = job;
      return withJob(next, event.job, {
        ...rest,
        status: 'running',
        attempts: Math.max(job.attempts, event.attempt),
        startedAt: job.startedAt ?? event.at,
        ...(event.logUrl === undefined ? {} : { logUrl: event.logUrl }),
      });
    }
    case 'job-waiting': {
      const job = record.jobs[event.job] ?? { status: 'pending', attempts: 0 };
      return withJob(next, event.job, {
        ...job,
        status: 'waiting',
        startedAt: job.startedAt ?? event.at,
        reason: event.reason,
      });
    }
    case 'job-ended': {
      const job = record.jobs[event.job] ?? { status: 'pending', attempts: 0 };
      return withJob(next, event.job, {
        ...job,
        status: event.status,
        attempts: Math.max(job.attempts, event.attempt ?? 0),
        ...(event.exitCode === undefined ? {} : { exitCode: event.exitCode }),
        ...(event.reason === undefined ? {} : { reason: event.reason }),
        ...(event.reused === undefined ? {} : { reused: event.reused }),
        ...(event.status === 'retrying' ? {} : { endedAt: event.at }),
      });
    }
  }
}

function withJobCopied(record: RunRecord, name: string, job: JobRecord): RunRecord {
  return { ...record, jobs: { ...record.jobs, [name]: job } };
}

function withJobInPlace(record: RunRecord, name: string, job: JobRecord): RunRecord {
  (record.jobs as Record<string, JobRecord>)[name] = job;
  return record;
}

/** What a job that had not ended becomes when the run ends. */
function closeJob(job: JobRecord, end: Extract<RunEvent, { kind: 'run-ended' }>): JobRecord {
  if (TERMINAL.has(job.status)) return job;
  if (job.status === 'pending') {
    const reason =
      end.status === 'succeeded' ? 'not needed by this run' : `not started: the run ${end.status}`;
    return { ...job, status: end.status === 'cancelled' ? 'cancelled' : 'skipped', reason };
  }
  const reason = end.status === 'cancelled' ? 'the run was cancelled' : `stopped: the run ${end.status}`;
  return { ...job, status: job.status === 'retrying' ? 'failed' : 'cancelled', endedAt: end.at, reason };
}

/** The keys of a run's items: one partition per run, one partition listing runs by start time. */
export const RUNS_PK = 'runs';
export const runPk = (runId: string) => `run#${runId}`;
export const SNAPSHOT_SK = 'snapshot';
const eventSk = (seq: number) => `event#${String(seq).padStart(10, '0')}`;

/** Where the event numbered `seq` of a run is stored. */
export function eventKey(runId: string, seq: number): StoreKey {
  return { pk: runPk(runId), sk: eventSk(seq) };
}

/**
 * Keeps one run's record: appends events and writes the snapshot after each. One writer per
 * run (the local engine, or the recorder with its own sequence numbers).
 */
export class RunRecorder {
  readonly #store: Store;
  readonly #runId: string;
  readonly #snapshotEveryMs: number;
  #record: RunRecord | undefined;
  #seq = 0;
  #writing: Promise<void> = Promise.resolve();
  #failure: unknown;
  #ended = false;
  #snapshotTimer: ReturnType<typeof setTimeout> | undefined;
  /** Events not yet written, in order, and other items (the run's index entry). */
  readonly #pendingEvents: LoggedEvent[] = [];
  readonly #onLogged: ((event: LoggedEvent) => void) | undefined;
  readonly #pending: Array<{ readonly key: StoreKey; readonly item: StoreItem }> = [];

  /**
   * Events are written one by one, in order; the snapshot (the whole record, large for a big
   * run) at most every `snapshotEveryMs`, at the start and at the end. The event log is the
   * truth: a reader that finds the snapshot behind a run whose process died folds the events.
   */
  constructor(
    store: Store,
    runId: string,
    options: {
      readonly snapshotEveryMs?: number;
      /** Called with each event as numbered, before `append` returns (the local journal). */
      readonly onLogged?: (event: LoggedEvent) => void;
    } = {},
  ) {
    this.#store = store;
    this.#runId = runId;
    this.#onLogged = options.onLogged;
    this.#snapshotEveryMs = options.snapshotEveryMs ?? 250;
  }

  get record(): RunRecord | undefined {
    return this.#record;
  }

  /**
   * Applies `event` now and writes it in order behind the previous writes. Events after
   * `run-ended` change nothing: the record of an ended run is final.
   */
  append(event: RunEvent): RunRecord | undefined {
    if (this.#ended) return this.#record;
    if (event.kind === 'run-ended') this.#ended = true;
    const seq = ++this.#seq;
    // In place: the recorder owns its record; snapshots are serialized when taken, not when written.
    this.#record = applyEvent(this.#record, this.#runId, event, { inPlace: true });
    const logged = { ...event, seq } as LoggedEvent;
    this.#onLogged?.(logged);
    this.#pendingEvents.push(logged);
    if (event.kind === 'run-started') {
      this.#pending.push({
        key: { pk: RUNS_PK, sk: `${event.at}#${this.#runId}` },
        item: { runId: this.#runId, workflow: event.workflow, startedAt: event.at },
      });
    }
    // One queued write takes every event pending when it runs: a busy run writes in batches.
    this.#enqueue(async () => {
      const batch = [...eventPages(this.#runId, this.#pendingEvents.splice(0)), ...this.#pending.splice(0)];
      if (batch.length > 0) await this.#store.putAll(batch);
    });
    if (event.kind === 'run-started' || event.kind === 'run-ended') this.#snapshotNow();
    else this.#snapshotSoon();
    return this.#record;
  }

  /** Resolves once every event so far is written; rejects with the first failed write. */
  async flush(): Promise<void> {
    await this.#writing;
    if (this.#failure !== undefined) throw this.#failure;
  }

  #enqueue(write: () => Promise<void>): void {
    this.#writing = this.#writing.then(async () => {
      if (this.#failure !== undefined) return;
      try {
        await write();
      } catch (error) {
        // Kept for flush(): one lost write must not become an unhandled rejection mid-run.
        this.#failure = error;
      }
    });
  }

  #snapshotSoon(): void {
    if (this.#snapshotTimer !== undefined) return;
    this.#snapshotTimer = setTimeout(() => this.#snapshotNow(), this.#snapshotEveryMs);
    this.#snapshotTimer.unref?.();
  }

  #snapshotNow(): void {
    clearTimeout(this.#snapshotTimer);
    this.#snapshotTimer = undefined;
    if (this.#record === undefined) return;
    // Serialized now: the record changes in place after this, and the write may wait its turn.
    const item = snapshotItem(this.#record);
    this.#enqueue(async () => {
      await this.#store.putIfNewer({ pk: runPk(this.#runId), sk: SNAPSHOT_SK }, item, 'events');
    });
  }
}

/**
 * The snapshot item: the record as one JSON string, plus the fields that queries and the
 * newer-wins write read. As nested attributes, a 1,000-job record cost the store about 70 ms to
 * marshal, check and write each time, and every flush behind it waited that long.
 */
export function snapshotItem(record: RunRecord): StoreItem {
  return {
    runId: record.runId,
    workflow: record.workflow,
    status: record.status,
    startedAt: record.startedAt,
    ...(record.endedAt === undefined ? {} : { endedAt: record.endedAt }),
    events: record.events,
    record: JSON.stringify(record),
  };
}

/** Reads a snapshot item; one written as nested attributes (before the JSON form) reads as it is. */
export function recordOfSnapshot(item: StoreItem): RunRecord {
  return typeof item.record === 'string'
    ? (JSON.parse(item.record) as RunRecord)
    : (item as unknown as RunRecord);
}

/** The run's snapshot, with a running run whose owner process is gone shown as interrupted. */
export async function readRun(
  store: Store,
  runId: string,
  isAlive: (owner: RunOwner) => boolean = () => true,
): Promise<RunRecord | undefined> {
  const item = await store.get({ pk: runPk(runId), sk: SNAPSHOT_SK });
  if (item === undefined) return undefined;
  const snapshot = recordOfSnapshot(item);
  if (snapshot.status !== 'running' || snapshot.owner === undefined || isAlive(snapshot.owner))
    return snapshot;
  // Its process died: the snapshot may lag the events it wrote last, so fold the log itself.
  const folded = foldRun(runId, await readEvents(store, runId)) ?? snapshot;
  return interruptedIfOrphaned(folded, isAlive);
}

/** Every run, newest first. */
export async function listRuns(
  store: Store,
  isAlive: (owner: RunOwner) => boolean = () => true,
): Promise<RunRecord[]> {
  const index = await store.query(RUNS_PK, '');
  const runs: RunRecord[] = [];
  for (const { item } of [...index].reverse()) {
    const run = await readRun(store, String(item.runId), isAlive);
    if (run !== undefined) runs.push(run);
  }
  return runs;
}

/** The run's event log, in order. */
export async function readEvents(store: Store, runId: string): Promise<LoggedEvent[]> {
  const items = await store.query(runPk(runId), 'event#');
  return items.flatMap(({ item }) =>
    typeof item.page === 'string'
      ? (JSON.parse(item.page) as LoggedEvent[])
      : [item as unknown as LoggedEvent],
  );
}

/** Events per stored page: a page of 200 short events stays far below DynamoDB's 400 KB item. */
const EVENTS_PER_PAGE = 200;

/**
 * Consecutive events as pages: one item each, under the key of its first event, holding them as
 * one JSON string. Written one item per event with nested attributes, a 1,000-job run's 2,000
 * events cost the local store about a quarter of a millisecond each; a page costs about that.
 * `readEvents` reads pages and single events (an event put back by itself) alike.
 */
function eventPages(
  runId: string,
  events: ReadonlyArray<LoggedEvent>,
): Array<{ key: StoreKey; item: StoreItem }> {
  const pages: Array<{ key: StoreKey; item: StoreItem }> = [];
  for (let i = 0; i < events.length; i += EVENTS_PER_PAGE) {
    const page = events.slice(i, i + EVENTS_PER_PAGE);
    const first = page[0] as LoggedEvent;
    pages.push({
      key: eventKey(runId, first.seq),
      item: {
        first: first.seq,
        last: (page[page.length - 1] as LoggedEvent).seq,
        page: JSON.stringify(page),
      },
    });
  }
  return pages;
}

function interruptedIfOrphaned(run: RunRecord, isAlive: (owner: RunOwner) => boolean): RunRecord {
  if (run.status !== 'running' || run.owner === undefined || isAlive(run.owner)) return run;
  const jobs: Record<string, JobRecord> = {};
  for (const [name, job] of Object.entries(run.jobs)) {
    jobs[name] = TERMINAL.has(job.status)
      ? job
      : { ...job, status: 'cancelled', reason: 'the process running it ended' };
  }
  return {
    ...run,
    status: 'interrupted',
    reason: `process ${run.owner.pid} on ${run.owner.host} ended`,
    jobs,
  };
}
