import { describe, expect, it } from 'vitest';
import { type EcsTaskStateChange, jobEventFromEcs, releaseOnSuccess } from '../../runtime/job-events.js';

const task = (fields: Partial<EcsTaskStateChange>): EcsTaskStateChange => ({
  group: 'waterflow:build',
  startedBy: 'build-20261122-ab12/3f2a9c1b',
  taskArn: 'arn:aws:ecs:eu-west-1:123456789012:task/waterflow/0a1b',
  lastStatus: 'RUNNING',
  ...fields,
});

describe('job events from ECS task state changes', () => {
  it('reads the job from Group and the run from StartedBy', () => {
    expect(jobEventFromEcs(task({ startedAt: '2026-11-22T01:00:00Z' }))).toStrictEqual({
      kind: 'started',
      runId: 'build-20261122-ab12',
      job: 'build',
      taskArn: 'arn:aws:ecs:eu-west-1:123456789012:task/waterflow/0a1b',
      at: '2026-11-22T01:00:00Z',
    });
  });

  it('reports the main container exit code when the task stops', () => {
    const event = jobEventFromEcs(
      task({
        lastStatus: 'STOPPED',
        stopCode: 'EssentialContainerExited',
        containers: [{ name: 'main', exitCode: 3 }],
      }),
    );

    expect(event).toMatchObject({ kind: 'ended', exitCode: 3, infrastructure: false });
  });

  it('tells an image that cannot be pulled apart as infrastructure', () => {
    const event = jobEventFromEcs(
      task({
        lastStatus: 'STOPPED',
        stopCode: 'TaskFailedToStart',
        stoppedReason: 'CannotPullContainerError: not found',
      }),
    );

    expect(event).toMatchObject({
      kind: 'ended',
      infrastructure: true,
      reason: 'infrastructure: CannotPullContainerError: not found',
    });
    expect(event && 'exitCode' in event).toBe(false);
  });

  it('ignores tasks that are not Waterflow jobs and states in between', () => {
    expect(jobEventFromEcs(task({ group: 'service:web' }))).toBeUndefined();
    expect(jobEventFromEcs(task({ lastStatus: 'PENDING' }))).toBeUndefined();
    expect(jobEventFromEcs(task({ startedBy: 'no-slash' }))).toBeUndefined();
  });

  it('releases a job marked releasedOnSuccess only when its task exits 0', () => {
    const ok = jobEventFromEcs(task({ lastStatus: 'STOPPED', containers: [{ name: 'main', exitCode: 0 }] }));
    const failed = jobEventFromEcs(
      task({ lastStatus: 'STOPPED', containers: [{ name: 'main', exitCode: 1 }] }),
    );
    if (ok === undefined || failed === undefined) throw new Error('no event');

    expect(releaseOnSuccess(ok, new Set(['build']))).toStrictEqual({
      runId: 'build-20261122-ab12',
      job: 'build',
      result: { r: 'success', ok: true },
    });
    expect(releaseOnSuccess(failed, new Set(['build']))).toBeUndefined();
    expect(releaseOnSuccess(ok, new Set(['other']))).toBeUndefined();
  });
});
