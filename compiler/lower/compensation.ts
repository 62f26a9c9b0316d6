import type { ChoiceRule, JsonValue, Retrier, State, StateGraph, TaskState } from '../asl/types.js';
import type { StateInfo } from '../compile/output.js';
import type { Workflow } from '../ir.js';
import { actionEntries, actionResolver, lowerAction, needsRead } from './actions.js';
import { type Fragment, graphOf, keepCarried, type LowerContext, stateRecord } from './context.js';
import { usePermission, useSubstitution } from './substitutions.js';

/**
 * The run's exit path (docs/compilation.md, "Compensation and onExit"): the body runs inside a
 * one-branch Parallel whose Catch leads to the compensations; `onExit` runs after either path;
 * the run then ends with the body's status. With `spec.timeout`, a second branch is the run
 * timer (a Parallel has no TimeoutSeconds of its own).
 */

/** The gate logic's names for the run timer and the body it waits for: no job has a space. */
export const RUN_TIMER_GATE = 'run timer';
export const RUN_BODY_GATE = 'run body';

/** Where the state keeps the body's error and the run's status for onExit. */
const RUN_ERROR = '$.run.error';
const RUN_STATUS = '$.run.status';
/** Where the compensations Task puts the jobs to compensate; a Map item's value is at `$.item`. */
const UNDO = '$.undo';

/** Lambda's transient errors, retried as AWS advises for `lambda:invoke`. */
const LAMBDA_RETRY: ReadonlyArray<Retrier> = [
  {
    ErrorEquals: [
      'Lambda.ServiceException',
      'Lambda.AWSLambdaException',
      'Lambda.SdkClientException',
      'Lambda.TooManyRequestsException',
    ],
    IntervalSeconds: 1,
    MaxAttempts: 3,
    BackoffRate: 2,
  },
];

/** Whether the workflow has anything to run after its body. */
export function hasExitPath(workflow: Workflow): boolean {
  return workflow.onExit !== undefined || workflow.jobs.some((job) => job.compensate !== undefined);
}

/**
 * The state the body ends at when the run has a timer (it releases the timer), taken before
 * the body is lowered; undefined when the body just ends.
 */
export function bodyEndState(ctx: LowerContext): string | undefined {
  if (!hasExitPath(ctx.workflow) || ctx.workflow.timeoutSeconds === undefined) return undefined;
  return ctx.names.take('run body done');
}

function mark(ctx: LowerContext, name: string, info: StateInfo): string {
  ctx.out.stateMap[name] = info;
  return name;
}

function gateFunction(ctx: LowerContext): string {
  const fn = useSubstitution(ctx.out, 'GateFunctionArn');
  usePermission(ctx.out, 'InvokeGates', ['lambda:InvokeFunction'], [fn]);
  return fn;
}

/** The timer branch: a gate on the body that times out at `spec.timeout` (`States.Timeout`). */
function timerBranch(ctx: LowerContext, seconds: number): StateGraph {
  const name = mark(ctx, ctx.names.take('run timer'), { role: 'gate' });
  const timer: TaskState = {
    Type: 'Task',
    Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
    Parameters: {
      FunctionName: gateFunction(ctx),
      Payload: {
        action: 'wait',
        'runId.$': '$.run.id',
        job: RUN_TIMER_GATE,
        upstream: [RUN_BODY_GATE],
        'token.$': '$$.Task.Token',
      },
    },
    ResultPath: null,
    TimeoutSeconds: seconds,
    End: true,
  };
  return { StartAt: name, States: stateRecord([name, timer]) };
}

