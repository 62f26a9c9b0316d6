import { describe, expect, it } from 'vitest';
import { createLiveView } from '../../local/live-view.js';
import { applyEvent, type RunEvent, type RunRecord } from '../../runtime/run-record.js';

const events: RunEvent[] = [
  {
    kind: 'run-started',
    at: '2026-11-22T10:00:00.000Z',
    workflow: 'demo',
    params: {},
    jobs: ['build', 'test'],
  },
  { kind: 'job-started', at: '2026-11-22T10:00:00.100Z', job: 'build', attempt: 1 },
  {
    kind: 'job-ended',
    at: '2026-11-22T10:00:01.100Z',
    job: 'build',
    attempt: 1,
    status: 'retrying',
    exitCode: 1,
    reason: 'exit code 1',
  },
  { kind: 'job-started', at: '2026-11-22T10:00:02.100Z', job: 'build', attempt: 2 },
  {
    kind: 'job-ended',
    at: '2026-11-22T10:00:03.100Z',
    job: 'build',
    attempt: 2,
    status: 'succeeded',
    exitCode: 0,
  },
  {
    kind: 'job-ended',
    at: '2026-11-22T10:00:03.200Z',
    job: 'test',
    status: 'skipped',
    reason: 'its condition is false',
  },
  { kind: 'run-ended', at: '2026-11-22T10:00:03.300Z', status: 'succeeded' },
];

function play(tty: boolean): string {
  let out = '';
  const view = createLiveView({
    write: (text) => (out += text),
    tty,
    now: () => Date.parse('2026-11-22T10:00:03.300Z'),
  });
  let record: RunRecord | undefined;
  for (const [i, event] of events.entries()) {
    record = applyEvent(record, 'demo-1', event);
    view.event(event, record);
    if (i === 1) view.log('build', 'compiling', 'stdout');
  }
  view.close(record);
  return out;
}

describe('the live view', () => {
  it('prints one line per transition when the output is not a terminal', () => {
    expect(play(false)).toBe(
      [
        '10:00:00 run demo-1 of demo started (2 jobs)',
        '10:00:00 build: running (attempt 1)',
        '[build] compiling',
        '10:00:01 build: retrying in 1.0s (exit code 1)',
        '10:00:02 build: running (attempt 2)',
        '10:00:03 build: succeeded in 3.0s',
        '10:00:03 test: skipped (its condition is false)',
        '10:00:03 run succeeded',
        '',
      ].join('\n'),
    );
  });

  it('redraws one line per job with its state, attempt and elapsed time on a terminal', () => {
    const out = play(true);
    const last = out.slice(out.lastIndexOf('\x1b[J') + 3);

    expect(out).toContain('[build] compiling\n');
    expect(last).toBe(
      [
        'demo demo-1: succeeded',
        '  ✓ build  succeeded  attempt 2  3.0s',
        '  - test   skipped               ',
        '',
      ].join('\n'),
    );
  });
});
