import { DEFAULT_SIDECAR_IMAGE } from '../../compiler/kinds/sidecars.js';
import { requiredEnv } from '../shared/env.js';

/**
 * What the deployment gives every workflow: the values of the definition substitutions the
 * compiler names (docs/compilation.md, `substitutions`) and the roles and targets the submit
 * handler needs. The CDK stack sets them as environment variables; tests build them directly.
 */
export interface Platform {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
  /** Substitution values by name, without the `TaskDefinition_<hash>` ones (registered per submit). */
  readonly substitutions: Readonly<Record<string, string>>;
  /** The role every workflow's state machine runs as. */
  readonly stateMachineRoleArn: string;
  /** EventBridge Scheduler: the schedule group, the role it assumes, and the function it invokes. */
  readonly schedules: { readonly groupName: string; readonly roleArn: string; readonly targetArn: string };
  /** Where job containers log (the `awslogs` driver); also the recorder's log links. */
  readonly jobLogs?: { readonly group: string; readonly streamPrefix: string };
  /** Where the state machines log (errors only, without execution data); ends in `:*`. */
  readonly executionLogGroupArn?: string;
}

/**
 * The platform the environment describes (the CDK stack's `HANDLER_ENV`):
 * `DEFINITION_SUBSTITUTIONS` (a JSON object of every substitution value, account and region
 * included), `WORKFLOW_ROLE_ARN`, `SCHEDULER_ROLE_ARN`, optionally `JOB_LOG_GROUP`,
 * `EXECUTION_LOG_GROUP_ARN`, `SCHEDULE_GROUP` and `SUBMIT_FUNCTION_ARN` (default: this function).
 */
export function platformFromEnv(env: NodeJS.ProcessEnv = process.env): Platform {
  const given = JSON.parse(requiredEnv('DEFINITION_SUBSTITUTIONS', env)) as Record<string, string>;
  const partition = given.AwsPartition ?? env.AWS_PARTITION ?? 'aws';
  const region = given.AwsRegion ?? requiredEnv('AWS_REGION', env);
  const account = given.AwsAccountId ?? requiredEnv('AWS_ACCOUNT_ID', env);
  const own = `arn:${partition}:lambda:${region}:${account}:function:${env.AWS_LAMBDA_FUNCTION_NAME ?? 'submit'}`;
  const logGroup = env.JOB_LOG_GROUP;
  const executionLogs = env.EXECUTION_LOG_GROUP_ARN;
  return {
    partition,
    region,
    account,
    substitutions: derivedSubstitutions(partition, region, account, given, {
      assignPublicIp: given.AssignPublicIp ?? 'DISABLED',
      sidecarImage: given.SidecarImage ?? DEFAULT_SIDECAR_IMAGE,
    }),
    stateMachineRoleArn: requiredEnv('WORKFLOW_ROLE_ARN', env),
    schedules: {
      groupName: env.SCHEDULE_GROUP ?? 'default',
      roleArn: requiredEnv('SCHEDULER_ROLE_ARN', env),
      targetArn: env.SUBMIT_FUNCTION_ARN ?? own,
    },
    ...(logGroup === undefined || logGroup === ''
      ? {}
      : { jobLogs: { group: logGroup, streamPrefix: env.JOB_LOG_STREAM_PREFIX ?? 'waterflow' } }),
    ...(executionLogs === undefined || executionLogs === '' ? {} : { executionLogGroupArn: executionLogs }),
  };
}

/** The given substitutions plus those that follow from the account and region. */
export function derivedSubstitutions(
  partition: string,
  region: string,
  account: string,
  given: Readonly<Record<string, string>>,
  options: { readonly assignPublicIp: string; readonly sidecarImage: string },
): Record<string, string> {
  const arn = (service: string) => `arn:${partition}:${service}:${region}:${account}`;
  return {
    AssignPublicIp: options.assignPublicIp,
    SidecarImage: options.sidecarImage,
    ...given,
    StateMachineArnPrefix: `${arn('states')}:stateMachine:`,
    ExecutionArnPrefix: `${arn('states')}:execution:`,
    SecretsManagerArnPrefix: `${arn('secretsmanager')}:secret:`,
    ...(given.ArtifactsBucket === undefined
      ? {}
      : { ArtifactsBucketArn: `arn:${partition}:s3:::${given.ArtifactsBucket}` }),
    AwsPartition: partition,
    AwsRegion: region,
    AwsAccountId: account,
  };
}

type ArnParts = Pick<Platform, 'partition' | 'region' | 'account'>;

/** Partition, region and account of a `arn:<partition>:states:<region>:<account>:stateMachine:` prefix. */
export function arnPartsOf(prefix: string): ArnParts {
  const [, partition, , region, account] = prefix.split(':');
  if (partition === undefined || region === undefined || account === undefined || account === '') {
    throw new Error(
      `"${prefix}" is not a state machine ARN prefix (arn:<partition>:states:<region>:<account>:stateMachine:)`,
    );
  }
  return { partition, region, account };
}

/** The longest state machine name Step Functions accepts. */
export const MAX_MACHINE_NAME = 80;

/**
 * A rerun machine's name: `<workflow>--rerun-<12 hex>` (lambdas/runs-api/rerun.ts). It passes
 * Step Functions' 80 characters for a workflow name over 60: such a workflow is rerun on its
 * own machine, every job again.
 */
export function rerunMachine(workflow: string, hash: string): string {
  return `${workflow}--rerun-${hash.slice(0, 12)}`;
}

/** The workflow a machine belongs to: its own, or the one a rerun machine was derived from. */
export function workflowOfMachine(machine: string): string {
  return machine.replace(/--rerun-[0-9a-f]{12}$/, '');
}

/** The ARN of workflow (or part) `name`'s state machine. */
export function stateMachineArn(platform: ArnParts, name: string): string {
  return `arn:${platform.partition}:states:${platform.region}:${platform.account}:stateMachine:${name}`;
}

/** The ARN of run `runId` of workflow `name` (the execution name is the run id). */
export function executionArn(platform: ArnParts, name: string, runId: string): string {
  return `arn:${platform.partition}:states:${platform.region}:${platform.account}:execution:${name}:${runId}`;
}
