import { describe, expect, it } from 'vitest';
import type { StateMachine, TaskState } from '../../compiler/asl/types.js';
import { aslProblems } from '../support/asl-validators.js';

/** The ECS `.sync` task of a container job as `docs/compilation.md` lowers it, with substitutions. */
function containerTask(job: string) {
  return {
    Type: 'Task',
    Resource: 'arn:aws:states:::ecs:runTask.sync',
    Parameters: {
      Cluster: '${ClusterArn}',
      TaskDefinition: '${TaskDefinition_3f2a9c1b}',
      LaunchType: 'FARGATE',
      Group: `waterflow:${job}`,
      'StartedBy.$': "States.Format('{}/3f2a9c1b', $$.Execution.Name)",
      NetworkConfiguration: {
        AwsvpcConfiguration: {
          'Subnets.$': "States.StringSplit('${SubnetIds}', ',')",
          'SecurityGroups.$': "States.StringSplit('${SecurityGroupIds}', ',')",
          AssignPublicIp: '${AssignPublicIp}',
        },
      },
      Overrides: {
        Cpu: '1024',
        Memory: '2048',
        ContainerOverrides: [
          {
            Name: 'main',
            Command: ['sh', '-ec', 'go build -o bin/app .\n./bin/app --version'],
            Environment: [{ Name: 'WATERFLOW_JOB', Value: job }],
          },
        ],
      },
      Tags: [
        { Key: 'waterflow:job', Value: job },
        { Key: 'waterflow:run', 'Value.$': '$.run.id' },
      ],
    },
    ResultSelector: { r: 'success', ok: true, 'x.$': '$.Containers[0].ExitCode' },
    TimeoutSeconds: 1800,
  } as const satisfies Partial<TaskState>;
}

const valid: StateMachine = {
  Comment: 'every construct Waterflow emits',
  QueryLanguage: 'JSONPath',
  TimeoutSeconds: 7200,
  StartAt: 'compile',
  States: {
    compile: {
      ...containerTask('compile'),
      ResultPath: '$.jobs.compile',
      Retry: [
        {
          ErrorEquals: ['States.TaskFailed'],
          IntervalSeconds: 10,
          MaxAttempts: 2,
          BackoffRate: 2,
          MaxDelaySeconds: 300,
          JitterStrategy: 'FULL',
        },
      ],
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.err', Next: 'compile failed' }],
      Next: 'release',
    },
    'compile failed': {
      Type: 'Pass',
      Parameters: { r: 'failure', ok: false, 'x.$': 'States.StringToJson($.err.Cause)' },
      ResultPath: '$.jobs.compile',
      Next: 'release',
    },
    release: {
      Type: 'Parallel',
      Branches: [
        {
          StartAt: 'approve',
          States: {
            approve: {
              Type: 'Task',
              Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
              Parameters: {
                FunctionName: '${ApprovalFunctionArn}',
                Payload: {
                  action: 'request',
                  'token.$': '$$.Task.Token',
                  'runId.$': '$.run.id',
                  job: 'approve',
                  message: 'Deploy to staging?',
                  approvers: ['alice@example.com', 'bob@example.com'],
                  minApprovals: 1,
                  timeoutSeconds: 86400,
                  onTimeout: 'reject',
                },
              },
              ResultPath: null,
              TimeoutSeconds: 86400,
              Next: 'approve done',
            },
            'approve done': {
              Type: 'Task',
              Resource: 'arn:aws:states:::lambda:invoke',
              Parameters: {
                FunctionName: '${GateFunctionArn}',
                Payload: {
                  action: 'release',
                  'runId.$': '$.run.id',
                  job: 'approve',
                  result: { r: 'success', ok: true },
                },
              },
              ResultPath: null,
              End: true,
            },
          },
        },
        {
          StartAt: 'deploy gate',
          States: {
            'deploy gate': {
              Type: 'Task',
              Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
              Parameters: {
                FunctionName: '${GateFunctionArn}',
                Payload: {
                  action: 'wait',
                  'runId.$': '$.run.id',
                  job: 'deploy',
                  upstream: ['approve'],
                  'token.$': '$$.Task.Token',
                },
              },
              ResultPath: '$.gates.deploy',
              Next: 'deploy',
            },
            deploy: {
              Type: 'Task',
              Resource: 'arn:aws:states:::states:startExecution.sync:2',
              Parameters: {
                StateMachineArn: '${StateMachineArnPrefix}deploy-service',
                Input: {
                  'params.$': '$.params',
                  'AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$': '$$.Execution.Id',
                },
              },
              ResultSelector: { r: 'success', ok: true },
              ResultPath: '$.jobs.deploy',
              End: true,
            },
          },
        },
      ],
      ResultSelector: { 'jobs.$': 'States.JsonMerge($[0].jobs, $[1].jobs, false)' },
      ResultPath: '$.merged',
      Next: 'unit if',
    },
    'unit if': {
      Type: 'Choice',
      Choices: [
        {
          And: [
            { Variable: '$.jobs.compile.ok', BooleanEquals: true },
            { Not: { Variable: '$.params.environment', StringEquals: 'production' } },
          ],
          Next: 'unit',
        },
      ],
      Default: 'unit skipped',
    },
    'unit skipped': {
      Type: 'Pass',
      Result: { r: 'skipped', ok: false },
      ResultPath: '$.jobs.unit',
      Next: 'status',
    },
    unit: {
      Type: 'Map',
      ItemsPath: '$.params.shards',
      ItemSelector: { 'shard.$': '$$.Map.Item.Value', 'run.$': '$.run', 'a.$': '$.a' },
      MaxConcurrency: 40,
      ItemProcessor: {
        ProcessorConfig: { Mode: 'INLINE' },
        StartAt: 'unit shard',
        States: {
          'unit shard': {
            ...containerTask('unit'),
            ResultPath: null,
            Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.err', Next: 'unit retry' }],
            Next: 'unit shard done',
          },
          'unit retry': {
            Type: 'Choice',
            Choices: [
              { Variable: '$.err.Error', StringEquals: 'States.Timeout', Next: 'unit wait' },
              { Variable: '$.a.unit', NumericLessThan: 2, Next: 'unit wait' },
            ],
            Default: 'unit shard failed',
          },
          'unit wait': { Type: 'Wait', SecondsPath: '$.a.delay', Next: 'unit count' },
          'unit count': {
            Type: 'Pass',
            Parameters: {
              'unit.$': 'States.MathAdd($.a.unit, 1)',
              'delay.$': 'States.ArrayGetItem(States.Array(10, 20, 40), $.a.unit)',
              'jitter.$': 'States.MathRandom(0, 10)',
            },
            ResultPath: '$.a',
            Next: 'unit shard',
          },
          'unit shard failed': { Type: 'Fail', Error: 'Waterflow.JobFailed', CausePath: '$.err.Cause' },
          'unit shard done': { Type: 'Succeed' },
        },
      },
      ResultPath: null,
      Next: 'status',
    },
    status: {
      Type: 'Choice',
      Choices: [{ Variable: '$.jobs.compile.ok', BooleanEquals: false, Next: 'failed' }],
      Default: 'succeeded',
    },
    failed: { Type: 'Fail', Error: 'Waterflow.JobFailed', Cause: 'a job that is not tolerated failed' },
    succeeded: { Type: 'Succeed' },
  },
};

