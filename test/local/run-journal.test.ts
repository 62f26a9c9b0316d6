import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { journaledRecorder, journalPath, readJournal, repairFromJournal } from '../../local/run-journal.js';
import { MemoryGateStore } from '../../runtime/memory-store.js';
import { type RunEvent, readEvents, readRun } from '../../runtime/run-record.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function runDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'waterflow-journal-'));
  dirs.push(dir);
  return dir;
}

const started: RunEvent = {
  kind: 'run-started',
  at: '2026-11-22T07:00:00.000Z',
  workflow: 'w',
  params: {},
  jobs: ['a', 'b'],
  owner: { pid: 999_999, host: 'gone' },
};
const aStarted: RunEvent = { kind: 'job-started', at: '2026-11-22T07:00:01.000Z', job: 'a', attempt: 1 };
const aEnded: RunEvent = {
  kind: 'job-ended',
  at: '2026-11-22T07:00:02.000Z',
  job: 'a',
  attempt: 1,
  status: 'succeeded',
  exitCode: 0,
};

/** Journal lines numbered from `seq`, with no database write behind them. */
function journalOnly(dir: string, events: ReadonlyArray<RunEvent>, seq: number): void {
  for (const [i, event] of events.entries()) {
    appendFileSync(journalPath(dir), `${JSON.stringify({ ...event, seq: seq + i })}\n`);
  }
}

describe('the journal of a local run', () => {
  it("puts back the successes the database missed when the run's process died", async () => {
    // Prepare: the database has the start only; the journal has the success of a too.
    const store = new MemoryGateStore();
    const dir = runDir();
    const recorder = journaledRecorder(store, 'r1', dir);
    recorder.append(started);
    await recorder.flush();
    // As a process that died before its next database write leaves them: in the journal only.
    journalOnly(dir, [aStarted, aEnded], 2);
    const dead = () => false;

    // Act
    const before = await readRun(store, 'r1', dead);
    await repairFromJournal(store, dir, 'r1', dead);
    const after = await readRun(store, 'r1', dead);

    // Assess
    expect(before?.jobs.a?.status).toBe('cancelled');
    expect(after?.status).toBe('interrupted');
    expect(after?.jobs.a).toMatchObject({ status: 'succeeded', exitCode: 0 });
    expect(after?.jobs.b?.status).toBe('cancelled');
  });

  it('holds the events with the numbers the recorder gives them, so a repair never doubles one', async () => {
    // Prepare: the journal and the database both have all three events.
    const store = new MemoryGateStore();
    const dir = runDir();
    const recorder = journaledRecorder(store, 'r2', dir);
    for (const event of [started, aStarted, aEnded]) recorder.append(event);
    await recorder.flush();

    // Act
    await repairFromJournal(store, dir, 'r2', () => false);

    // Assess
    expect(readJournal(dir).map((event) => event.seq)).toStrictEqual([1, 2, 3]);
    expect((await readEvents(store, 'r2')).map((event) => event.seq)).toStrictEqual([1, 2, 3]);
  });

  it('leaves a run alone while its process lives', async () => {
    // Prepare
    const store = new MemoryGateStore();
    const dir = runDir();
    const recorder = journaledRecorder(store, 'r3', dir);
    recorder.append(started);
    await recorder.flush();
    journalOnly(dir, [aStarted], 2);

    // Act
    await repairFromJournal(store, dir, 'r3', () => true);

    // Assess
    expect(Object.keys(store.dump()).filter((key) => key.startsWith('run#r3/event#'))).toHaveLength(1);
  });

  it('reads a journal whose last line a crash cut short', () => {
    // Prepare
    const dir = runDir();
    writeFileSync(journalPath(dir), `${JSON.stringify({ ...aStarted, seq: 1 })}\n{"kind":"job-en`);

    // Act
    const events = readJournal(dir);

    // Assess
    expect(events).toStrictEqual([{ ...aStarted, seq: 1 }]);
  });
});
