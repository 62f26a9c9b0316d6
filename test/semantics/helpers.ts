import type {
  Catcher,
  JsonValue,
  PayloadTemplate,
  Retrier,
  StateMachine,
  TaskState,
} from '../../compiler/asl/types.js';
import type { CompileOutput, StateInfo } from '../../compiler/compile/output.js';
import type { JobEvent } from '../support/local-sfn.js';

/** A compile output around hand-written ASL, for tests that do not go through the compiler. */
export function handWritten(
  asl: StateMachine,
  stateMap: { readonly [state: string]: StateInfo },
  children: CompileOutput['children'] = [],
): CompileOutput {
  return {
    asl,
    children,
    taskDefinitions: [],
    substitutions: [],
    permissions: [],
    taskRolePermissions: [],
    executionRolePermissions: [],
    schedules: [],
    concurrency: { policy: 'Allow' },
    stateMap,
    stats: {
      jobs: 0,
      states: 0,
      gates: 0,
      parts: 0,
      definitionBytes: 0,
      estimatedHistoryEvents: 0,
      transitionsPerRun: 0,
      estimatedMaxPayloadBytes: 0,
    },
  };
}

type Next = { readonly Next: string } | { readonly End: true };

/** What tests add to a container Task. */
export interface TaskExtras {
  readonly TimeoutSeconds?: number;
  readonly Retry?: ReadonlyArray<Retrier>;
  readonly Catch?: ReadonlyArray<Catcher>;
  readonly ResultPath?: string | null;
}

/** A container job's Task, shaped as docs/compilation.md describes it (trimmed). */
export function containerTask(job: string, next: Next, extra: TaskExtras = {}): TaskState {
  return {
    Type: 'Task',
    Resource: 'arn:aws:states:::ecs:runTask.sync',
    Parameters: {
      Cluster: '${ClusterArn}',
      TaskDefinition: '${TaskDefinition_0}',
      LaunchType: 'FARGATE',
      Group: `waterflow:${job}`,
      'StartedBy.$': `States.Format('{}/${job}', $$.Execution.Name)`,
      Overrides: { ContainerOverrides: [{ Name: 'main', Command: ['sh', '-ec', 'true'] }] },
    },
    ResultSelector: { r: 'success', ok: true, 'x.$': '$.Containers[0].ExitCode' },
    ResultPath: `$.jobs.${job}`,
    ...extra,
    ...next,
  };
}

/** A gate Task waiting for `upstream` (docs/compilation.md, "The graph"). */
export function gateTask(job: string, upstream: ReadonlyArray<string>, next: Next): TaskState {
  return {
    Type: 'Task',
    Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
    Parameters: {
      FunctionName: '${GateFunctionArn}',
      Payload: {
        action: 'wait',
        'runId.$': '$.run.id',
        job,
        upstream: [...upstream],
        'token.$': '$$.Task.Token',
      },
    },
    ResultPath: `$.gates.${job}`,
    ...next,
  };
}

/** A `done` Task releasing `job`'s gated dependants with its recorded result. */
export function releaseTask(job: string, next: Next): TaskState {
  const payload: PayloadTemplate = {
    action: 'release',
    'runId.$': '$.run.id',
    job,
    'result.$': `$.jobs.${job}`,
  };
  return {
    Type: 'Task',
    Resource: 'arn:aws:states:::lambda:invoke',
    Parameters: { FunctionName: '${GateFunctionArn}', Payload: payload },
    ResultPath: null,
    ...next,
  };
}

/** The standard execution input. */
export function runInput(params: { readonly [name: string]: JsonValue } = {}): JsonValue {
  return { params, run: { id: 'run-1' }, jobs: {} };
}

/** `job:kind:attempt[:outcome]` lines: the order of events, for `toStrictEqual`. */
export function timeline(events: ReadonlyArray<JobEvent>): string[] {
  return events.map((e) =>
    [e.job, e.kind, e.attempt, ...(e.outcome === undefined ? [] : [e.outcome])].join(':'),
  );
}

/** The position of an event in the run; fails the test when it did not happen. */
export function position(
  events: ReadonlyArray<JobEvent>,
  job: string,
  kind: JobEvent['kind'],
  attempt = 1,
): number {
  const index = events.findIndex((e) => e.job === job && e.kind === kind && e.attempt === attempt);
  if (index === -1)
    throw new Error(`no ${kind} event of ${job} attempt ${attempt} in:\n${timeline(events).join('\n')}`);
  return index;
}
