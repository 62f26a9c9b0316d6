import type { JsonValue } from '../../compiler/asl/types.js';
import { type EcsTaskStateChange, type JobEvent, jobEventFromEcs } from '../../runtime/job-events.js';
import type { KeyedEvent } from '../../runtime/run-log.js';
import { workflowOfMachine } from '../submit/platform.js';

/**
 * What the recorder receives, and the run events each stands for. Event ids are taken from what
 * happened, not from the envelope, so that the same change delivered twice (even as two
 * EventBridge events) is one log entry: a run starts once, each attempt of it ends once, an ECS
 * task starts and stops once.
 */

/** An EventBridge event as a rule target receives it. */
export interface EventBridgeEvent<TType extends string, TDetail> {
  readonly id: string;
  readonly 'detail-type': TType;
  readonly source: string;
  readonly time: string;
  readonly detail: TDetail;
}

/** "Step Functions Execution Status Change": the fields read here (dates are epoch ms). */
export interface ExecutionStatusChange {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly name: string;
  readonly status: string;
  readonly startDate: number;
  readonly stopDate?: number | null;
  readonly input?: string | null;
  readonly error?: string | null;
  readonly cause?: string | null;
  readonly redriveCount?: number;
  readonly redriveDate?: number | null;
}

/** A job hook from outside ECS (an approval waiting, a job a runtime ran itself). */
export interface JobHook {
  readonly runId: string;
  readonly job: string;
  readonly kind: 'started' | 'waiting' | 'ended';
  readonly at: string;
  readonly attempt?: number;
  readonly status?: 'succeeded' | 'failed' | 'skipped' | 'cancelled';
  readonly exitCode?: number;
  readonly reason?: string;
}

export type RecorderEvent =
  | EventBridgeEvent<'Step Functions Execution Status Change', ExecutionStatusChange>
  | EventBridgeEvent<'ECS Task State Change', EcsTaskStateChange>
  | EventBridgeEvent<'Waterflow Job Hook', JobHook>;

export type Translated =
  | {
      readonly runId: string;
      /** The workflow, when the event says it (executions do; ECS tasks do not). */
      readonly workflow?: string;
      readonly events: ReadonlyArray<KeyedEvent>;
      /** The execution's input, for a `run-started` built from it. */
      readonly started?: { readonly input: JsonValue | undefined; readonly startDate: Date };
      readonly job?: JobEvent;
    }
  | { readonly ignored: string };

/** Where job containers log, for the links in the record. */
export interface LogLinks {
  readonly region: string;
  readonly group: string;
  readonly streamPrefix: string;
}

const PART = /--part-\d+$/;

/** The run events an event stands for; `run-started` is left to the caller (it needs the workflow). */
export function translate(event: RecorderEvent, links?: LogLinks): Translated {
  switch (event['detail-type']) {
    case 'Step Functions Execution Status Change':
      return fromExecution(event.detail);
    case 'ECS Task State Change':
      return fromTask(event, links);
    case 'Waterflow Job Hook':
      return fromHook(event.id, event.detail);
    default:
      return { ignored: `unknown detail-type ${(event as { 'detail-type': string })['detail-type']}` };
  }
}

function fromExecution(detail: ExecutionStatusChange): Translated {
  const machine = detail.stateMachineArn.slice(detail.stateMachineArn.lastIndexOf(':') + 1);
  // A split workflow's parts are its own run's children, recorded through their ECS tasks.
  if (PART.test(machine)) return { ignored: `execution of part ${machine}` };
  const runId = detail.name;
  // A rerun runs on a machine of its own; its run belongs to the workflow.
  const workflow = workflowOfMachine(machine);
  const attempt = detail.redriveCount ?? 0;
  if (detail.status === 'RUNNING') {
    if (attempt > 0) {
      const at = iso(detail.redriveDate ?? detail.startDate);
      return {
        runId,
        workflow,
        events: [{ id: `run-resumed:${attempt}`, kind: 'run-resumed', at }],
      };
    }
    return {
      runId,
      workflow,
      events: [],
      started: { input: parseInput(detail.input), startDate: new Date(detail.startDate) },
    };
  }
  const ended = endOf(detail);
  if (ended === undefined) return { ignored: `execution status ${detail.status}` };
  const at = iso(detail.stopDate ?? detail.startDate);
  return {
    runId,
    workflow,
    events: [{ id: `run-ended:${attempt}`, kind: 'run-ended', at, ...ended }],
  };
}

