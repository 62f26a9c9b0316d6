import { Stack } from 'aws-cdk-lib';
import { NagSuppressions, type RegexAppliesTo } from 'cdk-nag';
import type { Api } from './api.js';
import { arnPrefix, type Compute, JOB_LOG_STREAM_PREFIX } from './compute.js';
import { allow, KEY_DECRYPT, KEY_ENCRYPT_DECRYPT, useKey } from './grants.js';
import type { HandlerName, Handlers } from './handlers.js';
import type { Storage } from './storage.js';
import type { SubstitutionValues } from './substitutions.js';
import type { Workflows } from './workflows.js';

/**
 * The environment each handler reads (`requiredEnv` in lambdas/). Every handler also gets
 * `TABLE_NAME` (the store table) from the Handlers construct.
 */
export const HANDLER_ENV = {
  /** Secrets Manager secret (ARN) holding the approval link key (lambdas/shared/link-key.ts). */
  linkKeySecret: 'APPROVAL_LINK_KEY_SECRET',
  approvalTopicArn: 'APPROVAL_TOPIC_ARN',
  /** `https://<api>/v1`: links are `<base>/approvals/<id>?...`. */
  approvalBaseUrl: 'APPROVAL_BASE_URL',
  stateMachineArnPrefix: 'STATE_MACHINE_ARN_PREFIX',
} as const;

export interface WiringProps {
  readonly storage: Storage;
  readonly compute: Compute;
  readonly handlers: Handlers;
  readonly api: Api;
  readonly workflows: Workflows;
  /** The platform's definition substitutions (`platformValues`). */
  readonly values: SubstitutionValues;
}

/** Why each wildcard a handler role holds cannot be narrower. */
function suppress(
  handlers: Handlers,
  name: HandlerName,
  reason: string,
  appliesTo: Array<string | RegexAppliesTo>,
): void {
  const role = handlers.functions[name].role;
  if (role === undefined) return;
  NagSuppressions.addResourceSuppressions(role, [{ id: 'AwsSolutions-IAM5', reason, appliesTo }], true);
}

/**
 * Per-handler environment and IAM: what each handler's code reads and calls, and nothing else.
 * Done after the API and the workflow roles exist, since handlers hold their ARNs and URLs.
 */
