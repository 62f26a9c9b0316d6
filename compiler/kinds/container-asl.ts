import { createHash } from 'node:crypto';
import type { Catcher, JsonValue, PayloadTemplate, State, TaskState } from '../asl/types.js';
import type { TaskDefinitionSpec } from '../compile/output.js';
import type { Template } from '../expr/ast.js';
import type { ContainerJob, EnvVar, Workflow } from '../ir.js';
import {
  addStates,
  type Fragment,
  type LowerContext,
  type RunRequest,
  reserve,
  stateRecord,
  transition,
} from '../lower/context.js';
import { lowerTemplate, UnsupportedExpression } from '../lower/expressions.js';
import { jobHash } from '../lower/job-hash.js';
import { nativeRetry, retryLoop, retryTarget } from '../lower/retry.js';
import { usePermission, useSubstitution } from '../lower/substitutions.js';
import {
  DEFAULT_SIDECAR_IMAGE,
  MAIN,
  SIDECAR_IMAGE_SUBSTITUTION,
  type Sidecars,
  sidecarOverrides,
  sidecarsOf,
  taskContainers,
} from './sidecars.js';

/** Where the first state of a run puts the tasks' awsvpc configuration. */
export const NETWORK_PATH = '$.net';

const SIDECAR_IMAGE_DESCRIPTION = `image of the init and uploader containers, with sh and the AWS CLI (default ${DEFAULT_SIDECAR_IMAGE})`;

/**
 * Registers (once) the task definition a job needs and returns its substitution placeholder.
 * Jobs share one when their image, size, secrets and sidecars are the same: what differs per
 * job (commands, env, the sidecars' lists) comes through the run task's overrides.
 */
function taskDefinition(
  ctx: LowerContext,
  job: ContainerJob,
  env: ReadonlyArray<EnvVar>,
  sidecars: Sidecars | undefined,
): string {
  const { cpu, memory } = job.resources.fargate;
  // Most jobs have no secrets or sidecars: their image and size say which definition is theirs.
  const plain = sidecars === undefined && !env.some((variable) => 'secretRef' in variable);
  const quick = plain ? `${job.image}\n${cpu}\n${memory}\n${job.resources.diskGiB}` : undefined;
  const byQuick = quick === undefined ? undefined : ctx.out.taskDefinitionsByContent.get(quick);
  if (byQuick !== undefined) return byQuick;
  const secrets = env.flatMap((variable) => {
    if (!('secretRef' in variable)) return [];
    const secret = ctx.workflow.secrets.find((s) => s.name === variable.secretRef.secret);
    if (secret === undefined || secret.scheme === 'env') return [];
    const { key } = variable.secretRef;
    const valueFrom =
      secret.scheme === 'ssm'
        ? secret.id
        : `${useSubstitution(ctx.out, 'SecretsManagerArnPrefix')}${secret.id}${key === undefined ? '' : `:${key}::`}`;
    return [{ name: variable.name, valueFrom }];
  });
  const content = {
    workflow: ctx.workflow.name,
    image: job.image,
    cpu,
    memory,
    ephemeralStorageGiB: job.resources.diskGiB,
    secrets,
  };
  // Only tasks with sidecars hash their shape: the hashes of the others stay what they were.
  const identity = JSON.stringify(sidecars === undefined ? content : { ...content, sidecars });
  const known = ctx.out.taskDefinitionsByContent.get(identity);
  if (known !== undefined) return known;
  const hash = createHash('sha256').update(identity).digest('hex').slice(0, 12);
  const substitution = `TaskDefinition_${hash}`;
  if (!ctx.out.taskDefinitions.has(hash)) {
    const task = taskContainers(content, sidecars, () => ({
      image: useSubstitution(ctx.out, SIDECAR_IMAGE_SUBSTITUTION, SIDECAR_IMAGE_DESCRIPTION),
      bucket: useSubstitution(ctx.out, 'ArtifactsBucket'),
    }));
    const spec: TaskDefinitionSpec = {
      substitution,
      hash,
      family: `waterflow-${hash}`,
      containerName: MAIN,
      ...content,
      ...task,
    };
    ctx.out.taskDefinitions.set(hash, spec);
  }
  const placeholder = useSubstitution(
    ctx.out,
    substitution,
    `ARN of the task definition for ${job.image} (${cpu}/${memory})`,
  );
  // Both keys: a JSON identity starts with `{`, a quick one never does.
  ctx.out.taskDefinitionsByContent.set(identity, placeholder);
  if (quick !== undefined) ctx.out.taskDefinitionsByContent.set(quick, placeholder);
  return placeholder;
}

