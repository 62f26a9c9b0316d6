import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { ILogGroup } from 'aws-cdk-lib/aws-logs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import type { PermissionSpec } from '../../compiler/index.js';
import { arnPrefix } from './compute.js';
import { type SubstitutionValues, toStatement } from './substitutions.js';

export interface JobRolesProps {
  /** What the role is for, in descriptions and suppression reasons: `workflow hello`. */
  readonly purpose: string;
  readonly jobLogs: ILogGroup;
  /** The compiler's `taskRolePermissions` (or the platform's, for run-time workflows). */
  readonly taskPermissions: ReadonlyArray<PermissionSpec>;
  /** The compiler's `executionRolePermissions`. */
  readonly executionPermissions: ReadonlyArray<PermissionSpec>;
  readonly values: SubstitutionValues;
}

/**
 * The two roles of a job's ECS task: the task role (`TaskRoleArn`, what the containers may do)
 * and the execution role (`ExecutionRoleArn`, what ECS does to start them: pull the image,
 * write the logs, read the secrets).
 */
export class JobRoles extends Construct {
  readonly taskRole: Role;
  readonly executionRole: Role;

  constructor(scope: Construct, id: string, props: JobRolesProps) {
    super(scope, id);
    const ecsTasks = new ServicePrincipal('ecs-tasks.amazonaws.com');
    this.taskRole = new Role(this, 'TaskRole', {
      assumedBy: ecsTasks,
      description: `Waterflow job containers of ${props.purpose}`,
    });
    for (const spec of props.taskPermissions) {
      this.taskRole.addToPolicy(toStatement(spec, props.values, `task role of ${props.purpose}`));
    }

    this.executionRole = new Role(this, 'ExecutionRole', {
      assumedBy: ecsTasks,
      description: `ECS starts the job containers of ${props.purpose} with this role`,
    });
    this.executionRole.addToPolicy(
      new PolicyStatement({
        sid: 'WriteJobLogs',
        effect: Effect.ALLOW,
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [props.jobLogs.logGroupArn],
      }),
    );
    // Images of this account's private ECR repositories; public images need no grant.
    this.executionRole.addToPolicy(
      new PolicyStatement({
        sid: 'PullPrivateImages',
        effect: Effect.ALLOW,
        actions: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
        resources: [`${arnPrefix('ecr')}repository/*`],
      }),
    );
    this.executionRole.addToPolicy(
      new PolicyStatement({
        sid: 'AuthenticateToEcr',
        effect: Effect.ALLOW,
        actions: ['ecr:GetAuthorizationToken'],
        resources: ['*'],
      }),
    );
    for (const spec of props.executionPermissions) {
      this.executionRole.addToPolicy(toStatement(spec, props.values, `execution role of ${props.purpose}`));
    }

    NagSuppressions.addResourceSuppressions(
      this.executionRole,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason: `ExecutionRole of ${props.purpose}: ecr:GetAuthorizationToken has no resource-level permissions; images may come from any private ECR repository of the account (the workflow names them); kms:Decrypt for secrets is limited to Secrets Manager and SSM by kms:ViaService; Secrets Manager ARNs end in a random 6-character suffix (-??????); workflows submitted at run time may read only secrets and parameters under waterflow/`,
          appliesTo: [
            'Resource::*',
            { regex: '/^Resource::arn:.*:ecr:.*:repository\\/\\*$/g' },
            { regex: '/^Resource::arn:.*:secretsmanager:.*-\\?\\?\\?\\?\\?\\?$/g' },
            { regex: '/^Resource::arn:.*:(secret:|parameter\\/)waterflow\\/\\*$/g' },
          ],
        },
      ],
      true,
    );
    NagSuppressions.addResourceSuppressions(
      this.taskRole,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason: `TaskRole of ${props.purpose}: job outputs and artifacts live under runs/<runId>/<job>/ in the artifacts bucket and the run id is only known at run time (docs/compilation.md, "IAM")`,
          appliesTo: [{ regex: '/^Resource::.*\\/runs\\/\\*.*$/g' }],
        },
      ],
      true,
    );
  }
}
