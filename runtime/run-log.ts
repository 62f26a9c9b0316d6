import {
  applyEvent,
  RUNS_PK,
  type RunEvent,
  type RunRecord,
  runPk,
  SNAPSHOT_SK,
  snapshotItem,
} from './run-record.js';
import type { Store, StoreItem, StoreKey } from './store.js';

/**
 * The cloud run record (docs/cloud.md, "Data model"). Unlike the local engine, the recorder has
 * no single writer and no sequence: events arrive from EventBridge and the submit handler in any
 * order, some twice. Each event is stored once under an idempotent id (a conditional put), and
 * the snapshot is the fold of the whole log in time order, written only when it folds more events
 * than the stored one. So a duplicate or a late event leaves the snapshot in-order delivery gives.
 */

/** The attribute DynamoDB's TTL deletes items by: epoch seconds, set on a run's items when it ends. */
export const TTL_ATTRIBUTE = 'ttl';

/** A run event with the id that makes writing it twice a no-op. */
export type KeyedEvent = RunEvent & { readonly id: string };

/** The partition listing a workflow's runs, newest last (`run#<startedAt>#<runId>`). */
export const workflowRunsPk = (workflow: string): string => `wf#${workflow}`;
export const WORKFLOW_RUN_PREFIX = 'run#';

const LOG_PREFIX = 'log#';
const logKey = (runId: string, event: KeyedEvent): StoreKey => ({
  pk: runPk(runId),
  sk: `${LOG_PREFIX}${event.at}#${event.id}`,
});

/** Ties between events of the same millisecond: a job starts before it ends, a run around its jobs. */
const RANK: Readonly<Record<RunEvent['kind'], number>> = {
  'run-started': 0,
  'run-resumed': 1,
  'job-started': 2,
  'job-waiting': 3,
  'job-ended': 4,
  'run-ended': 5,
};

function compareEvents(a: KeyedEvent, b: KeyedEvent): number {
  // The start opens the record whatever the clocks say: events folded before it would be lost.
  const started = Number(b.kind === 'run-started') - Number(a.kind === 'run-started');
  if (started !== 0) return started;
  if (a.at !== b.at) return a.at < b.at ? -1 : 1;
  if (a.kind !== b.kind) return RANK[a.kind] - RANK[b.kind];
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * Folds keyed events (any order, duplicates allowed) into the run's snapshot. A `job-started`
 * with attempt 0 (ECS does not say which attempt a task is) counts as the job's next attempt.
 */
export function foldKeyed(runId: string, events: ReadonlyArray<KeyedEvent>): RunRecord | undefined {
  const unique = new Map<string, KeyedEvent>();
  for (const event of events) if (!unique.has(event.id)) unique.set(event.id, event);
  const ordered = [...unique.values()].sort(compareEvents);
  const attempts = new Map<string, number>();
  let record: RunRecord | undefined;
  for (const event of ordered) {
    let applied: RunEvent = event;
    if (event.kind === 'job-started') {
      const attempt = Math.max((attempts.get(event.job) ?? 0) + 1, event.attempt);
      attempts.set(event.job, attempt);
      applied = { ...event, attempt };
    }
    record = applyEvent(record, runId, applied);
  }
  return record === undefined ? undefined : { ...record, events: ordered.length };
}

/** A run's cloud event log, in time order, without storage fields. */
export async function readKeyedEvents(store: Store, runId: string): Promise<KeyedEvent[]> {
  const items = await store.query(runPk(runId), LOG_PREFIX);
  return items.map(({ item }) => {
    const { [TTL_ATTRIBUTE]: _ttl, ...event } = item;
    return event as unknown as KeyedEvent;
  });
}

export interface RecordOptions {
  /** Seconds a run's items are kept after it ends (`ttlAfterFinished`); undefined keeps them. */
  readonly ttlAfterFinishedSeconds?: number;
}

export interface Recorded {
  /** The snapshot after these events; undefined while the log has no `run-started`. */
  readonly record: RunRecord | undefined;
  /** How many of the events were new (the others were duplicates). */
  readonly added: number;
}

/**
 * Appends `events` to the run's log (each once) and rewrites the snapshot from the whole log.
 * Racing recorders are safe: each writes its event before it reads the log, so the last reader
 * sees every event, and the snapshot store keeps the fold of the most events (`putIfNewer`).
 * When the run has ended and has a TTL, every item of the run gets `ttl`.
 */
export async function recordRunEvents(
  store: Store,
  runId: string,
  events: ReadonlyArray<KeyedEvent>,
  options: RecordOptions = {},
): Promise<Recorded> {
  let added = 0;
  for (const event of events) {
    if (await store.putIfAbsent(logKey(runId, event), event as unknown as StoreItem)) added += 1;
  }
  const logged = await store.query(runPk(runId), LOG_PREFIX);
  const record = foldKeyed(
    runId,
    logged.map(({ item }) => item as unknown as KeyedEvent),
  );
  if (record === undefined) return { record, added };
  const expiresAt = expiry(record, options.ttlAfterFinishedSeconds);
  const ttl = expiresAt === undefined ? {} : { [TTL_ATTRIBUTE]: expiresAt };
  await store.putIfNewer(
    { pk: runPk(runId), sk: SNAPSHOT_SK },
    { ...snapshotItem(record), ...ttl },
    'events',
  );
  const writes: Array<{ key: StoreKey; item: StoreItem }> = [];
  // The index items are rewritten when the start or the end passes by, redeliveries included, so
  // that a recorder that died after the log write still lists the run.
  if (events.some((event) => event.kind === 'run-started' || event.kind === 'run-ended')) {
    writes.push(...indexItems(record, ttl));
  }
  if (expiresAt !== undefined) {
    for (const { key, item } of logged) {
      if (item[TTL_ATTRIBUTE] !== expiresAt) writes.push({ key, item: { ...item, ...ttl } });
    }
  }
  if (writes.length > 0) await store.putAll(writes);
  return { record, added };
}

/** The run's entries in the list of all runs and in its workflow's list, newest last. */
function indexItems(record: RunRecord, ttl: StoreItem): Array<{ key: StoreKey; item: StoreItem }> {
  const item: StoreItem = {
    runId: record.runId,
    workflow: record.workflow,
    startedAt: record.startedAt,
    ...ttl,
  };
  return [
    { key: { pk: RUNS_PK, sk: `${record.startedAt}#${record.runId}` }, item },
    {
      key: {
        pk: workflowRunsPk(record.workflow),
        sk: `${WORKFLOW_RUN_PREFIX}${record.startedAt}#${record.runId}`,
      },
      item,
    },
  ];
}

function expiry(record: RunRecord, ttlSeconds: number | undefined): number | undefined {
  if (ttlSeconds === undefined || record.status === 'running' || record.endedAt === undefined) {
    return undefined;
  }
  return Math.floor(Date.parse(record.endedAt) / 1000) + ttlSeconds;
}

/** Every item of a run: its log, its snapshot and its index entries (for delete). */
export async function runItemKeys(store: Store, record: RunRecord): Promise<StoreKey[]> {
  const own = await store.query(runPk(record.runId), '');
  return [...own.map(({ key }) => key), ...indexItems(record, {}).map(({ key }) => key)];
}
