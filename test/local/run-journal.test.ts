import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { journalPath, RunJournal, readJournal, repairFromJournal } from '../../local/run-journal.js';
import { MemoryGateStore } from '../../runtime/memory-store.js';
import { type RunEvent, RunRecorder, readEvents, readRun } from '../../runtime/run-record.js';

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

describe('the journal of a local run', () => {
  it("puts back the successes the database missed when the run's process died", async () => {
    // Prepare: the database has the start only; the journal has the success of a too.
    const store = new MemoryGateStore();
    const dir = runDir();
    const recorder = new RunRecorder(store, 'r1');
    const journal = new RunJournal(dir);
    journal.append(started);
    recorder.append(started);
    await recorder.flush();
    journal.append(aStarted);
    journal.append(aEnded);
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

  it('numbers events as the recorder does, so a repair never doubles one', async () => {
    // Prepare: both wrote all three events.
    const store = new MemoryGateStore();
    const dir = runDir();
    const recorder = new RunRecorder(store, 'r2');
    const journal = new RunJournal(dir);
    for (const event of [started, aStarted, aEnded]) {
      journal.append(event);
      recorder.append(event);
    }
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
    const recorder = new RunRecorder(store, 'r3');
    const journal = new RunJournal(dir);
    journal.append(started);
    recorder.append(started);
    await recorder.flush();
    journal.append(aStarted);

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
