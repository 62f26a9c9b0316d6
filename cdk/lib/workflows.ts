import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Aws, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import { CfnTaskDefinition } from 'aws-cdk-lib/aws-ecs';
import type { Role } from 'aws-cdk-lib/aws-iam';
import { type ILogGroup, LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import {
  type StateMachine as Asl,
  type CompileOutput,
  compileWorkflow,
  formatDiagnostics,
  type TaskDefinitionSpec,
} from '../../compiler/index.js';
import { JOB_LOG_STREAM_PREFIX } from './compute.js';
import { JobRoles } from './job-roles.js';
import {
  RUNTIME_EXECUTION_PERMISSIONS,
  RUNTIME_TASK_PERMISSIONS,
  RUNTIME_WORKFLOW_PERMISSIONS,
} from './runtime-permissions.js';
import { pick, type SubstitutionValues, substitute } from './substitutions.js';
import { workflowRole } from './workflow-role.js';

/** A workflow file to deploy with the stack. */
export interface WorkflowSource {
  readonly file: string;
  readonly text: string;
}

/** A workflow file that does not compile; the message holds the compiler's diagnostics. */
export class WorkflowCompileError extends Error {
  readonly code = 'WF9304';

  constructor(file: string, diagnostics: string) {
    super(`${file} does not compile, so the stack cannot deploy it:\n${diagnostics}`);
    this.name = 'Waterflow.WorkflowCompileError';
  }
}

/** The `.yaml` and `.yml` files of `dir`, in name order. */
export function readWorkflows(dir: string): WorkflowSource[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.yaml') || name.endsWith('.yml'))
    .sort()
    .map((name) => {
      const file = join(dir, name);
      return { file, text: readFileSync(file, 'utf8') };
    });
}

/** Definition substitutions a machine's ASL uses, among the compile output's. */
export function usedSubstitutions(asl: Asl, names: ReadonlySet<string>): string[] {
  const used = new Set<string>();
  for (const match of JSON.stringify(asl).matchAll(/\$\{([A-Za-z][A-Za-z0-9_]*)\}/g)) {
    const name = match[1] ?? '';
    if (names.has(name)) used.add(name);
  }
  return [...used].sort();
}

/** One workflow of `workflowsDir`, deployed. */
export interface DeployedWorkflow {
  readonly name: string;
  readonly file: string;
  readonly output: CompileOutput;
  /** The workflow's machine first, then its parts. */
  readonly stateMachines: ReadonlyArray<StateMachine>;
  readonly taskDefinitions: ReadonlyArray<CfnTaskDefinition>;
  readonly role: Role;
  readonly jobRoles: JobRoles;
}

export interface WorkflowsProps {
  /** The substitutions every workflow shares (`platformValues`). */
  readonly values: SubstitutionValues;
  readonly jobLogs: ILogGroup;
  readonly sources: ReadonlyArray<WorkflowSource>;
  readonly logRetention: RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * The state machines' side of the platform: their execution log group, the shared roles of
 * workflows the submit handler deploys at run time, and the workflows of `workflowsDir`,
 * compiled at synth time by the same compiler into state machines and task definitions.
 */
export class Workflows extends Construct {
  /** Step Functions execution logs of every Waterflow machine (level ALL). */
  readonly executionLogs: LogGroup;
  /** The state machine role of run-time workflows. */
  readonly runtimeRole: Role;
  /** The task and execution roles of run-time workflows. */
  readonly runtimeJobRoles: JobRoles;
  readonly deployed: ReadonlyArray<DeployedWorkflow>;

  constructor(scope: Construct, id: string, props: WorkflowsProps) {
    super(scope, id);
    this.executionLogs = new LogGroup(this, 'ExecutionLogs', {
      // The vendedlogs prefix keeps Step Functions' log resource policy small however many machines log here.
      logGroupName: `/aws/vendedlogs/states/${Stack.of(this).stackName}-executions`,
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });

    this.runtimeJobRoles = new JobRoles(this, 'Runtime', {
      purpose: 'workflows submitted at run time',
      jobLogs: props.jobLogs,
      taskPermissions: RUNTIME_TASK_PERMISSIONS,
      executionPermissions: RUNTIME_EXECUTION_PERMISSIONS,
      values: props.values,
    });
    this.runtimeRole = workflowRole(this, 'RuntimeRole', {
      purpose: 'workflows submitted at run time',
      permissions: RUNTIME_WORKFLOW_PERMISSIONS,
      values: this.#withRoles(props.values, this.runtimeJobRoles),
      withLoggingAndTracing: true,
    });

    this.deployed = props.sources.map((source) => this.#deploy(source, props));
  }

  #withRoles(values: SubstitutionValues, roles: JobRoles): SubstitutionValues {
    return { ...values, TaskRoleArn: roles.taskRole.roleArn, ExecutionRoleArn: roles.executionRole.roleArn };
  }

  #deploy(source: WorkflowSource, props: WorkflowsProps): DeployedWorkflow {
    const result = compileWorkflow(source.text, basename(source.file));
    if (result.output === undefined || result.workflow === undefined) {
      throw new WorkflowCompileError(source.file, formatDiagnostics(result.diagnostics));
    }
    const output = result.output;
    const name = result.workflow.name;
    const scope = new Construct(this, name);
    const names = new Set(output.substitutions.map((s) => s.name));
    const jobRoles = new JobRoles(scope, 'Jobs', {
      purpose: `workflow ${name}`,
      jobLogs: props.jobLogs,
      taskPermissions: output.taskRolePermissions,
      executionPermissions: output.executionRolePermissions,
      values: props.values,
    });
    const shared = this.#withRoles(props.values, jobRoles);
    const taskDefinitions = output.taskDefinitions.map((spec) =>
      this.#taskDefinition(scope, spec, shared, names, jobRoles, props.jobLogs),
    );
    const values: SubstitutionValues = {
      ...shared,
      ...Object.fromEntries(
        output.taskDefinitions.map((spec, i) => [spec.substitution, taskDefinitions[i]?.ref ?? '']),
      ),
    };
    const role = workflowRole(scope, 'Role', {
      purpose: `workflow ${name}`,
      permissions: output.permissions,
      values,
    });
    const machines = [{ name, asl: output.asl }, ...output.children];
    const stateMachines = machines.map(
      (machine) =>
        new StateMachine(scope, machine.name === name ? 'StateMachine' : machine.name, {
          stateMachineName: machine.name,
          stateMachineType: StateMachineType.STANDARD,
          definitionBody: DefinitionBody.fromString(JSON.stringify(machine.asl)),
          definitionSubstitutions: pick(values, usedSubstitutions(machine.asl, names), source.file),
          role,
          // includeExecutionData stays false: approval and gate payloads carry task tokens, which never reach a log.
          logs: { destination: this.executionLogs, level: LogLevel.ALL, includeExecutionData: false },
          tracingEnabled: true,
          removalPolicy: props.removalPolicy,
        }),
    );
    return { name, file: source.file, output, stateMachines, taskDefinitions, role, jobRoles };
  }

  #taskDefinition(
    scope: Construct,
    spec: TaskDefinitionSpec,
    values: SubstitutionValues,
    names: ReadonlySet<string>,
    roles: JobRoles,
    jobLogs: ILogGroup,
  ): CfnTaskDefinition {
    const where = `task definition ${spec.family}`;
    const sub = (text: string): string => substitute(text, values, names, where);
    const definition = new CfnTaskDefinition(scope, `Task${spec.hash}`, {
      family: spec.family,
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      cpu: String(spec.cpu),
      memory: String(spec.memory),
      // Fargate gives 20 GiB without asking; EphemeralStorage takes 21 to 200.
      ...(spec.ephemeralStorageGiB > 20 ? { ephemeralStorage: { sizeInGiB: spec.ephemeralStorageGiB } } : {}),
      runtimePlatform: { cpuArchitecture: 'X86_64', operatingSystemFamily: 'LINUX' },
      taskRoleArn: roles.taskRole.roleArn,
      executionRoleArn: roles.executionRole.roleArn,
      volumes: spec.volumes.map((volume) => ({ name: volume.name })),
      containerDefinitions: spec.containers.map((container) => ({
        name: container.name,
        image: sub(container.image),
        essential: container.essential,
        ...(container.entryPoint === undefined ? {} : { entryPoint: container.entryPoint.map(sub) }),
        ...(container.command === undefined ? {} : { command: container.command.map(sub) }),
        ...(container.workingDirectory === undefined
          ? {}
          : { workingDirectory: sub(container.workingDirectory) }),
        environment: container.environment.map((env) => ({ name: env.name, value: sub(env.value) })),
        secrets: container.secrets.map((secret) => ({ name: secret.name, valueFrom: sub(secret.valueFrom) })),
        mountPoints: container.mountPoints.map((mount) => ({
          sourceVolume: mount.sourceVolume,
          containerPath: mount.containerPath,
        })),
        dependsOn: container.dependsOn.map((dep) => ({
          containerName: dep.containerName,
          condition: dep.condition,
        })),
        logConfiguration: {
          logDriver: 'awslogs',
          options: {
            'awslogs-group': jobLogs.logGroupName,
            'awslogs-region': Aws.REGION,
            'awslogs-stream-prefix': JOB_LOG_STREAM_PREFIX,
          },
        },
      })),
      tags: [{ key: 'waterflow:workflow', value: spec.workflow }],
    });
    NagSuppressions.addResourceSuppressions(definition, [
      {
        id: 'AwsSolutions-ECS2',
        reason: `Task${spec.hash} (${spec.family}): its environment holds only fixed, non-secret names (WATERFLOW_WORKFLOW, output paths, the artifacts bucket); secrets reach the containers only through "secrets" (valueFrom)`,
      },
    ]);
    return definition;
  }
}