function templateValue(
  ctx: LowerContext,
  request: RunRequest,
  job: ContainerJob,
  template: Template,
  field: string,
): [string, JsonValue] {
  try {
    const lowered = lowerTemplate(template, request.resolver);
    return lowered.kind === 'static' ? [field, lowered.text] : [`${field}.$`, lowered.intrinsic];
  } catch (error) {
    if (!(error instanceof UnsupportedExpression)) throw error;
    ctx.sink.error('WF4002', template.path ?? job.path, `job "${job.name}": ${error.message}`, {
      offset: error.start,
    });
    return [field, template.source];
  }
}

/** Workflow env, then the job's (which wins), then the WATERFLOW_* variables. */
function environment(
  ctx: LowerContext,
  request: RunRequest,
  job: ContainerJob,
  workflow: Workflow,
): JsonValue[] {
  ctx.out.usesNetwork = true;
  const byName = new Map<string, EnvVar>();
  for (const variable of [...workflow.env, ...job.env]) byName.set(variable.name, variable);
  const plain: JsonValue[] = [];
  for (const variable of byName.values()) {
    if (!('value' in variable)) continue;
    const [field, value] = templateValue(ctx, request, job, variable.value, 'Value');
    plain.push({ Name: variable.name, [field]: value });
  }
  // WATERFLOW_WORKFLOW is in the task definition; what differs per job and run is set here.
  plain.push({ Name: 'WATERFLOW_JOB', Value: job.name }, { Name: 'WATERFLOW_RUN_ID', 'Value.$': '$.run.id' });
  return plain;
}

function command(ctx: LowerContext, request: RunRequest, job: ContainerJob): [string, JsonValue] {
  // One command, the usual case, is the script as it is.
  const only = job.commands.length === 1 ? job.commands[0] : undefined;
  const script: Template = only ?? {
    source: job.commands.map((c) => c.source).join('\n'),
    parts: job.commands.flatMap((c, i) =>
      i === 0 ? c.parts : [{ kind: 'text' as const, text: '\n' }, ...c.parts],
    ),
    ...(job.commands[0]?.path === undefined ? {} : { path: job.commands[0].path }),
  };
  const [field, value] = templateValue(ctx, request, job, script, 'Script');
  return field === 'Script'
    ? ['Command', ['sh', '-ec', value]]
    : ['Command.$', `States.Array('sh', '-ec', ${value as string})`];
}

/** Parameters shared by the run task and the timeout stop: cluster and the task's StartedBy. */
function placement(ctx: LowerContext, job: string): { cluster: string; startedBy: PayloadTemplate } {
  // StartedBy holds at most 128 characters: the execution name (up to 80) and a short job hash.
  const hash = jobHash(job);
  return {
    cluster: useSubstitution(ctx.out, 'ClusterArn'),
    // The run id, not the execution name: parts of a split run are other executions of the same run.
    startedBy: { 'StartedBy.$': `States.Format('{}/${hash}', $.run.id)` },
  };
}

function runParameters(ctx: LowerContext, request: RunRequest, job: ContainerJob): PayloadTemplate {
  const sidecars = sidecarsOf(job);
  const taskDef = taskDefinition(ctx, job, [...ctx.workflow.env, ...job.env], sidecars);
  const { cluster, startedBy } = placement(ctx, job.name);
  const [commandField, commandValue] = command(ctx, request, job);
  return {
    Cluster: cluster,
    TaskDefinition: taskDef,
    LaunchType: 'FARGATE',
    Group: `waterflow:${job.name}`,
    ...startedBy,
    // Built once per run by the first state from the SubnetIds and SecurityGroupIds substitutions.
    'NetworkConfiguration.$': NETWORK_PATH,
    Overrides: {
      Cpu: String(job.resources.fargate.cpu),
      Memory: String(job.resources.fargate.memory),
      ContainerOverrides: [
        {
          Name: MAIN,
          [commandField]: commandValue,
          Environment: environment(ctx, request, job, ctx.workflow),
        },
        ...(sidecars === undefined ? [] : sidecarOverrides(ctx.workflow, job, sidecars)),
      ],
    },
  };
}

