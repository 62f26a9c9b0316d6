import { createHash } from 'node:crypto';
import {
  type ContainerDefinition,
  type ECSClient,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput,
} from '@aws-sdk/client-ecs';
import {
  CreateScheduleCommand,
  type CreateScheduleCommandInput,
  DeleteScheduleCommand,
  ListSchedulesCommand,
  type SchedulerClient,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import {
  CreateStateMachineCommand,
  type LoggingConfiguration,
  type SFNClient,
  UpdateStateMachineCommand,
} from '@aws-sdk/client-sfn';
import type { JsonValue } from '../../compiler/asl/types.js';
import type { CompileOutput, TaskDefinitionSpec } from '../../compiler/compile/output.js';
import type { Workflow } from '../../compiler/ir.js';
import type { Store } from '../../runtime/store.js';
import { type Platform, stateMachineArn } from './platform.js';
import { substitute } from './substitute.js';

/**
 * Deploying a compiled workflow: its ECS task definitions (registered once per content hash,
 * cached in the table), its state machines (the workflow's and its split parts', created or
 * updated) and its EventBridge Scheduler schedules (upserted, stale ones deleted).
 */

export interface DeployDeps {
  readonly store: Store;
  readonly sfn: SFNClient;
  readonly ecs: ECSClient;
  readonly scheduler: SchedulerClient;
  readonly platform: Platform;
}

/** Tag on every resource a workflow owns. */
const WORKFLOW_TAG = 'waterflow:workflow';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * Registers each task definition unless the cache holds one of the same content; returns the ARNs
 * by substitution. Without `ecs`, only the cache answers (a rerun's machine uses the task
 * definitions its workflow's deployment registered): a miss is a `TaskDefinitionNotDeployedError`.
 */
export async function registerTaskDefinitions(
  deps: Pick<DeployDeps, 'store' | 'platform'> & { readonly ecs?: ECSClient },
  output: CompileOutput,
): Promise<{ readonly arns: Record<string, string>; readonly registered: number }> {
  const names = new Set(output.substitutions.map((s) => s.name));
  const arns: Record<string, string> = {};
  let registered = 0;
  for (const spec of output.taskDefinitions) {
    const input = taskDefinitionInput(spec, names, deps.platform);
    // The compiler's hash covers the job's side; the platform's values (roles, sidecar image, log
    // group) can change under the same hash, so the cache also keeps a hash of the whole input.
    const inputHash = sha256(JSON.stringify(input));
    const key = { pk: `taskdef#${spec.hash}`, sk: 'taskdef' };
    const cached = await deps.store.get(key);
    if (typeof cached?.arn === 'string' && cached.inputHash === inputHash) {
      arns[spec.substitution] = cached.arn;
      continue;
    }
    if (deps.ecs === undefined) throw new TaskDefinitionNotDeployedError(spec.family);
    const { taskDefinition } = await deps.ecs.send(new RegisterTaskDefinitionCommand(input));
    const arn = taskDefinition?.taskDefinitionArn;
    if (arn === undefined) throw new Error(`RegisterTaskDefinition ${spec.family} returned no ARN`);
    await deps.store.putAll([
      { key, item: { arn, inputHash, family: spec.family, workflow: spec.workflow } },
    ]);
    arns[spec.substitution] = arn;
    registered += 1;
  }
  return { arns, registered };
}

function taskDefinitionInput(
  spec: TaskDefinitionSpec,
  names: ReadonlySet<string>,
  platform: Platform,
): RegisterTaskDefinitionCommandInput {
  const values = platform.substitutions;
  const text = (value: string) => substitute(value, names, values);
  const containers: ContainerDefinition[] = spec.containers.map((container) => ({
    name: container.name,
    image: text(container.image),
    essential: container.essential,
    ...(container.entryPoint === undefined ? {} : { entryPoint: [...container.entryPoint] }),
    ...(container.command === undefined ? {} : { command: [...container.command] }),
    ...(container.workingDirectory === undefined ? {} : { workingDirectory: container.workingDirectory }),
    environment: container.environment.map((e) => ({ name: e.name, value: text(e.value) })),
    secrets: container.secrets.map((s) => ({ name: s.name, valueFrom: text(s.valueFrom) })),
    mountPoints: container.mountPoints.map((m) => ({ ...m, readOnly: false })),
    dependsOn: container.dependsOn.map((d) => ({ ...d })),
    ...(platform.jobLogs === undefined
      ? {}
      : {
          logConfiguration: {
            logDriver: 'awslogs',
            options: {
              'awslogs-group': platform.jobLogs.group,
              'awslogs-region': platform.region,
              'awslogs-stream-prefix': platform.jobLogs.streamPrefix,
            },
          },
        }),
  }));
  return {
    family: spec.family,
    requiresCompatibilities: ['FARGATE'],
    networkMode: 'awsvpc',
    cpu: String(spec.cpu),
    memory: String(spec.memory),
    // Fargate gives 20 GiB without asking and takes 21-200 when asked.
    ...(spec.ephemeralStorageGiB > 20 ? { ephemeralStorage: { sizeInGiB: spec.ephemeralStorageGiB } } : {}),
    taskRoleArn: text('${TaskRoleArn}'),
    executionRoleArn: text('${ExecutionRoleArn}'),
    containerDefinitions: containers,
    volumes: spec.volumes.map((v) => ({ name: v.name })),
    tags: [{ key: WORKFLOW_TAG, value: spec.workflow }],
  };
}

/** The rendered definitions, parts first (the workflow's machine starts them). */
export function renderDefinitions(
  output: CompileOutput,
  platform: Platform,
  taskDefinitionArns: Readonly<Record<string, string>>,
  workflow: string,
): Array<{ readonly name: string; readonly definition: string }> {
  const names = new Set(output.substitutions.map((s) => s.name));
  // The roles' placeholders are the platform's even when the ASL does not name them.
  names.add('TaskRoleArn');
  names.add('ExecutionRoleArn');
  const values = { ...platform.substitutions, ...taskDefinitionArns };
  const machines = [...output.children, { name: workflow, asl: output.asl }];
  return machines.map(({ name, asl }) => ({
    name,
    definition: JSON.stringify(substitute(JSON.parse(JSON.stringify(asl)) as JsonValue, names, values)),
  }));
}

/**
 * Creates each state machine, or updates it when it exists; returns the ARN of `machine` (the
 * workflow's, or one derived from it such as a rerun's), all tagged with `workflow`.
 */
export async function deployStateMachines(
  deps: Pick<DeployDeps, 'sfn' | 'platform'>,
  machine: string,
  definitions: ReadonlyArray<{ readonly name: string; readonly definition: string }>,
  workflow: string = machine,
): Promise<string> {
  const roleArn = deps.platform.stateMachineRoleArn;
  let arn = stateMachineArn(deps.platform, machine);
  for (const { name, definition } of definitions) {
    try {
      const created = await deps.sfn.send(
        new CreateStateMachineCommand({
          name,
          definition,
          roleArn,
          type: 'STANDARD',
          ...logging(deps.platform),
          tags: [{ key: WORKFLOW_TAG, value: workflow }],
        }),
      );
      if (name === machine) arn = created.stateMachineArn ?? arn;
    } catch (error) {
      // CreateStateMachine is idempotent for an identical machine; a changed one already exists.
      if (errorName(error) !== 'StateMachineAlreadyExists') throw error;
      await deps.sfn.send(
        new UpdateStateMachineCommand({
          stateMachineArn: stateMachineArn(deps.platform, name),
          definition,
          roleArn,
          ...logging(deps.platform),
        }),
      );
    }
  }
  return arn;
}

/**
 * As the stack's own machines (cdk/lib/workflows.ts): every event logged, without execution data
 * (inputs hold params, and approval and gate payloads task tokens), and X-Ray tracing on.
 */
function logging(platform: Platform): {
  loggingConfiguration?: LoggingConfiguration;
  tracingConfiguration: { enabled: boolean };
} {
  const tracingConfiguration = { enabled: true };
  const logGroupArn = platform.executionLogGroupArn;
  if (logGroupArn === undefined) return { tracingConfiguration };
  return {
    loggingConfiguration: {
      level: 'ALL',
      includeExecutionData: false,
      destinations: [{ cloudWatchLogsLogGroup: { logGroupArn } }],
    },
    tracingConfiguration,
  };
}

/**
 * The schedule name of a workflow's `index`th schedule, `waterflow-<workflow>-<index>` (the
 * stack's IAM names them so); Scheduler allows 64 characters, so long names are shortened.
 */
export function scheduleName(workflow: string, index: number): string {
  return `${scheduleBase(workflow)}${index}`;
}

function scheduleBase(workflow: string): string {
  const name = workflow.length <= 50 ? workflow : `${workflow.slice(0, 41)}-${sha256(workflow).slice(0, 8)}`;
  return `waterflow-${name}-`;
}

/** What a schedule sends the submit function: the run to start, named by the schedule's fire time. */
export interface ScheduledStart {
  readonly action: 'scheduled';
  readonly workflow: string;
  readonly schedule: string;
  readonly params: { readonly [name: string]: JsonValue };
  /** `<aws.scheduler.scheduled-time>`, filled in by Scheduler: a retried invocation keeps it. */
  readonly scheduledTime: string;
}

/** Creates or updates the workflow's schedules and deletes the ones it no longer has. */
export async function upsertSchedules(
  deps: DeployDeps,
  workflow: Workflow,
  output: CompileOutput,
): Promise<ReadonlyArray<string>> {
  const { groupName, roleArn, targetArn } = deps.platform.schedules;
  const wanted: string[] = [];
  for (const [index, schedule] of output.schedules.entries()) {
    const name = scheduleName(workflow.name, index);
    wanted.push(name);
    const start: ScheduledStart = {
      action: 'scheduled',
      workflow: workflow.name,
      schedule: name,
      params: schedule.params,
      scheduledTime: '<aws.scheduler.scheduled-time>',
    };
    const input: CreateScheduleCommandInput = {
      Name: name,
      GroupName: groupName,
      ScheduleExpression: schedule.expression,
      ScheduleExpressionTimezone: schedule.timezone,
      FlexibleTimeWindow: { Mode: 'OFF' },
      State: 'ENABLED',
      Description: `Waterflow ${workflow.name}: ${schedule.cron} (${schedule.timezone})`,
      Target: { Arn: targetArn, RoleArn: roleArn, Input: JSON.stringify(start) },
    };
    try {
      await deps.scheduler.send(new UpdateScheduleCommand(input));
    } catch (error) {
      if (errorName(error) !== 'ResourceNotFoundException') throw error;
      try {
        await deps.scheduler.send(new CreateScheduleCommand(input));
      } catch (created) {
        // Another submit created it between our two calls: ours is as good, write it over.
        if (errorName(created) !== 'ConflictException') throw created;
        await deps.scheduler.send(new UpdateScheduleCommand(input));
      }
    }
  }
  await deleteStaleSchedules(deps, workflow.name, new Set(wanted));
  return wanted;
}

async function deleteStaleSchedules(
  deps: DeployDeps,
  workflow: string,
  wanted: ReadonlySet<string>,
): Promise<void> {
  const { groupName } = deps.platform.schedules;
  const prefix = scheduleBase(workflow);
  let token: string | undefined;
  do {
    const page = await deps.scheduler.send(
      new ListSchedulesCommand({ GroupName: groupName, NamePrefix: prefix, NextToken: token }),
    );
    for (const schedule of page.Schedules ?? []) {
      const name = schedule.Name;
      // The prefix also matches other workflows' (`waterflow-a-` and `waterflow-a-b-0`): digits only.
      if (name === undefined || wanted.has(name) || !/^\d+$/.test(name.slice(prefix.length))) continue;
      try {
        await deps.scheduler.send(new DeleteScheduleCommand({ Name: name, GroupName: groupName }));
      } catch (error) {
        if (errorName(error) !== 'ResourceNotFoundException') throw error;
      }
    }
    token = page.NextToken;
  } while (token !== undefined);
}

/** A task definition the cache does not hold where only the cache may answer; `code` is stable. */
export class TaskDefinitionNotDeployedError extends Error {
  readonly code: 'TaskDefinitionNotDeployed';

  constructor(family: string) {
    super(
      `task definition ${family} is not registered for the platform as it is now; submit the workflow again`,
    );
    this.name = 'Waterflow.TaskDefinitionNotDeployed';
    this.code = 'TaskDefinitionNotDeployed';
  }
}

export function errorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}
