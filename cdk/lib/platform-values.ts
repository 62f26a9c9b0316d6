import { Aws, Fn } from 'aws-cdk-lib';
import { DEFAULT_SIDECAR_IMAGE } from '../../compiler/kinds/sidecars.js';
import { arnPrefix, type Compute } from './compute.js';
import type { Handlers } from './handlers.js';
import type { Storage } from './storage.js';
import type { SubstitutionValues } from './substitutions.js';

/**
 * The definition substitutions every workflow of this stack shares (compiler/lower/substitutions.ts
 * lists them), as CloudFormation values. Per workflow come `TaskRoleArn`, `ExecutionRoleArn` and
 * the `TaskDefinition_<hash>` ARNs.
 */
export function platformValues(
  storage: Storage,
  compute: Compute,
  handlers: Handlers,
  sidecarImage: string = DEFAULT_SIDECAR_IMAGE,
): SubstitutionValues {
  return {
    ClusterArn: compute.cluster.clusterArn,
    SubnetIds: Fn.join(',', [...compute.subnetIds]),
    SecurityGroupIds: Fn.join(
      ',',
      compute.securityGroups.map((group) => group.securityGroupId),
    ),
    AssignPublicIp: compute.assignPublicIp,
    GateFunctionArn: handlers.functions.gates.functionArn,
    ApprovalFunctionArn: handlers.functions['approval-request'].functionArn,
    RunsFunctionArn: handlers.functions['runs-api'].functionArn,
    StateMachineArnPrefix: `${arnPrefix('states')}stateMachine:`,
    ExecutionArnPrefix: `${arnPrefix('states')}execution:`,
    ArtifactsBucket: storage.artifacts.bucketName,
    ArtifactsBucketArn: storage.artifacts.bucketArn,
    SecretsManagerArnPrefix: `${arnPrefix('secretsmanager')}secret:`,
    AwsPartition: Aws.PARTITION,
    AwsRegion: Aws.REGION,
    AwsAccountId: Aws.ACCOUNT_ID,
    SidecarImage: sidecarImage,
  };
}