export function wireHandlers({ storage, compute, handlers, api, workflows, values }: WiringProps): void {
  const fns = handlers.functions;
  const stateMachines = `${arnPrefix('states')}stateMachine:*`;
  const executions = `${arnPrefix('states')}execution:*`;
  const taskTokens = ['states:SendTaskFailure', 'states:SendTaskHeartbeat', 'states:SendTaskSuccess'];
  const tokenReason =
    'task tokens come from executions of any Waterflow state machine, including those the submit handler creates at run time under workflow names';

  // approval-request: stores the token, publishes signed links.
  const request = fns['approval-request'];
  request.addEnvironment(HANDLER_ENV.approvalTopicArn, storage.approvalTopic.topicArn);
  request.addEnvironment(HANDLER_ENV.approvalBaseUrl, api.baseUrl);
  request.addEnvironment(HANDLER_ENV.linkKeySecret, storage.linkKeyArn);
  allow(request, 'PublishApprovalLinks', ['sns:Publish'], [storage.approvalTopic.topicArn]);
  allow(request, 'ReadLinkKey', ['secretsmanager:GetSecretValue'], [storage.linkKeyArn]);
  useKey(request, 'UseTopicAndLinkKey', storage.key, KEY_ENCRYPT_DECRYPT);

  // approval-api: checks the link, answers the waiting task.
  const approvals = fns['approval-api'];
  approvals.addEnvironment(HANDLER_ENV.linkKeySecret, storage.linkKeyArn);
  allow(approvals, 'ReadLinkKey', ['secretsmanager:GetSecretValue'], [storage.linkKeyArn]);
  useKey(approvals, 'DecryptLinkKey', storage.key, KEY_DECRYPT);
  allow(approvals, 'AnswerApprovalTasks', taskTokens, [stateMachines]);
  suppress(handlers, 'approval-api', `ApprovalApiRole: ${tokenReason}`, [
    { regex: '/^Resource::arn:.*:stateMachine:\\*$/g' },
  ]);

  // gates: answers waiting gates.
  allow(fns.gates, 'AnswerGateTasks', taskTokens, [stateMachines]);
  suppress(handlers, 'gates', `GatesRole: ${tokenReason}`, [
    { regex: '/^Resource::arn:.*:stateMachine:\\*$/g' },
  ]);

  // recorder: job and run records, log links; releases gated dependants of a container job that exited 0.
  const recorder = fns.recorder;
  recorder.addEnvironment('JOB_LOG_GROUP', compute.jobLogs.logGroupName);
  recorder.addEnvironment('JOB_LOG_STREAM_PREFIX', JOB_LOG_STREAM_PREFIX);
  allow(recorder, 'ReleaseGates', taskTokens, [stateMachines]);
  suppress(handlers, 'recorder', `RecorderRole: ${tokenReason}`, [
    { regex: '/^Resource::arn:.*:stateMachine:\\*$/g' },
  ]);

  // The platform the submit handler renders machines for, as lambdas/submit/platform.ts
  // (platformFromEnv) reads it; the runs-api renders rerun machines too. The substitutions of
  // uploaded workflows are the stack's, with the shared job roles.
  const substitutions = (without: ReadonlyArray<string> = []): string =>
    Stack.of(handlers).toJsonString(
      Object.fromEntries(
        Object.entries({
          ...values,
          TaskRoleArn: workflows.runtimeJobRoles.taskRole.roleArn,
          ExecutionRoleArn: workflows.runtimeJobRoles.executionRole.roleArn,
        }).filter(([name]) => !without.includes(name)),
      ),
    );
  const platformEnv: Record<string, string> = {
    DEFINITION_SUBSTITUTIONS: substitutions(),
    WORKFLOW_ROLE_ARN: workflows.runtimeRole.roleArn,
    SCHEDULE_GROUP: compute.scheduleGroupName,
    SCHEDULER_ROLE_ARN: compute.schedulerRole.roleArn,
    // Its own ARN, from its fixed name: a GetAtt of itself would be a circular reference.
    SUBMIT_FUNCTION_ARN: handlers.submitArn,
    JOB_LOG_GROUP: compute.jobLogs.logGroupName,
    JOB_LOG_STREAM_PREFIX: JOB_LOG_STREAM_PREFIX,
    EXECUTION_LOG_GROUP_ARN: `${workflows.executionLogs.logGroupArn}`,
  };

  // runs-api: reads run records, cancels (StopExecution), retries (RedriveExecution) and reruns
  // runs, and answers the compensations Task of failed runs.
  const runs = fns['runs-api'];
  runs.addEnvironment(HANDLER_ENV.stateMachineArnPrefix, values.StateMachineArnPrefix ?? '');
  allow(runs, 'CancelAndRetryRuns', ['states:RedriveExecution', 'states:StopExecution'], [executions]);
  // The compensations Task of failed runs: the outputs the compensate actions read.
  runs.addEnvironment('ARTIFACTS_BUCKET', storage.artifacts.bucketName);
  allow(runs, 'ReadJobOutputs', ['s3:GetObject'], [storage.artifacts.arnForObjects('runs/*')]);
  // The compensations Task asks ECS about jobs whose end the run log does not hold yet.
  allow(
    runs,
    'ReadJobTasks',
    ['ecs:DescribeTasks', 'ecs:ListTasks'],
    [compute.taskArnPattern, compute.cluster.clusterArn],
  );
  suppress(
    handlers,
    'runs-api',
    "RunsApiRole: the compensations Task reads the stopped tasks of a run's jobs, which ECS names by a random id (task/<cluster>/*, this cluster only)",
    [{ regex: '/^Resource::arn:.*:ecs:.*:task\\/.*\\/\\*$/g' }],
  );
  // A rerun copies the artifacts of reused jobs that jobs running again take, to the new run.
  allow(runs, 'CopyRerunArtifacts', ['s3:PutObject'], [storage.artifacts.arnForObjects('runs/*')]);
  allow(runs, 'ListRunArtifacts', ['s3:ListBucket'], [storage.artifacts.bucketArn], {
    StringLike: { 's3:prefix': ['runs/*'] },
  });
  suppress(
    handlers,
    'runs-api',
    'RunsApiRole: runs are executions of any workflow, including those the submit handler creates at run time, so their ARNs are only known by pattern (execution:*)',
    [{ regex: '/^Resource::arn:.*:execution:\\*$/g' }],
  );
  // Reruns: the rerun machine (`<workflow>--rerun-<hash>`, created or updated, running as the
  // workflows' role) or, with nothing to reuse, the workflow's own machine.
  // Not its own ARN: a GetAtt of itself would be a circular reference (the handler derives it).
  // Without RunsFunctionArn: a GetAtt of itself would be a circular reference (the handler adds
  // its own ARN, lambdas/runs-api/handler.ts).
  const rerunEnv = { ...platformEnv, DEFINITION_SUBSTITUTIONS: substitutions(['RunsFunctionArn']) };
  for (const [name, value] of Object.entries(rerunEnv)) runs.addEnvironment(name, value);
  const rerunMachines = `${arnPrefix('states')}stateMachine:*--rerun-*`;
  allow(
    runs,
    'DeployRerunMachines',
    ['states:CreateStateMachine', 'states:TagResource', 'states:UpdateStateMachine'],
    [rerunMachines],
  );
  allow(runs, 'StartReruns', ['states:StartExecution'], [stateMachines]);
  // Deleting a rerun run deletes its rerun machine when no other execution ran on it.
  allow(runs, 'RetireRerunMachines', ['states:DeleteStateMachine', 'states:ListExecutions'], [rerunMachines]);
  allow(runs, 'CheckLeaseHolders', ['states:DescribeExecution'], [executions]);
  allow(runs, 'PassWorkflowRole', ['iam:PassRole'], [workflows.runtimeRole.roleArn]);
  suppress(
    handlers,
    'runs-api',
    "RunsApiRole: a rerun creates or updates the machine <workflow>--rerun-<hash of the reused results> of any uploaded workflow (stateMachine:*--rerun-*) and starts it, or the workflow's own machine when nothing is reused (stateMachine:*), and deleting the rerun run deletes that machine; workflows are uploaded at run time, so their names are only known by pattern",
    [
      { regex: '/^Resource::arn:.*:stateMachine:\\*--rerun-\\*$/g' },
      { regex: '/^Resource::arn:.*:stateMachine:\\*$/g' },
    ],
  );
  suppress(
    handlers,
    'runs-api',
    'RunsApiRole: compensate actions read the outputs of any job of the failed run, at runs/<runId>/<job>/outputs.json, and run ids are only known at run time (runs/*)',
    [{ regex: '/^Resource::<StorageArtifacts[0-9A-F]+\\.Arn>\\/runs\\/\\*$/g' }],
  );

  // submit: validates, compiles, registers task definitions, creates machines and schedules, starts runs.
  // Names from lambdas/submit/platform.ts (platformFromEnv, SUBSTITUTION_ENV).
  const submit = fns.submit;
  for (const [name, value] of Object.entries(platformEnv)) submit.addEnvironment(name, value);
  allow(compute.schedulerRole, 'InvokeSubmit', ['lambda:InvokeFunction'], [handlers.submitArn]);
  allow(
    submit,
    'ReadDefinitions',
    ['s3:GetObject', 's3:GetObjectVersion'],
    [storage.definitions.arnForObjects('*')],
  );
  useKey(submit, 'DecryptDefinitions', storage.key, KEY_DECRYPT);
  allow(
    submit,
    'DeployWorkflows',
    [
      'states:CreateStateMachine',
      'states:DescribeStateMachine',
      'states:ListExecutions',
      'states:StartExecution',
      'states:TagResource',
      'states:UpdateStateMachine',
    ],
    [stateMachines],
  );
  allow(submit, 'ReplaceRuns', ['states:DescribeExecution', 'states:StopExecution'], [executions]);
  // RegisterTaskDefinition and DescribeTaskDefinition have no resource-level permissions.
  allow(submit, 'RegisterJobTasks', ['ecs:DescribeTaskDefinition', 'ecs:RegisterTaskDefinition'], ['*']);
  allow(submit, 'TagJobTasks', ['ecs:TagResource'], [`${arnPrefix('ecs')}task-definition/waterflow-*`]);
  allow(
    submit,
    'ScheduleRuns',
    [
      'scheduler:CreateSchedule',
      'scheduler:DeleteSchedule',
      'scheduler:GetSchedule',
      'scheduler:UpdateSchedule',
    ],
    [`${arnPrefix('scheduler')}schedule/${compute.scheduleGroupName}/*`],
  );
  allow(submit, 'ListSchedules', ['scheduler:ListSchedules'], ['*']);
  allow(
    submit,
    'PassPlatformRoles',
    ['iam:PassRole'],
    [
      workflows.runtimeRole.roleArn,
      workflows.runtimeJobRoles.taskRole.roleArn,
      workflows.runtimeJobRoles.executionRole.roleArn,
      compute.schedulerRole.roleArn,
    ],
  );
  suppress(
    handlers,
    'submit',
    'SubmitRole: it creates and updates the state machines of uploaded workflows, named after them (stateMachine:*, execution:* for the Replace policy); ecs:RegisterTaskDefinition, ecs:DescribeTaskDefinition and scheduler:ListSchedules have no resource-level permissions (Resource "*"); task definitions are the waterflow-<hash> family, schedules are <workflow>.<n> in the schedule group of the stack; definitions are any object of the definitions bucket',
    [
      'Resource::*',
      { regex: '/^Resource::arn:.*:stateMachine:\\*$/g' },
      { regex: '/^Resource::arn:.*:execution:\\*$/g' },
      { regex: '/^Resource::arn:.*:task-definition\\/waterflow-\\*$/g' },
      { regex: '/^Resource::arn:.*:schedule\\/.*\\/\\*$/g' },
      { regex: '/^Resource::<.*\\.Arn>\\/\\*$/g' },
    ],
  );
}
