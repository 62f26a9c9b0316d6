import type { LowerOutputs } from './context.js';

/** Definition substitutions every deployer supplies, with what they hold. */
const KNOWN: Readonly<Record<string, string>> = {
  ClusterArn: 'ARN of the ECS cluster that runs container jobs',
  SubnetIds: 'comma-separated subnet ids for the tasks (awsvpc)',
  SecurityGroupIds: 'comma-separated security group ids for the tasks',
  AssignPublicIp: 'ENABLED or DISABLED',
  TaskRoleArn: 'IAM role the job containers assume',
  ExecutionRoleArn: 'IAM role ECS uses to pull images, read secrets and write logs',
  GateFunctionArn: 'ARN of the gates Lambda function',
  ApprovalFunctionArn: 'ARN of the approval request Lambda function',
  StateMachineArnPrefix: 'arn:aws:states:<region>:<account>:stateMachine: (nested workflows)',
  ExecutionArnPrefix: 'arn:aws:states:<region>:<account>:execution: (nested workflows)',
  ArtifactsBucket: 'name of the artifacts bucket (job outputs)',
  ArtifactsBucketArn: 'ARN of the artifacts bucket',
  SecretsManagerArnPrefix: 'arn:aws:secretsmanager:<region>:<account>:secret:',
  AwsPartition: 'aws, aws-cn or aws-us-gov',
  AwsRegion: 'the region the platform is deployed in',
  AwsAccountId: 'the account the platform is deployed in',
};

/** Records that the definition uses `${name}` and returns the placeholder. */
export function useSubstitution(out: LowerOutputs, name: string, description = KNOWN[name] ?? name): string {
  if (!out.substitutions.has(name)) out.substitutions.set(name, { name, description });
  return `\${${name}}`;
}

/** Records an IAM need once per `sid`. */
export function usePermission(out: LowerOutputs, sid: string, actions: string[], resources: string[]): void {
  const known = out.permissions.get(sid);
  // Called for every job: the common case, nothing new, must stay cheap.
  if (known !== undefined && resources.every((r) => known.resources.includes(r))) return;
  const merged = known === undefined ? resources : [...new Set([...known.resources, ...resources])].sort();
  out.permissions.set(sid, { sid, actions: [...actions].sort(), resources: merged });
}
