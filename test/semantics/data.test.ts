import { describe, expect, it } from 'vitest';
import type { JsonValue } from '../../compiler/asl/types.js';
import { compileWorkflow } from '../../compiler/compile/compile.js';
import type { CompileOutput } from '../../compiler/compile/output.js';
import { type FakeJob, type RunCompiledResult, runCompiled } from '../support/local-sfn.js';
import { job, workflowYaml } from '../support/workflow.js';
import { runInput } from './helpers.js';

// The data side of the language (DESIGN §2: conditions, outputs, params in commands) executed by
// aws-local-stepfunctions with fake jobs. One second of workflow time lasts a millisecond.
const timeScale = 0.001;

function compiled(spec: Record<string, unknown>): CompileOutput {
  const { output, diagnostics } = compileWorkflow(workflowYaml(spec), 'test.yaml');
  if (output === undefined) throw new Error(diagnostics.map((d) => `${d.code} ${d.message}`).join('\n'));
  return output;
}

function run(
  output: CompileOutput,
  params: { readonly [name: string]: JsonValue },
  jobs: { [name: string]: FakeJob } = {},
): Promise<RunCompiledResult> {
  return runCompiled(output, { input: runInput(params), jobs, timeScale });
}

/** Every job that started, in order of first start. */
function startedJobs(result: RunCompiledResult): string[] {
  return [...new Set(result.events.filter((e) => e.kind === 'start').map((e) => e.job))];
}

/** The script a job's ECS task was started with (`sh -ec <script>`). */
function scriptOf(result: RunCompiledResult, name: string): string | undefined {
  const parameters = result.taskParameters.find((t) => t.job === name)?.parameters as
    | { Overrides?: { ContainerOverrides?: Array<{ Command?: string[] }> } }
    | undefined;
  return parameters?.Overrides?.ContainerOverrides?.[0]?.Command?.[2];
}

const conditional = {
  params: { environment: { type: 'string', default: 'staging' } },
  stages: [
    {
      name: 's',
      jobs: [
        job('build'),
        job('deploy-prod', { needs: ['build'], if: "${{ params.environment == 'production' }}" }),
        job('deploy-staging', { needs: ['build'], if: "${{ params.environment != 'production' }}" }),
        job('smoke', { needs: ['deploy-prod'] }),
        job('report', { needs: ['deploy-prod', 'deploy-staging'], if: '${{ always() }}' }),
      ],
    },
  ],
};

describe('conditions on the local Step Functions harness', () => {
  it("runs the true branch and skips the false one, with the skipped job's dependants", async () => {
    // Prepare
    const output = compiled(conditional);

    // Act
    const staging = await run(output, { environment: 'staging' });
    const production = await run(output, { environment: 'production' });

    // Assess
    expect(staging.status).toBe('SUCCEEDED');
    expect(startedJobs(staging)).toStrictEqual(['build', 'deploy-staging', 'report']);
    expect(production.status).toBe('SUCCEEDED');
    expect(startedJobs(production).sort()).toStrictEqual(['build', 'deploy-prod', 'report', 'smoke']);
  });

  it('runs a failure() job only when an upstream job failed', async () => {
    // Prepare
    const output = compiled({
      failFast: false,
      stages: [
        {
          name: 's',
          jobs: [job('test'), job('notify-failure', { needs: ['test'], if: '${{ failure() }}' })],
        },
      ],
    });

    // Act
    const passed = await run(output, {});
    const failed = await run(output, {}, { test: { exitCodes: [1] } });

    // Assess
    expect(startedJobs(passed)).toStrictEqual(['test']);
    expect(startedJobs(failed)).toStrictEqual(['test', 'notify-failure']);
    expect(failed.status).toBe('FAILED');
  });
});

describe('outputs on the local Step Functions harness', () => {
  it("puts an upstream job's output into a later job's command", async () => {
    // Prepare
    const output = compiled({
      stages: [
        {
          name: 's',
          jobs: [
            job('version', { outputs: ['tag'] }),
            job('other'),
            job('publish', {
              needs: ['version', 'other'],
              commands: ['echo "publishing ${{ needs.version.outputs.tag }} for ${{ params.who }}"'],
            }),
          ],
        },
      ],
      params: { who: { type: 'string', default: 'ada' } },
    });

    // Act
    const result = await run(output, { who: 'grace' }, { version: { outputs: { tag: 'v1.4.2' } } });

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(scriptOf(result, 'publish')).toBe('echo "publishing v1.4.2 for grace"');
  });
});
