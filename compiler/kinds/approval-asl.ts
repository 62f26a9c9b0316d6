import type { Catcher, State } from '../asl/types.js';
import type { ApprovalJob } from '../ir.js';
import { addStates, type Fragment, type RunRequest, stateRecord, transition } from '../lower/context.js';
import { lowerTemplate, UnsupportedExpression } from '../lower/expressions.js';
import { usePermission, useSubstitution } from '../lower/substitutions.js';

/** The error a rejected approval fails with (SendTaskFailure); part of the contract. */
export const REJECTED_ERROR = 'Waterflow.Rejected';

function message(job: ApprovalJob, request: RunRequest): Record<string, string> {
  try {
    const lowered = lowerTemplate(job.message, request.resolver);
    return lowered.kind === 'static' ? { message: lowered.text } : { 'message.$': lowered.intrinsic };
  } catch (error) {
    if (!(error instanceof UnsupportedExpression)) throw error;
    request.ctx.sink.error('WF4002', job.message.path ?? job.path, `job "${job.name}": ${error.message}`, {
      offset: error.start,
    });
    return { message: job.message.source };
  }
}

/**
 * An approval: `lambda:invoke.waitForTaskToken` on the approval function, which stores the
 * token and sends links; the job's timeout bounds the wait and `onTimeout` decides then.
 */
export function lowerApproval(job: ApprovalJob, request: RunRequest): Fragment {
  const { ctx } = request;
  const fn = useSubstitution(ctx.out, 'ApprovalFunctionArn');
  usePermission(ctx.out, 'InvokeApprovals', ['lambda:InvokeFunction'], [fn]);
  const task = request.stateName();
  ctx.out.stateMap[task] = { job: job.name, role: 'run', kind: 'approval' };
  const states = stateRecord();
  const catches: Catcher[] = [];
  if (job.onTimeout === 'approve') {
    const approved = request.stateName('approved on timeout');
    ctx.out.stateMap[approved] = { job: job.name, role: 'record' };
    states[approved] =
      request.resultPath === null
        ? { Type: 'Pass', ResultPath: null, ...transition(request.successNext) }
        : {
            Type: 'Pass',
            Result: { r: 'success', ok: true },
            ResultPath: request.resultPath,
            ...transition(request.successNext),
          };
    catches.push({ ErrorEquals: ['States.Timeout'], ResultPath: '$.err', Next: approved });
  }
  if (request.failureNext !== undefined)
    catches.push({ ErrorEquals: ['States.ALL'], ResultPath: '$.err', Next: request.failureNext });
  const run: State = {
    Type: 'Task',
    Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
    Parameters: {
      FunctionName: fn,
      Payload: {
        action: 'request',
        'token.$': '$$.Task.Token',
        'runId.$': '$.run.id',
        workflow: ctx.workflow.name,
        job: job.name,
        ...message(job, request),
        approvers: [...job.approvers],
        minApprovals: job.minApprovals,
        timeoutSeconds: job.timeoutSeconds ?? 86_400,
        onTimeout: job.onTimeout,
      },
    },
    ...(request.resultPath === null
      ? { ResultPath: null }
      : { ResultSelector: { r: 'success', ok: true }, ResultPath: request.resultPath }),
    ...(job.timeoutSeconds === undefined ? {} : { TimeoutSeconds: job.timeoutSeconds }),
    ...(catches.length === 0 ? {} : { Catch: catches }),
    ...transition(request.successNext),
  };
  return { start: task, states: addStates(stateRecord([task, run]), states) };
}
