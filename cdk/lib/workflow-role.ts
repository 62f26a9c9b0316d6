import { Aws } from 'aws-cdk-lib';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { NagSuppressions, type RegexAppliesTo } from 'cdk-nag';
import type { Construct } from 'constructs';
import type { PermissionSpec } from '../../compiler/index.js';
import { type SubstitutionValues, toStatement } from './substitutions.js';

/**
 * Resource patterns the compiler's permissions hold by design, each with why: job tasks,
 * run-scoped S3 keys, child executions. Anything else with a wildcard stays a finding.
 */
const WORKFLOW_WILDCARDS: ReadonlyArray<{ readonly pattern: string; readonly why: string }> = [
  {
    pattern: ':task-definition\\/waterflow-\\*',
    why: 'task definitions are registered per image and size under the waterflow- family prefix',
  },
  { pattern: ':task\\/.*\\*', why: 'ECS task ids are only known once a job starts' },
  {
    pattern: '\\/runs\\/\\*',
    why: 'run outputs live under runs/<runId>/ and the run id is only known at run time',
  },
  {
    pattern: ':stateMachine:.*\\*',
    why: 'parts, nested workflows and distributed maps start machines whose names end in a run-time part',
  },
  { pattern: ':execution:.*\\*', why: 'child executions get their names at run time' },
  { pattern: ':mapRun:.*\\*', why: 'Map Runs get their ids at run time' },
];

/** cdk-nag's `appliesTo` for the wildcard patterns of workflow roles. */
export function workflowWildcards(): RegexAppliesTo[] {
  return WORKFLOW_WILDCARDS.map(({ pattern }) => ({ regex: `/^Resource::.*${pattern}.*$/g` }));
}

export interface WorkflowRoleProps {
  /** `workflow hello`, `workflows submitted at run time`. */
  readonly purpose: string;
  readonly permissions: ReadonlyArray<PermissionSpec>;
  readonly values: SubstitutionValues;
  /**
   * Add the log delivery and X-Ray grants a state machine with logging and tracing needs; the
   * `StateMachine` construct adds them itself to the roles it is given.
   * @default false
   */
  readonly withLoggingAndTracing?: boolean;
}

/** The role a workflow's state machines run with: exactly the compiler's permissions. */
export function workflowRole(scope: Construct, id: string, props: WorkflowRoleProps): Role {
  const role = new Role(scope, id, {
    assumedBy: new ServicePrincipal('states.amazonaws.com', {
      conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
    }),
    description: `Waterflow state machines of ${props.purpose}`,
  });
  for (const spec of props.permissions) {
    role.addToPolicy(toStatement(spec, props.values, `state machine role of ${props.purpose}`));
  }
  if (props.withLoggingAndTracing === true) {
    role.addToPolicy(
      new PolicyStatement({
        sid: 'DeliverExecutionLogs',
        effect: Effect.ALLOW,
        actions: [
          'logs:CreateLogDelivery',
          'logs:DeleteLogDelivery',
          'logs:DescribeLogGroups',
          'logs:DescribeResourcePolicies',
          'logs:GetLogDelivery',
          'logs:ListLogDeliveries',
          'logs:PutResourcePolicy',
          'logs:UpdateLogDelivery',
        ],
        resources: ['*'],
      }),
    );
    role.addToPolicy(
      new PolicyStatement({
        sid: 'SendTraces',
        effect: Effect.ALLOW,
        actions: [
          'xray:GetSamplingRules',
          'xray:GetSamplingTargets',
          'xray:PutTelemetryRecords',
          'xray:PutTraceSegments',
        ],
        resources: ['*'],
      }),
    );
  }
  NagSuppressions.addResourceSuppressions(
    role,
    [
      {
        id: 'AwsSolutions-IAM5',
        reason: `${id} (${props.purpose}): ${WORKFLOW_WILDCARDS.map((w) => w.why).join('; ')}; CloudWatch Logs delivery and X-Ray actions have no resource-level permissions (Resource "*")`,
        appliesTo: ['Resource::*', ...workflowWildcards()],
      },
    ],
    true,
  );
  return role;
}