/** `a -> b`, the smallest machine, with `a` replaced or extended. */
function twoStates(a: Record<string, unknown>): object {
  return { StartAt: 'a', States: { a: { Type: 'Pass', Next: 'b', ...a }, b: { Type: 'Succeed' } } };
}

describe('aslProblems', () => {
  it('finds nothing wrong with a machine holding every construct Waterflow emits', async () => {
    expect(await aslProblems(valid)).toStrictEqual({ errors: [], warnings: [] });
  });

  it('does not change the machine it validates', async () => {
    // Prepare
    const before = structuredClone(valid);

    // Act
    await aslProblems(valid);

    // Assess
    expect(valid).toStrictEqual(before);
  });

  it('accepts multi-line and empty strings and nulls in Parameters arrays, which asl-validator alone rejects', async () => {
    expect(
      await aslProblems(twoStates({ Parameters: { Command: ['sh', '-ec', '', null, 'a\nb'] } })),
    ).toStrictEqual({
      errors: [],
      warnings: [],
    });
  });

  it('still reports other errors of a machine with multi-line strings in Parameters arrays', async () => {
    const { errors } = await aslProblems(twoStates({ Parameters: { Command: ['a\nb'] }, Next: 'nowhere' }));

    expect(errors).toContain(
      "asl-validator: MISSING_TRANSITION_TARGET Missing 'StartAt'|'Next'|'Default' target: nowhere",
    );
  });

  it('accepts an escaped backslash in an intrinsic string, which asl-validator alone rejects', async () => {
    // The ASL spec: in an intrinsic's string literal, `\\` stands for one backslash.
    const format = "States.Format('printf \\'%s\\\\n\\' {} > out.txt', $.params.day)";

    expect(await aslProblems(twoStates({ Parameters: { 'Command.$': format } }))).toStrictEqual({
      errors: [],
      warnings: [],
    });
  });

  it('still reports an unknown intrinsic beside an escaped backslash, from asl-validator', async () => {
    // amazon-states-language-service does not look inside the arguments of an intrinsic.
    const format = "States.Format('a\\\\b {}', States.Nope($.x))";

    expect((await aslProblems(twoStates({ Parameters: { 'x.$': format } }))).errors).toStrictEqual([
      `asl-validator: SCHEMA_VALIDATION_FAILED /States/a/Parameters/x.$ is invalid. must match format "asl_payload_template" (found: ${format})`,
    ]);
  });

  it('reports a Next to a missing state, from both validators', async () => {
    expect((await aslProblems(twoStates({ Next: 'nowhere' }))).errors).toStrictEqual([
      'asl-validator: MISSING_TRANSITION_TARGET State b is not reachable',
      "asl-validator: MISSING_TRANSITION_TARGET Missing 'StartAt'|'Next'|'Default' target: nowhere",
      'amazon-states-language-service: $.States.a.Next: The value of "Next" property must be the name of an existing state. (found: "nowhere")',
      'amazon-states-language-service: $.States.b: The state cannot be reached. It must be referenced by at least one other state. (found: "b")',
    ]);
  });

  it('reports a missing StartAt, from both validators', async () => {
    const { StartAt: _, ...withoutStart } = valid;

    const { errors } = await aslProblems(withoutStart);

    expect(errors).toContainEqual(
      expect.stringMatching(
        /^asl-validator: SCHEMA_VALIDATION_FAILED \(root\) is invalid\. must have required property 'StartAt'/,
      ),
    );
    expect(errors).toContain('amazon-states-language-service: $: Missing property "StartAt".');
  });

  it('reports a ResultPath that is not a reference path, from asl-validator', async () => {
    // amazon-states-language-service does not check the syntax of ResultPath.
    expect((await aslProblems(twoStates({ ResultPath: 'jobs.a' }))).errors).toStrictEqual([
      'asl-validator: SCHEMA_VALIDATION_FAILED /States/a/ResultPath is invalid. must match format "asl_result_path" (found: jobs.a)',
      'asl-validator: SCHEMA_VALIDATION_FAILED /States/a/Type is invalid. must be equal to one of the allowed values (found: Pass)',
    ]);
  });

  it('reports an unknown field, from both validators', async () => {
    expect((await aslProblems(twoStates({ Retries: 3 }))).errors).toStrictEqual([
      'asl-validator: SCHEMA_VALIDATION_FAILED /States/a is invalid. must match exactly one schema in oneOf (found: {"Type":"Pass","Next":"b","Retries":3})',
      'amazon-states-language-service: $.States.a.Retries: Field is not supported. (found: "Retries")',
    ]);
  });

  it('reports an unknown intrinsic function, from both validators', async () => {
    expect(
      (await aslProblems(twoStates({ Parameters: { 'x.$': 'States.Nope($.a)' } }))).errors,
    ).toStrictEqual([
      'asl-validator: SCHEMA_VALIDATION_FAILED /States/a/Parameters/x.$ is invalid. must match format "asl_payload_template" (found: States.Nope($.a))',
      'amazon-states-language-service: $.States.a.Parameters["x.$"]: The value for the field must be a valid JSONPath or intrinsic function expression. (found: "States.Nope($.a)")',
    ]);
  });

  it('reports a JitterStrategy other than FULL or NONE, from amazon-states-language-service', async () => {
    // asl-validator does not check the value of JitterStrategy.
    const retry = [{ ErrorEquals: ['States.ALL'], JitterStrategy: 'RANDOM' }];
    expect(
      (
        await aslProblems(
          twoStates({ Type: 'Task', Resource: 'arn:aws:states:::ecs:runTask.sync', Retry: retry }),
        )
      ).errors,
    ).toStrictEqual([
      'amazon-states-language-service: $.States.a.Retry[0].JitterStrategy: Value is not accepted. Valid values: "FULL", "NONE". (found: "RANDOM")',
    ]);
  });

  it('reports a Parallel branch that jumps out of its branch, from both validators', async () => {
    const branch = { StartAt: 'x', States: { x: { Type: 'Pass', Next: 'b' } } };

    const { errors } = await aslProblems(twoStates({ Type: 'Parallel', Branches: [branch] }));

    expect(errors).toContain(
      'asl-validator: BRANCH_OUTBOUND_TRANSITION_TARGET Parallel branch state cannot transition to target: b',
    );
    expect(errors).toContain(
      'amazon-states-language-service: $.States.a.Branches[0].States.x.Next: The value of "Next" property must be the name of an existing state. (found: "b")',
    );
  });
});
