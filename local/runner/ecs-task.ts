import { randomUUID } from 'node:crypto';
import type { EcsTaskStateChange } from '../../runtime/job-events.js';
import { shortHash } from './short-hash.js';

/** Why ECS stopped a task: the container ended, it never started, or someone stopped it. */
export type StopCode = 'EssentialContainerExited' | 'TaskFailedToStart' | 'UserInitiated';

/** The DescribeTasks task that `ecs:runTask.sync` returns (and puts, as JSON, in a failure's Cause). */
export interface EcsTask {
  readonly TaskArn: string;
  readonly Group: string;
  readonly StartedBy: string;
  readonly LastStatus: 'STOPPED';
  readonly StopCode: StopCode;
  readonly StoppedReason: string;
  readonly StartedAt?: string;
  readonly StoppedAt: string;
  readonly Containers: ReadonlyArray<{ readonly Name: 'main'; readonly ExitCode?: number }>;
}

/** The identity of one local task: what ECS would put in Group, StartedBy and TaskArn. */
export interface TaskIdentity {
  readonly taskArn: string;
  readonly group: string;
  readonly startedBy: string;
}

/** A fresh task identity for one attempt of `job` in `runId`, tagged as the compiler tags it. */
export function taskIdentity(runId: string, job: string): TaskIdentity {
  return {
    // Same layout as an ECS task ARN so that code reading the id (last segment) works unchanged.
    taskArn: `arn:aws:ecs:local:000000000000:task/waterflow/${randomUUID().replaceAll('-', '')}`,
    group: `waterflow:${job}`,
    startedBy: `${runId}/${shortHash(job)}`,
  };
}

/** How a stopped task ended. */
export interface TaskEnd {
  readonly stopCode: StopCode;
  readonly stoppedReason: string;
  readonly startedAt?: string;
  readonly stoppedAt: string;
  /** Absent when the container never ran. */
  readonly exitCode?: number;
}

/** The DescribeTasks shape of a stopped task. */
export function stoppedTask(id: TaskIdentity, end: TaskEnd): EcsTask {
  return {
    TaskArn: id.taskArn,
    Group: id.group,
    StartedBy: id.startedBy,
    LastStatus: 'STOPPED',
    StopCode: end.stopCode,
    StoppedReason: end.stoppedReason,
    ...(end.startedAt === undefined ? {} : { StartedAt: end.startedAt }),
    StoppedAt: end.stoppedAt,
    Containers: [end.exitCode === undefined ? { Name: 'main' } : { Name: 'main', ExitCode: end.exitCode }],
  };
}

/** The ECS Task State Change detail announcing that the task runs. */
export function runningEvent(id: TaskIdentity, startedAt: string): EcsTaskStateChange {
  return { ...id, lastStatus: 'RUNNING', startedAt, containers: [{ name: 'main' }] };
}

/** The ECS Task State Change detail announcing that the task stopped. */
export function stoppedEvent(id: TaskIdentity, end: TaskEnd): EcsTaskStateChange {
  return {
    ...id,
    lastStatus: 'STOPPED',
    stopCode: end.stopCode,
    stoppedReason: end.stoppedReason,
    ...(end.startedAt === undefined ? {} : { startedAt: end.startedAt }),
    stoppedAt: end.stoppedAt,
    containers: [end.exitCode === undefined ? { name: 'main' } : { name: 'main', exitCode: end.exitCode }],
  };
}
