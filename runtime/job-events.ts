/**
 * How job starts and ends reach the run record without a state per hook: ECS already publishes
 * "ECS Task State Change" events, and the compiler gives every job task a `Group`
 * (`waterflow:<job>`) and a `StartedBy` (`<runId>/<job hash>`). The cloud recorder receives the
 * events from EventBridge; the local job runner emits the same shape. Both turn them into job
 * events here (docs/compilation.md, "One job").
 */

/** The fields of an ECS Task State Change event's `detail` that the recorder reads. */
export interface EcsTaskStateChange {
  readonly group?: string;
  readonly startedBy?: string;
  readonly taskArn: string;
  readonly lastStatus: string;
  readonly stopCode?: string;
  readonly stoppedReason?: string;
  readonly startedAt?: string;
  readonly stoppedAt?: string;
  readonly containers?: ReadonlyArray<{
    readonly name: string;
    readonly exitCode?: number;
    readonly reason?: string;
  }>;
}

export type JobEvent =
  | {
      readonly kind: 'started';
      readonly runId: string;
      readonly job: string;
      readonly taskArn: string;
      readonly at?: string;
    }
  | {
      readonly kind: 'ended';
      readonly runId: string;
      readonly job: string;
      readonly taskArn: string;
      readonly at?: string;
      /** Absent when the container never ran (`TaskFailedToStart`). */
      readonly exitCode?: number;
      /** Why the task stopped when it did not run to its end: `infrastructure` or ECS's own words. */
      readonly reason?: string;
      /** True when the task never started: image pull, placement (DESIGN §2, infrastructure). */
      readonly infrastructure: boolean;
    };

const GROUP_PREFIX = 'waterflow:';

/** The job event an ECS task state change stands for; undefined for tasks that are not Waterflow jobs. */
export function jobEventFromEcs(detail: EcsTaskStateChange, container = 'main'): JobEvent | undefined {
  if (detail.group?.startsWith(GROUP_PREFIX) !== true || detail.startedBy === undefined) return undefined;
  const job = detail.group.slice(GROUP_PREFIX.length);
  const slash = detail.startedBy.lastIndexOf('/');
  if (slash <= 0) return undefined;
  const runId = detail.startedBy.slice(0, slash);
  const base = { runId, job, taskArn: detail.taskArn };
  if (detail.lastStatus === 'RUNNING') {
    return detail.startedAt === undefined
      ? { kind: 'started', ...base }
      : { kind: 'started', ...base, at: detail.startedAt };
  }
  if (detail.lastStatus !== 'STOPPED') return undefined;
  const main = detail.containers?.find((c) => c.name === container);
  const infrastructure = detail.stopCode === 'TaskFailedToStart';
  const reason = infrastructure
    ? `infrastructure: ${detail.stoppedReason ?? 'the task failed to start'}`
    : main?.reason;
  return {
    kind: 'ended',
    ...base,
    infrastructure,
    ...(detail.stoppedAt === undefined ? {} : { at: detail.stoppedAt }),
    ...(main?.exitCode === undefined ? {} : { exitCode: main.exitCode }),
    ...(reason === undefined ? {} : { reason }),
  };
}

/**
 * The gate release a job end implies, for jobs the compiler marked `releasedOnSuccess`: their
 * success path has no release state, so the recorder releases them when the task exits 0.
 */
export function releaseOnSuccess(
  event: JobEvent,
  releasedOnSuccess: ReadonlySet<string>,
):
  | {
      readonly runId: string;
      readonly job: string;
      readonly result: { readonly r: 'success'; readonly ok: true };
    }
  | undefined {
  if (event.kind !== 'ended' || event.exitCode !== 0 || !releasedOnSuccess.has(event.job)) return undefined;
  return { runId: event.runId, job: event.job, result: { r: 'success', ok: true } };
}
