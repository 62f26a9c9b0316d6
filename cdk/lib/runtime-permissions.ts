import type { PermissionSpec } from '../../compiler/index.js';

/**
 * The IAM of workflows the submit handler deploys at run time. Their permissions are only known
 * once they are compiled, and handing the submit handler iam:CreateRole would let any uploaded
 * YAML grant itself anything; so they share these roles, which hold the union of what the
 * compiler can ask for (compiler/kinds/*-asl.ts, compiler/lower/*), scoped to this stack's
 * resources. Workflows of `workflowsDir` get roles with exactly their own compile output.
 */

const ecs = 'arn:${AwsPartition}:ecs:${AwsRegion}:${AwsAccountId}';
const events = 'arn:${AwsPartition}:events:${AwsRegion}:${AwsAccountId}';
const states = 'arn:${AwsPartition}:states:${AwsRegion}:${AwsAccountId}';

/** The state machine role of run-time workflows. */
export const RUNTIME_WORKFLOW_PERMISSIONS: ReadonlyArray<PermissionSpec> = [
  {
    sid: 'SyncRules',
    actions: ['events:DescribeRule', 'events:PutRule', 'events:PutTargets'],
    resources: [
      `${events}:rule/StepFunctionsGetEventsForECSTaskRule`,
      `${events}:rule/StepFunctionsGetEventsForStepFunctionsExecutionRule`,
    ],
  },
  {
    sid: 'InvokeHandlers',
    actions: ['lambda:InvokeFunction'],
    resources: ['${ApprovalFunctionArn}', '${GateFunctionArn}', '${RunsFunctionArn}'],
  },
  { sid: 'PassJobRoles', actions: ['iam:PassRole'], resources: ['${TaskRoleArn}', '${ExecutionRoleArn}'] },
  { sid: 'RunJobTasks', actions: ['ecs:RunTask'], resources: [`${ecs}:task-definition/waterflow-*`] },
  {
    sid: 'WatchJobTasks',
    actions: ['ecs:DescribeTasks', 'ecs:ListTasks', 'ecs:StopTask'],
    resources: [`${ecs}:task/*`, '${ClusterArn}'],
  },
  {
    sid: 'JobOutputsAndMapResults',
    actions: ['s3:AbortMultipartUpload', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:PutObject'],
    resources: ['${ArtifactsBucketArn}/runs/*'],
  },
  {
    sid: 'StartChildExecutions',
    actions: ['states:StartExecution'],
    resources: [`${states}:stateMachine:*`],
  },
  {
    sid: 'WatchChildExecutions',
    actions: ['states:DescribeExecution', 'states:StopExecution'],
    resources: [`${states}:execution:*`],
  },
  { sid: 'DescribeMapRuns', actions: ['states:DescribeMapRun'], resources: [`${states}:mapRun:*`] },
];

/** The task role of run-time workflows: outputs and artifacts of any job, under `runs/` only. */
export const RUNTIME_TASK_PERMISSIONS: ReadonlyArray<PermissionSpec> = [
  {
    sid: 'ListRunArtifacts',
    actions: ['s3:ListBucket'],
    resources: ['${ArtifactsBucketArn}'],
    conditions: { StringLike: { 's3:prefix': ['runs/*'] } },
  },
  {
    sid: 'ReadWriteRunArtifacts',
    actions: ['s3:AbortMultipartUpload', 's3:GetObject', 's3:PutObject'],
    resources: ['${ArtifactsBucketArn}/runs/*'],
  },
];

/**
 * The execution role of run-time workflows: secrets under `waterflow/` only (Secrets Manager
 * names and SSM parameter paths), so an uploaded workflow cannot read the account's other secrets.
 */
export const RUNTIME_EXECUTION_PERMISSIONS: ReadonlyArray<PermissionSpec> = [
  {
    sid: 'ReadWaterflowSecrets',
    actions: ['secretsmanager:GetSecretValue'],
    resources: ['${SecretsManagerArnPrefix}waterflow/*'],
  },
  {
    sid: 'ReadWaterflowParameters',
    actions: ['ssm:GetParameters'],
    resources: ['arn:${AwsPartition}:ssm:${AwsRegion}:${AwsAccountId}:parameter/waterflow/*'],
  },
  {
    sid: 'DecryptWaterflowSecrets',
    actions: ['kms:Decrypt'],
    resources: ['*'],
    conditions: {
      StringEquals: {
        'kms:ViaService': ['secretsmanager.${AwsRegion}.amazonaws.com', 'ssm.${AwsRegion}.amazonaws.com'],
      },
    },
  },
];