/** Outputs that hold the container permissions already: registering them again changes nothing. */
const permitted = new WeakSet<LowerContext['out']>();

function permissions(ctx: LowerContext): void {
  if (permitted.has(ctx.out)) return;
  permitted.add(ctx.out);
  const p = (name: string) => useSubstitution(ctx.out, name);
  const arn = `arn:${p('AwsPartition')}:ecs:${p('AwsRegion')}:${p('AwsAccountId')}`;
  usePermission(ctx.out, 'RunJobTasks', ['ecs:RunTask'], [`${arn}:task-definition/waterflow-*`]);
  usePermission(
    ctx.out,
    'WatchJobTasks',
    ['ecs:DescribeTasks', 'ecs:StopTask', 'ecs:ListTasks'],
    [`${arn}:task/*`, p('ClusterArn')],
  );
  usePermission(ctx.out, 'PassJobRoles', ['iam:PassRole'], [p('TaskRoleArn'), p('ExecutionRoleArn')]);
  usePermission(
    ctx.out,
    'EcsSyncRule',
    ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
    [
      `arn:${p('AwsPartition')}:events:${p('AwsRegion')}:${p('AwsAccountId')}:rule/StepFunctionsGetEventsForECSTaskRule`,
    ],
  );
}

/** Timeout: find the job's task by StartedBy and stop it, then go on to `next`. */
function stopStates(
  ctx: LowerContext,
  job: string,
  names: { stop: string; each: string; task: string },
  next: string,
): Record<string, State> {
  const { cluster, startedBy } = placement(ctx, job);
  for (const name of Object.values(names)) ctx.out.stateMap[name] = { job, role: 'stop' };
  const states = stateRecord();
  states[names.stop] = {
    Type: 'Task',
    Resource: 'arn:aws:states:::aws-sdk:ecs:listTasks',
    Parameters: { Cluster: cluster, ...startedBy },
    ResultPath: '$.err.tasks',
    Next: names.each,
  };
  states[names.each] = {
    Type: 'Map',
    ItemsPath: '$.err.tasks.TaskArns',
    ItemProcessor: {
      StartAt: names.task,
      States: stateRecord([
        names.task,
        {
          Type: 'Task',
          Resource: 'arn:aws:states:::aws-sdk:ecs:stopTask',
          Parameters: { Cluster: cluster, 'Task.$': '$', Reason: 'Waterflow: the job timed out' },
          End: true,
        },
      ]),
    },
    ResultPath: null,
    Next: next,
  };
  return states;
}

/** Fail the run with the caught error: a failure neither tolerated nor retried further. */
function failWithCaughtError(): State {
  return { Type: 'Fail', ErrorPath: '$.err.Error', CausePath: '$.err.Cause' };
}

/** Reads the job's declared outputs back from S3, where its output uploader put them. */
function outputsState(
  ctx: LowerContext,
  job: ContainerJob,
  resultPath: string,
  next: string | undefined,
): TaskState {
  const bucket = useSubstitution(ctx.out, 'ArtifactsBucket');
  usePermission(
    ctx.out,
    'ReadJobOutputs',
    ['s3:GetObject'],
    [`${useSubstitution(ctx.out, 'ArtifactsBucketArn')}/runs/*`],
  );
  return {
    Type: 'Task',
    Resource: 'arn:aws:states:::aws-sdk:s3:getObject',
    Parameters: { Bucket: bucket, 'Key.$': `States.Format('runs/{}/${job.name}/outputs.json', $.run.id)` },
    ResultSelector: { r: 'success', ok: true, 'o.$': 'States.StringToJson($.Body)' },
    ResultPath: resultPath,
    ...transition(next),
  };
}

/** Whether retries need the loop instead of native `Retry`. */
function needsLoop(job: ContainerJob): boolean {
  const retries = job.retry.maxAttempts > 1;
  return (
    job.exitCodes.length > 0 ||
    (retries && (job.retry.backoff === 'linear' || job.timeoutSeconds !== undefined))
  );
}

/**
 * A container job: an `ecs:runTask.sync` Task with its retry (native or loop), timeout stop,
 * failure routing and, when something reads them, its outputs read back from S3.
 */
