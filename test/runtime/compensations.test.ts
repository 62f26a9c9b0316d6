import { describe, expect, it } from 'vitest';
import { compensationOrder, compensations, parseCompensationsRequest } from '../../runtime/compensations.js';
import type { RunEvent } from '../../runtime/run-record.js';

const at = '2026-01-01T00:00:00.000Z';

function ended(job: string, status: 'succeeded' | 'failed' | 'retrying' | 'cancelled'): RunEvent {
  return { kind: 'job-ended', at, job, status };
}

const itself = (job: string): string[] => [job];

describe('compensationOrder', () => {
  it('lists the succeeded candidates newest completion first', () => {
    // Prepare
    const events = [
      ended('b', 'succeeded'),
      ended('c', 'succeeded'),
      ended('a', 'succeeded'),
      ended('d', 'failed'),
    ];

    // Act
    const order = compensationOrder(events, ['a', 'b', 'c', 'd'], itself);

    // Assess
    expect(order).toStrictEqual(['a', 'c', 'b']);
  });

  it('leaves out jobs that never ended, and those whose last attempt did not succeed', () => {
    // Prepare
    const events = [
      ended('a', 'retrying'),
      ended('a', 'succeeded'),
      ended('b', 'succeeded'),
      ended('b', 'cancelled'),
    ];

    // Act
    const order = compensationOrder(events, ['a', 'b', 'never'], itself);

    // Assess
    expect(order).toStrictEqual(['a']);
  });

  it('counts a matrix job as succeeded when every item did, at its last item', () => {
    // Prepare
    const items = (job: string) => [`${job} (x=1)`, `${job} (x=2)`];
    const events = [
      ended('m (x=1)', 'succeeded'),
      ended('single', 'succeeded'),
      ended('m (x=2)', 'succeeded'),
      ended('half (x=1)', 'succeeded'),
      ended('half (x=2)', 'failed'),
    ];

    // Act
    const order = compensationOrder(events, ['m', 'single', 'half'], (job) =>
      job === 'single' ? [job] : items(job),
    );

    // Assess
    expect(order).toStrictEqual(['m', 'single']);
  });
});

describe('compensations', () => {
  it('hands each compensation the results and outputs of the upstream jobs it reads', () => {
    // Prepare
    const request = parseCompensationsRequest({
      runId: 'r',
      jobs: { migrate: { backup: ['backupId', 'missing'], check: [] }, deploy: {} },
    });
    const events = [ended('backup', 'succeeded'), ended('migrate', 'succeeded'), ended('deploy', 'failed')];

    // Act
    const answer = compensations(request, events, itself, () => ({ backupId: 'b-42', other: 'x' }));

    // Assess
    expect(answer).toStrictEqual([
      {
        job: 'migrate',
        needs: {
          backup: { r: 'success', o: { backupId: 'b-42', missing: '' } },
          check: { r: 'skipped', o: {} },
        },
      },
    ]);
  });

  it('refuses a request without a run id, with a stable code', () => {
    // Act
    const parse = () => parseCompensationsRequest({ jobs: {} });

    // Assess
    expect(parse).toThrow(expect.objectContaining({ name: 'Waterflow.CompensationsError', code: 'WF9003' }));
  });
});
