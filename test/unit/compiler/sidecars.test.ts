import { describe, expect, it } from 'vitest';
import type { State } from '../../../compiler/asl/types.js';
import type { CompileOutput, TaskDefinitionSpec } from '../../../compiler/compile/output.js';
import { compileWorkflow, formatDiagnostic } from '../../../compiler/index.js';
import { INIT_SCRIPT, UPLOADER_SCRIPT } from '../../../compiler/kinds/sidecar-scripts.js';

const WORKFLOW = `apiVersion: waterflow.io/v1
kind: Workflow
metadata: { name: ship }
spec:
  secrets:
    - { name: db, source: "aws-secretsmanager://prod/db" }
    - { name: token, source: "ssm:///ci/token" }
  schedule:
    - { cron: "0 9 * * 1-5", timezone: Europe/Paris }
  concurrency: { policy: Forbid }
  stages:
    - name: s
      jobs:
        - name: build
          container: golang:1.22
          commands: ["go build -o bin/app ."]
          outputs: [version]
          artifacts: [{ name: binary, path: bin/app }, { name: docs, path: site/ }]
        - name: test
          needs: [build]
          container: golang:1.22
          commands: ["./bin/app --self-test"]
          artifactsFrom: [{ job: build, artifacts: [binary] }]
          env:
            PGPASSWORD: { secretKeyRef: { name: db, key: password } }
            TOKEN: { secretKeyRef: { name: token } }
          exitCodes: [{ action: Ignore, values: [3] }]
          outputs: [report]
        - name: lint
          container: golang:1.22
          commands: ["go vet ./..."]
`;

function compiled(text: string): CompileOutput {
  const result = compileWorkflow(text, 'ship.yaml');
  expect(result.diagnostics.map(formatDiagnostic)).toStrictEqual([]);
  if (result.output === undefined) throw new Error('no output');
  return result.output;
}

/** A state by name, wherever it sits (inside Parallel branches and Map processors too). */
function stateNamed(states: Readonly<Record<string, State>>, name: string): State | undefined {
  const found = states[name];
  if (found !== undefined) return found;
  for (const state of Object.values(states)) {
    const inner = [
      ...('Branches' in state ? state.Branches : []),
      ...('ItemProcessor' in state ? [state.ItemProcessor] : []),
    ];
    for (const graph of inner) {
      const hit = stateNamed(graph.States, name);
      if (hit !== undefined) return hit;
    }
  }
  return undefined;
}

type RunState = { Parameters: { TaskDefinition: string; Overrides: { ContainerOverrides: unknown[] } } };

function runState(output: CompileOutput, job: string): RunState {
  return stateNamed(output.asl.States, job) as unknown as RunState;
}

/** The task definition the run state of `job` refers to. */
function taskDefinitionOf(output: CompileOutput, job: string): TaskDefinitionSpec {
  const state = runState(output, job) as { Parameters?: { TaskDefinition?: string } };
  const substitution = state.Parameters?.TaskDefinition?.slice(2, -1);
  const spec = output.taskDefinitions.find((s) => s.substitution === substitution);
  if (spec === undefined) throw new Error(`no task definition for ${job}`);
  return spec;
}

const MOUNT = [{ sourceVolume: 'waterflow', containerPath: '/waterflow' }];
const SIDECAR_ENV = [
  { name: 'WATERFLOW_BUCKET', value: '${ArtifactsBucket}' },
  { name: 'WATERFLOW_DIR', value: '/waterflow/work' },
  { name: 'WATERFLOW_OUTPUT', value: '/waterflow/work/.waterflow-output' },
];
const MAIN_ENV = [
  { name: 'WATERFLOW_WORKFLOW', value: 'ship' },
  { name: 'WATERFLOW_OUTPUT', value: '/waterflow/work/.waterflow-output' },
];

