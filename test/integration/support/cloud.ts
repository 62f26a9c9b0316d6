import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type ECSClientResolvedConfig,
  type ServiceInputTypes as EcsInput,
  type ServiceOutputTypes as EcsOutput,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  type SFNClientResolvedConfig,
  type ServiceInputTypes as SfnInput,
  type ServiceOutputTypes as SfnOutput,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import type { AwsStub } from 'aws-sdk-client-mock';
import type { Platform } from '../../../lambdas/submit/platform.js';
import { derivedSubstitutions } from '../../../lambdas/submit/platform.js';
import { root } from '../../support/files.js';

/** The platform of an account that exists only in tests. */
export const testPlatform: Platform = {
  partition: 'aws',
  region: 'eu-west-1',
  account: '123456789012',
  substitutions: derivedSubstitutions(
    'aws',
    'eu-west-1',
    '123456789012',
    {
      ClusterArn: 'arn:aws:ecs:eu-west-1:123456789012:cluster/waterflow',
      SubnetIds: 'subnet-0a,subnet-0b',
      SecurityGroupIds: 'sg-0a',
      TaskRoleArn: 'arn:aws:iam::123456789012:role/waterflow-task',
      ExecutionRoleArn: 'arn:aws:iam::123456789012:role/waterflow-execution',
      GateFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:gates',
      ApprovalFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:approval-request',
      RunsFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:runs-api',
      ArtifactsBucket: 'waterflow-artifacts-123456789012',
    },
    { assignPublicIp: 'DISABLED', sidecarImage: 'public.ecr.aws/aws-cli/aws-cli:2.32.9' },
  ),
  stateMachineRoleArn: 'arn:aws:iam::123456789012:role/waterflow-workflows',
  schedules: {
    groupName: 'default',
    roleArn: 'arn:aws:iam::123456789012:role/waterflow-scheduler',
    targetArn: 'arn:aws:lambda:eu-west-1:123456789012:function:submit',
  },
  jobLogs: { group: '/waterflow/jobs', streamPrefix: 'waterflow' },
};

/** The environment the submit handler module reads for `testPlatform`. */
export function submitEnv(): Record<string, string> {
  return {
    DEFINITION_SUBSTITUTIONS: JSON.stringify(testPlatform.substitutions),
    WORKFLOW_ROLE_ARN: testPlatform.stateMachineRoleArn,
    SCHEDULER_ROLE_ARN: testPlatform.schedules.roleArn,
    SUBMIT_FUNCTION_ARN: testPlatform.schedules.targetArn,
    JOB_LOG_GROUP: '/waterflow/jobs',
    STATE_MACHINE_ARN_PREFIX: 'arn:aws:states:eu-west-1:123456789012:stateMachine:',
  };
}

export function example(name: string): string {
  return readFileSync(join(root, 'examples', `${name}.yaml`), 'utf8');
}

/** The Step Functions calls made, in order, across the mocked clients. */
export type CallLog = string[];

/**
 * Step Functions as far as the submit path sees it: an execution name starts one execution;
 * a second start of the name is `ExecutionAlreadyExists`; stopped executions are ABORTED.
 */
export function modelStepFunctions(
  sfn: AwsStub<SfnInput, SfnOutput, SFNClientResolvedConfig>,
  calls: CallLog,
): { readonly started: Map<string, string> } {
  const started = new Map<string, string>();
  sfn.on(CreateStateMachineCommand).callsFake((input) => ({
    stateMachineArn: `arn:aws:states:eu-west-1:123456789012:stateMachine:${input.name}`,
    creationDate: new Date(0),
  }));
  sfn.on(StartExecutionCommand).callsFake(async (input) => {
    const name = input.name ?? '';
    calls.push(`StartExecution ${name}`);
    // Yield, as a network call would: concurrent submits interleave here.
    await new Promise((resolve) => setImmediate(resolve));
    if (started.has(name)) {
      throw new ExecutionAlreadyExists({ message: `Execution Already Exists: ${name}`, $metadata: {} });
    }
    started.set(name, 'RUNNING');
    const machine = input.stateMachineArn.slice(input.stateMachineArn.lastIndexOf(':') + 1);
    return {
      executionArn: `arn:aws:states:eu-west-1:123456789012:execution:${machine}:${name}`,
      startDate: new Date('2026-11-22T01:05:01.000Z'),
    };
  });
  sfn.on(StopExecutionCommand).callsFake((input) => {
    const name = input.executionArn.slice(input.executionArn.lastIndexOf(':') + 1);
    calls.push(`StopExecution ${name}`);
    if (!started.has(name))
      throw new ExecutionDoesNotExist({ message: 'Execution Does Not Exist', $metadata: {} });
    started.set(name, 'ABORTED');
    return { stopDate: new Date() };
  });
  sfn.on(DescribeExecutionCommand).callsFake((input) => {
    const name = input.executionArn.slice(input.executionArn.lastIndexOf(':') + 1);
    const status = started.get(name);
    if (status === undefined)
      throw new ExecutionDoesNotExist({ message: 'Execution Does Not Exist', $metadata: {} });
    return { executionArn: input.executionArn, status };
  });
  return { started };
}

/** ECS RegisterTaskDefinition, answering revision 1 of the family. */
export function modelEcs(ecs: AwsStub<EcsInput, EcsOutput, ECSClientResolvedConfig>): void {
  ecs.on(RegisterTaskDefinitionCommand).callsFake((input) => ({
    taskDefinition: {
      taskDefinitionArn: `arn:aws:ecs:eu-west-1:123456789012:task-definition/${input.family}:1`,
    },
  }));
}

/** The mocked clients of the submit path, as each test file creates them. */
export interface CloudMocks {
  readonly sfn: Parameters<typeof modelStepFunctions>[0];
  readonly ecs: Parameters<typeof modelEcs>[0];
  readonly scheduler: { reset(): void };
  readonly s3: { reset(): void };
}

/** Every mock reset, with Step Functions and ECS modelled afresh; the test adds its own stubs. */
export function resetCloud(mocks: CloudMocks): {
  readonly calls: CallLog;
  readonly model: ReturnType<typeof modelStepFunctions>;
} {
  for (const mock of [mocks.sfn, mocks.ecs, mocks.scheduler, mocks.s3]) mock.reset();
  const calls: CallLog = [];
  const model = modelStepFunctions(mocks.sfn, calls);
  modelEcs(mocks.ecs);
  return { calls, model };
}
