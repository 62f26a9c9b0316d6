import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  eventKey,
  type LoggedEvent,
  type RunOwner,
  RunRecorder,
  readEvents,
  readRun,
} from '../runtime/run-record.js';
import type { Store, StoreItem } from '../runtime/store.js';

/**
 * A local run's recorder, with each event appended to `runs/<runId>/events.jsonl` the moment it
 * is numbered. The recorder writes the same events to the database in batches, behind; this file
 * is what makes a job's success durable before its dependants start (a `kill -9` cannot take
 * back a write the kernel has), without waiting for a database round trip per job. Reading a run
 * whose process died puts back what the database missed (`repairFromJournal`).
 */
export function journaledRecorder(store: Store, runId: string, runDir: string): RunRecorder {
  const path = journalPath(runDir);
  return new RunRecorder(store, runId, {
    onLogged: (event) => appendFileSync(path, `${JSON.stringify(event)}\n`),
  });
}

export function journalPath(runDir: string): string {
  return join(runDir, 'events.jsonl');
}

/** The journal's events; a last line cut short by a crash is left out. */
export function readJournal(runDir: string): LoggedEvent[] {
  const path = journalPath(runDir);
  if (!existsSync(path)) return [];
  const events: LoggedEvent[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      events.push(JSON.parse(line) as LoggedEvent);
    } catch {
      break;
    }
  }
  return events;
}

/**
 * For a run whose process died: writes the journal's events that the database lacks, so that
 * the record folded from the event log is complete. Does nothing for a run that ended or whose
 * process lives (its recorder is still writing).
 */
export async function repairFromJournal(
  store: Store,
  runDir: string,
  runId: string,
  isAlive: (owner: RunOwner) => boolean,
): Promise<void> {
  if (!existsSync(journalPath(runDir))) return;
  const snapshot = await readRun(store, runId);
  if (snapshot?.status !== 'running' || snapshot.owner === undefined || isAlive(snapshot.owner)) return;
  const stored = new Set((await readEvents(store, runId)).map((event) => event.seq));
  const missing = readJournal(runDir).filter((event) => !stored.has(event.seq));
  if (missing.length === 0) return;
  await store.putAll(
    missing.map((event) => ({ key: eventKey(runId, event.seq), item: event as unknown as StoreItem })),
  );
}