describe('task definitions of jobs with outputs and artifacts', () => {
  it('gives a job with artifactsFrom, outputs and secrets an init, a main and an uploader on one volume', () => {
    // Act
    const spec = taskDefinitionOf(compiled(WORKFLOW), 'test');

    // Assess
    const secrets = [
      { name: 'PGPASSWORD', valueFrom: '${SecretsManagerArnPrefix}prod/db:password::' },
      { name: 'TOKEN', valueFrom: '/ci/token' },
    ];
    const init = {
      name: 'init',
      image: '${SidecarImage}',
      essential: false,
      entryPoint: ['sh', '-c'],
      command: [INIT_SCRIPT],
      environment: SIDECAR_ENV,
      secrets: [],
      mountPoints: MOUNT,
      dependsOn: [],
    };
    const main = {
      name: 'main',
      image: 'golang:1.22',
      essential: false,
      workingDirectory: '/waterflow/work',
      environment: MAIN_ENV,
      secrets,
      mountPoints: MOUNT,
      dependsOn: [{ containerName: 'init', condition: 'SUCCESS' }],
    };
    const uploader = {
      ...init,
      name: 'uploader',
      essential: true,
      command: [UPLOADER_SCRIPT],
      dependsOn: [{ containerName: 'main', condition: 'COMPLETE' }],
    };
    expect(spec).toStrictEqual({
      substitution: `TaskDefinition_${spec.hash}`,
      hash: spec.hash,
      family: `waterflow-${spec.hash}`,
      containerName: 'main',
      workflow: 'ship',
      image: 'golang:1.22',
      cpu: 256,
      memory: 512,
      ephemeralStorageGiB: 20,
      secrets,
      containers: [init, main, uploader],
      volumes: [{ name: 'waterflow' }],
    });
  });

  it('gives a job without outputs, artifacts or artifactsFrom its main container alone', () => {
    const spec = taskDefinitionOf(compiled(WORKFLOW), 'lint');

    expect(spec.volumes).toStrictEqual([]);
    expect(spec.containers).toStrictEqual([
      {
        name: 'main',
        image: 'golang:1.22',
        essential: true,
        environment: [
          { name: 'WATERFLOW_WORKFLOW', value: 'ship' },
          { name: 'WATERFLOW_OUTPUT', value: '/tmp/.waterflow-output' },
        ],
        secrets: [],
        mountPoints: [],
        dependsOn: [],
      },
    ]);
  });

  it('tells the sidecars the run, the job and its lists through the run task overrides', () => {
    const output = compiled(WORKFLOW);
    const overrides = (name: string) => runState(output, name).Parameters.Overrides.ContainerOverrides;

    expect(overrides('build').slice(1)).toStrictEqual([
      {
        Name: 'uploader',
        Environment: [
          { Name: 'WATERFLOW_RUN_ID', 'Value.$': '$.run.id' },
          { Name: 'WATERFLOW_JOB', Value: 'build' },
          { Name: 'WATERFLOW_OUTPUTS', Value: 'version' },
          { Name: 'WATERFLOW_ARTIFACTS', Value: 'binary=bin/app\ndocs=site/' },
        ],
      },
    ]);
    expect(overrides('test').slice(1)).toStrictEqual([
      {
        Name: 'init',
        Environment: [
          { Name: 'WATERFLOW_RUN_ID', 'Value.$': '$.run.id' },
          { Name: 'WATERFLOW_ARTIFACTS_FROM', Value: 'build/binary=bin/app' },
        ],
      },
      {
        Name: 'uploader',
        Environment: [
          { Name: 'WATERFLOW_RUN_ID', 'Value.$': '$.run.id' },
          { Name: 'WATERFLOW_JOB', Value: 'test' },
          { Name: 'WATERFLOW_OUTPUTS', Value: 'report' },
        ],
      },
    ]);
    expect(overrides('lint')).toHaveLength(1);
  });

  it('reads the exit code rules from the container named main when the task has sidecars', () => {
    const { States } = compiled(WORKFLOW).asl;
    const state = (name: string) => stateNamed(States, name);

    expect(state('test exit code')).toMatchObject({ Next: 'test main exit code' });
    expect(state('test main exit code')).toStrictEqual({
      Type: 'Pass',
      Parameters: {
        'task.$': '$.err.parsed.task',
        'main.$': "$.err.parsed.task.Containers[?(@.Name == 'main')]",
      },
      ResultPath: '$.err.parsed',
      Next: 'test exit code rules',
    });
    const rules = JSON.stringify(state('test exit code rules'));
    expect(rules).toContain('$.err.parsed.main[0].ExitCode');
    expect(rules).not.toContain('Containers[0]');
  });

  it('grants the task role its own prefix and its upstream artifacts, the execution role its secrets', () => {
    const output = compiled(WORKFLOW);

    expect(output.taskRolePermissions).toStrictEqual([
      {
        sid: 'ListUpstreamArtifacts',
        actions: ['s3:ListBucket'],
        resources: ['${ArtifactsBucketArn}'],
        conditions: { StringLike: { 's3:prefix': ['runs/*/build/artifacts/*'] } },
      },
      {
        sid: 'ReadUpstreamArtifacts',
        actions: ['s3:GetObject'],
        resources: ['${ArtifactsBucketArn}/runs/*/build/artifacts/*'],
      },
      {
        sid: 'WriteJobOutputsAndArtifacts',
        actions: ['s3:AbortMultipartUpload', 's3:PutObject'],
        resources: ['${ArtifactsBucketArn}/runs/*/build/*', '${ArtifactsBucketArn}/runs/*/test/*'],
      },
    ]);
    expect(output.executionRolePermissions).toStrictEqual([
      {
        sid: 'ReadJobSecrets',
        actions: ['secretsmanager:GetSecretValue'],
        resources: ['${SecretsManagerArnPrefix}prod/db-??????'],
      },
      {
        sid: 'ReadJobParameters',
        actions: ['ssm:GetParameters'],
        resources: ['arn:${AwsPartition}:ssm:${AwsRegion}:${AwsAccountId}:parameter/ci/token'],
      },
      {
        sid: 'DecryptJobSecrets',
        actions: ['kms:Decrypt'],
        resources: ['*'],
        conditions: {
          StringEquals: {
            'kms:ViaService': ['secretsmanager.${AwsRegion}.amazonaws.com', 'ssm.${AwsRegion}.amazonaws.com'],
          },
        },
      },
    ]);
    const names = output.substitutions.map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(['ArtifactsBucketArn', 'SidecarImage', 'AwsAccountId']));
  });

  it('carries the schedules and the concurrency policy for the submit handler', () => {
    const output = compiled(WORKFLOW);

    expect(output.schedules).toStrictEqual([
      { cron: '0 9 * * 1-5', expression: 'cron(0 9 ? * 2-6 *)', timezone: 'Europe/Paris', params: {} },
    ]);
    expect(output.concurrency).toStrictEqual({ policy: 'Forbid' });
  });

  it('never writes a bare ${Name} in a sidecar script, which a registrar would take for a substitution', () => {
    for (const script of [INIT_SCRIPT, UPLOADER_SCRIPT]) expect(script).not.toMatch(/\$\{[A-Za-z0-9_]+\}/);
  });
});