function endOf(
  detail: ExecutionStatusChange,
): { status: 'succeeded' | 'failed' | 'cancelled'; reason?: string } | undefined {
  const why = [detail.error, detail.cause]
    .filter((part) => typeof part === 'string' && part !== '')
    .join(': ');
  const reason = why === '' ? {} : { reason: why.slice(0, 1000) };
  switch (detail.status) {
    case 'SUCCEEDED':
      return { status: 'succeeded' };
    case 'FAILED':
      return { status: 'failed', ...reason };
    case 'TIMED_OUT':
      return { status: 'failed', reason: why === '' ? 'the run timed out' : `timed out: ${why}` };
    case 'ABORTED':
      return { status: 'cancelled', ...reason };
    default:
      return undefined;
  }
}

function fromTask(
  event: EventBridgeEvent<'ECS Task State Change', EcsTaskStateChange>,
  links?: LogLinks,
): Translated {
  const job = jobEventFromEcs(event.detail);
  if (job === undefined) return { ignored: `ECS task ${event.detail.lastStatus} of no Waterflow job` };
  const at = job.at === undefined ? iso(Date.parse(event.time)) : iso(Date.parse(job.at));
  if (job.kind === 'started') {
    const logUrl = links === undefined ? undefined : logLink(links, job.taskArn);
    return {
      runId: job.runId,
      job,
      events: [
        {
          id: `task:${job.taskArn}:started`,
          kind: 'job-started',
          at,
          job: job.job,
          attempt: 0,
          ...(logUrl === undefined ? {} : { logUrl }),
        },
      ],
    };
  }
  return {
    runId: job.runId,
    job,
    events: [
      {
        id: `task:${job.taskArn}:ended`,
        kind: 'job-ended',
        at,
        job: job.job,
        status: job.exitCode === 0 ? 'succeeded' : 'failed',
        ...(job.exitCode === undefined ? {} : { exitCode: job.exitCode }),
        ...(job.reason === undefined ? {} : { reason: job.reason }),
      },
    ],
  };
}

function fromHook(id: string, hook: JobHook): Translated {
  const at = iso(Date.parse(hook.at));
  const base = { id: `hook:${id}`, at, job: hook.job };
  if (hook.kind === 'started') {
    return { runId: hook.runId, events: [{ ...base, kind: 'job-started', attempt: hook.attempt ?? 0 }] };
  }
  if (hook.kind === 'waiting') {
    return {
      runId: hook.runId,
      events: [{ ...base, kind: 'job-waiting', reason: hook.reason ?? 'waiting' }],
    };
  }
  return {
    runId: hook.runId,
    events: [
      {
        ...base,
        kind: 'job-ended',
        status: hook.status ?? (hook.exitCode === 0 ? 'succeeded' : 'failed'),
        ...(hook.attempt === undefined ? {} : { attempt: hook.attempt }),
        ...(hook.exitCode === undefined ? {} : { exitCode: hook.exitCode }),
        ...(hook.reason === undefined ? {} : { reason: hook.reason }),
      },
    ],
  };
}

/**
 * The CloudWatch console link of a job task's `main` log stream (`awslogs` names it
 * `<prefix>/<container>/<task id>`); the console's fragment escapes `%` as `$25`.
 */
export function logLink(links: LogLinks, taskArn: string): string {
  const taskId = taskArn.slice(taskArn.lastIndexOf('/') + 1);
  const consoleEscape = (text: string) => encodeURIComponent(text).replaceAll('%', '$25');
  const stream = `${links.streamPrefix}/main/${taskId}`;
  return `https://${links.region}.console.aws.amazon.com/cloudwatch/home?region=${links.region}#logsV2:log-groups/log-group/${consoleEscape(links.group)}/log-events/${consoleEscape(stream)}`;
}

function parseInput(input: string | null | undefined): JsonValue | undefined {
  if (typeof input !== 'string') return undefined;
  try {
    return JSON.parse(input) as JsonValue;
  } catch {
    return undefined;
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
