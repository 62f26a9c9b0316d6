import type { Catcher, JsonValue, State } from '../asl/types.js';
import type { NestedWorkflowJob } from '../ir.js';
import { type Fragment, type RunRequest, stateRecord, transition } from '../lower/context.js';
import { lowerTemplate, UnsupportedExpression } from '../lower/expressions.js';
import { nativeRetry } from '../lower/retry.js';
import { usePermission, useSubstitution } from '../lower/substitutions.js';

function params(job: NestedWorkflowJob, request: RunRequest): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  for (const [name, value] of Object.entries(job.with)) {
    if (value.kind === 'value') {
      out[name] = value.value;
      continue;
    }
    try {
      const lowered = lowerTemplate(value.template, request.resolver);
      if (lowered.kind === 'static') out[name] = lowered.text;
      else out[`${name}.$`] = lowered.intrinsic;
    } catch (error) {
      if (!(error instanceof UnsupportedExpression)) throw error;
      request.ctx.sink.error(
        'WF4002',
        value.template.path ?? job.path,
        `job "${job.name}": ${error.message}`,
        { offset: error.start },
      );
    }
  }
  return out;
}

/** A nested workflow: `states:startExecution.sync:2` on the other workflow's state machine. */
export function lowerNestedWorkflow(job: NestedWorkflowJob, request: RunRequest): Fragment {
  const { ctx } = request;
  const prefix = useSubstitution(ctx.out, 'StateMachineArnPrefix');
  const executions = useSubstitution(ctx.out, 'ExecutionArnPrefix');
  const p = (name: string) => useSubstitution(ctx.out, name);
  usePermission(ctx.out, 'StartNestedWorkflows', ['states:StartExecution'], [`${prefix}${job.workflow}`]);
  usePermission(
    ctx.out,
    'WatchNestedWorkflows',
    ['states:DescribeExecution', 'states:StopExecution'],
    [`${executions}${job.workflow}:*`],
  );
  usePermission(
    ctx.out,
    'NestedSyncRule',
    ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
    [
      `arn:${p('AwsPartition')}:events:${p('AwsRegion')}:${p('AwsAccountId')}:rule/StepFunctionsGetEventsForStepFunctionsExecutionRule`,
    ],
  );
  const task = request.stateName();
  ctx.out.stateMap[task] = { job: job.name, role: 'run', kind: 'workflow' };
  const catches: Catcher[] =
    request.failureNext === undefined
      ? []
      : [{ ErrorEquals: ['States.ALL'], ResultPath: '$.err', Next: request.failureNext }];
  const retry = nativeRetry(job.retry, ['States.TaskFailed']);
  const state: State = {
    Type: 'Task',
    Resource: 'arn:aws:states:::states:startExecution.sync:2',
    Parameters: {
      StateMachineArn: `${prefix}${job.workflow}`,
      Input: {
        params: params(job, request),
        run: { 'id.$': `States.Format('{}-${request.key}', $.run.id)` },
        jobs: {},
        'AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$': '$$.Execution.Id',
      },
    },
    ...(request.resultPath === null
      ? { ResultPath: null }
      : { ResultSelector: { r: 'success', ok: true }, ResultPath: request.resultPath }),
    ...(job.timeoutSeconds === undefined ? {} : { TimeoutSeconds: job.timeoutSeconds }),
    ...(retry.length === 0 ? {} : { Retry: retry }),
    ...(catches.length === 0 ? {} : { Catch: catches }),
    ...transition(request.successNext),
  };
  return { start: task, states: stateRecord([task, state]) };
}