/** The body's last state with a timer: releases it, so that the Parallel ends with the body. */
function bodyDone(ctx: LowerContext, name: string): TaskState {
  mark(ctx, name, { role: 'release' });
  return {
    Type: 'Task',
    Resource: 'arn:aws:states:::lambda:invoke',
    // Synchronous, unlike a job's release: a lost one would fail a finished run at its timeout.
    Parameters: {
      FunctionName: gateFunction(ctx),
      Payload: {
        action: 'release',
        'runId.$': '$.run.id',
        job: RUN_BODY_GATE,
        result: { r: 'success', ok: true },
      },
    },
    ResultPath: null,
    Retry: LAMBDA_RETRY,
    End: true,
  };
}

/**
 * The compensations: a Task asks the runtime which jobs with a `compensate` action succeeded
 * (newest completion first, with the upstream results their actions read), then a Map runs
 * their actions one at a time. A failed action goes on to the next.
 */
function compensations(ctx: LowerContext, entries: ReadonlyMap<string, string>, next: string): Fragment {
  const ask = mark(ctx, ctx.names.take('compensations'), { role: 'compensations' });
  const each = mark(ctx, ctx.names.take('compensate'), { role: 'structure' });
  const which = mark(ctx, ctx.names.take('compensate which'), { role: 'structure' });
  const ended = mark(ctx, ctx.names.take('compensation ended'), { role: 'structure' });
  const reads: { [job: string]: JsonValue } = {};
  const rules: ChoiceRule[] = [];
  const processor = stateRecord([which, { Type: 'Choice', Choices: rules, Default: ended }]);
  for (const job of ctx.workflow.jobs) {
    const action = job.compensate;
    const entry = entries.get(job.name);
    if (action === undefined || entry === undefined) continue;
    reads[job.name] = needsRead(action);
    const task = lowerAction(ctx, {
      action,
      entry,
      job: job.name,
      stage: job.stage,
      role: 'compensate',
      resolver: actionResolver(ctx.workflow, { needsAt: '$.item.needs', runStatus: false }),
      stateName: (suffix = '') =>
        ctx.names.take(`${job.name} compensate${suffix === '' ? '' : ` ${suffix}`}`),
      successNext: undefined,
      failureNext: ended,
    });
    rules.push({ Variable: '$.item.job', StringEquals: job.name, Next: task.start });
    Object.assign(processor, task.states);
  }
  processor[ended] = { Type: 'Pass', End: true };
  const fn = useSubstitution(
    ctx.out,
    'RunsFunctionArn',
    'ARN of the runs Lambda function (answers which jobs to compensate)',
  );
  usePermission(ctx.out, 'InvokeRuns', ['lambda:InvokeFunction'], [fn]);
  const states = stateRecord();
  states[ask] = {
    Type: 'Task',
    Resource: 'arn:aws:states:::lambda:invoke',
    Parameters: {
      FunctionName: fn,
      Payload: {
        action: 'compensations',
        'runId.$': '$.run.id',
        'executionId.$': '$$.Execution.Id',
        jobs: reads,
      },
    },
    ResultSelector: { 'jobs.$': '$.Payload.jobs' },
    ResultPath: UNDO,
    Retry: LAMBDA_RETRY,
    // Without the list there is nothing to compensate; onExit still runs.
    Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: UNDO, Next: next }],
    Next: each,
  };
  states[each] = {
    Type: 'Map',
    ItemsPath: `${UNDO}.jobs`,
    // One at a time, in the order given: reverse completion order is the point of a saga.
    MaxConcurrency: 1,
    ItemSelector: keepCarried(ctx, '$', {
      'item.$': '$$.Map.Item.Value',
      'params.$': '$.params',
      'run.$': '$.run',
    }),
    ItemProcessor: { StartAt: which, States: processor },
    ResultPath: null,
    Next: next,
  };
  return { start: ask, states };
}

/** The onExit action, then the end that restores the body's status. */
function onExit(ctx: LowerContext, entry: string, end: string): Fragment {
  const action = ctx.workflow.onExit;
  if (action === undefined) throw new RangeError('no onExit to lower');
  return lowerAction(ctx, {
    action,
    entry,
    stage: '',
    role: 'onExit',
    resolver: actionResolver(ctx.workflow, { runStatus: true }),
    stateName: (suffix = '') => ctx.names.take(`onExit ${entry}${suffix === '' ? '' : ` ${suffix}`}`),
    successNext: end,
    // A failed onExit is recorded; the run keeps the body's status.
    failureNext: end,
  });
}