export function lowerContainer(job: ContainerJob, request: RunRequest): Fragment {
  const { ctx } = request;
  permissions(ctx);
  const states = stateRecord();
  const task = request.stateName();
  // The task reads first; its state is built last, once the states it goes to are named.
  reserve(states, task);
  ctx.out.stateMap[task] = { job: job.name, role: 'run', kind: 'container' };
  let failed = request.failureNext;
  const failTarget = (): string => {
    if (failed === undefined) {
      failed = request.stateName('failed');
      ctx.out.stateMap[failed] = { job: job.name, role: 'record' };
      states[failed] = failWithCaughtError();
    }
    return failed;
  };
  let success = request.successNext;
  if (job.outputs.length > 0 && request.resultPath !== null) {
    const outputs = request.stateName('outputs');
    ctx.out.stateMap[outputs] = { job: job.name, role: 'outputs' };
    states[outputs] = outputsState(ctx, job, request.resultPath, success);
    success = outputs;
  }
  const loop = needsLoop(job);
  const timed = job.timeoutSeconds !== undefined;
  const retries = job.retry.maxAttempts > 1;
  const stopNames = timed
    ? {
        stop: request.stateName('stop'),
        each: request.stateName('stop each'),
        task: request.stateName('stop task'),
      }
    : undefined;
  const catches: Catcher[] = [];
  if (loop) {
    const rules = job.exitCodes.length > 0;
    const names = {
      task,
      cause: rules ? request.stateName('exit code') : undefined,
      exit: rules ? request.stateName('exit code rules') : undefined,
      ignored: job.exitCodes.some((r) => r.action === 'Ignore') ? request.stateName('ignored') : undefined,
      again: retries ? request.stateName('retry') : undefined,
      limit: retries ? request.stateName('attempts left') : undefined,
      wait: retries ? request.stateName('wait') : undefined,
      main: rules && sidecarsOf(job) !== undefined ? request.stateName('main exit code') : undefined,
    };
    for (const name of Object.values(names))
      if (name !== undefined && name !== task) ctx.out.stateMap[name] = { job: job.name, role: 'retry' };
    const loop = {
      counter: request.counter(),
      policy: job.retry,
      rules: job.exitCodes,
      names,
      failed: failTarget(),
      successNext: success,
      resultPath: request.resultPath,
    };
    addStates(states, retryLoop(loop));
    const retry = retryTarget(loop);
    if (stopNames !== undefined) {
      addStates(states, stopStates(ctx, job.name, stopNames, retry));
      catches.push({ ErrorEquals: ['States.Timeout'], ResultPath: '$.err', Next: stopNames.stop });
    }
    if (names.cause !== undefined)
      catches.push({ ErrorEquals: ['States.TaskFailed'], ResultPath: '$.err', Next: names.cause });
    catches.push({ ErrorEquals: ['States.ALL'], ResultPath: '$.err', Next: retry });
  } else {
    if (stopNames !== undefined) {
      addStates(states, stopStates(ctx, job.name, stopNames, failTarget()));
      catches.push({ ErrorEquals: ['States.Timeout'], ResultPath: '$.err', Next: stopNames.stop });
    }
    if (request.failureNext !== undefined)
      catches.push({ ErrorEquals: ['States.ALL'], ResultPath: '$.err', Next: request.failureNext });
  }
  const retry = loop ? [] : nativeRetry(job.retry, ['States.TaskFailed']);
  const run: State = {
    Type: 'Task',
    Resource: 'arn:aws:states:::ecs:runTask.sync',
    Parameters: runParameters(ctx, request, job),
    ...(request.resultPath === null || success !== request.successNext
      ? { ResultPath: null }
      : {
          // Any container's: a task succeeds only when every container exits 0, sidecars too.
          ResultSelector: { r: 'success', ok: true, 'x.$': '$.Containers[0].ExitCode' },
          ResultPath: request.resultPath,
        }),
    ...(job.timeoutSeconds === undefined ? {} : { TimeoutSeconds: job.timeoutSeconds }),
    ...(retry.length === 0 ? {} : { Retry: retry }),
    ...(catches.length === 0 ? {} : { Catch: catches }),
    ...transition(success),
  };
  // The job's own state first, its helpers after: the definition reads in run order.
  states[task] = run;
  return { start: task, states };
}