/** Wraps the run's body (its whole graph) and adds the exit path after it. */
export function lowerExitPath(ctx: LowerContext, body: Fragment, bodyEnd: string | undefined): Fragment {
  const entries = actionEntries(ctx.workflow);
  const wrapper = mark(ctx, ctx.names.take('run body'), { role: 'structure' });
  const hasExit = entries.onExit !== undefined;
  const succeeded = hasExit ? mark(ctx, ctx.names.take('body succeeded'), { role: 'structure' }) : undefined;
  const failed = hasExit ? mark(ctx, ctx.names.take('body failed'), { role: 'structure' }) : undefined;
  const check = hasExit ? mark(ctx, ctx.names.take('run end'), { role: 'structure' }) : undefined;
  const ok = mark(ctx, ctx.names.take('run ended'), { role: 'structure' });
  const notOk = mark(ctx, ctx.names.take('run ended failed'), { role: 'structure' });
  const bodyStates = stateRecord();
  Object.assign(bodyStates, body.states);
  if (bodyEnd !== undefined) bodyStates[bodyEnd] = bodyDone(ctx, bodyEnd);
  const seconds = ctx.workflow.timeoutSeconds;
  const branches = [
    graphOf({ start: body.start, states: bodyStates }),
    ...(bodyEnd === undefined || seconds === undefined ? [] : [timerBranch(ctx, seconds)]),
  ];
  const exit =
    entries.onExit === undefined || check === undefined ? undefined : onExit(ctx, entries.onExit, check);
  const undo =
    entries.compensate.size === 0 ? undefined : compensations(ctx, entries.compensate, exit?.start ?? notOk);
  const states = stateRecord();
  states[wrapper] = {
    Type: 'Parallel',
    Branches: branches,
    ResultPath: null,
    Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: RUN_ERROR, Next: failed ?? undo?.start ?? notOk }],
    Next: succeeded ?? ok,
  };
  const status = (value: string, next: string): State => ({
    Type: 'Pass',
    Result: value,
    ResultPath: RUN_STATUS,
    Next: next,
  });
  if (succeeded !== undefined && exit !== undefined) states[succeeded] = status('succeeded', exit.start);
  if (failed !== undefined && exit !== undefined)
    states[failed] = status('failed', undo?.start ?? exit.start);
  Object.assign(states, undo?.states, exit?.states);
  if (check !== undefined) {
    states[check] = {
      Type: 'Choice',
      Choices: [{ Variable: RUN_STATUS, StringEquals: 'failed', Next: notOk }],
      Default: ok,
    };
  }
  states[ok] = { Type: 'Succeed' };
  // The run fails with the body's own error, as a run without an exit path does. A caught
  // error "usually" has a Cause (the Catch docs' word), and a CausePath that selects nothing is a
  // runtime error of its own: so the Cause is passed on only when it is there.
  const withCause = mark(ctx, ctx.names.take('run failed with cause'), { role: 'structure' });
  const withoutCause = mark(ctx, ctx.names.take('run failed without cause'), { role: 'structure' });
  states[notOk] = {
    Type: 'Choice',
    Choices: [{ Variable: `${RUN_ERROR}.Cause`, IsPresent: true, Next: withCause }],
    Default: withoutCause,
  };
  states[withCause] = { Type: 'Fail', ErrorPath: `${RUN_ERROR}.Error`, CausePath: `${RUN_ERROR}.Cause` };
  states[withoutCause] = { Type: 'Fail', ErrorPath: `${RUN_ERROR}.Error` };
  return { start: wrapper, states };
}
