import { describe, expect, it } from 'vitest';
import { compileWorkflow } from '../../compiler/compile/compile.js';
import type { CompileOutput } from '../../compiler/compile/output.js';
import type { ReusedResult } from '../../compiler/lower/reuse.js';
import { type RunCompiledResult, runCompiled } from '../support/local-sfn.js';
import { job, workflowYaml } from '../support/workflow.js';
import { runInput } from './helpers.js';

// A rerun's machine (the `reuse` compile option) executed by aws-local-stepfunctions with fake
// jobs: reused jobs do not run, and what they released and wrote still reaches their dependants.
const timeScale = 0.001;

function compiled(spec: Record<string, unknown>, reuse: ReadonlyMap<string, ReusedResult>): CompileOutput {
  const { output, diagnostics } = compileWorkflow(workflowYaml(spec), 'test.yaml', { reuse });
  if (output === undefined) throw new Error(diagnostics.map((d) => `${d.code} ${d.message}`).join('\n'));
  return output;
}

function startedJobs(result: RunCompiledResult): string[] {
  return [...new Set(result.events.filter((e) => e.kind === 'start').map((e) => e.job))];
}

function scriptOf(result: RunCompiledResult, name: string): string | undefined {
  const parameters = result.taskParameters.find((t) => t.job === name)?.parameters as
    | { Overrides?: { ContainerOverrides?: Array<{ Command?: string[] }> } }
    | undefined;
  return parameters?.Overrides?.ContainerOverrides?.[0]?.Command?.[2];
}

const succeeded: ReusedResult = { r: 'success', ok: true, x: 0 };

describe('a rerun on the local Step Functions harness', () => {
  it('runs only the jobs that are not reused, and the gate a reused job held opens', async () => {
    // Prepare: d waits for a at a gate that a's task would have released through the recorder.
    const output = compiled(
      {
        stages: [
          {
            name: 's',
            jobs: [job('a'), job('b'), job('c', { needs: ['a'] }), job('d', { needs: ['a', 'b'] })],
          },
        ],
      },
      new Map([
        ['a', succeeded],
        ['b', succeeded],
      ]),
    );

    // Act
    const result = await runCompiled(output, { input: runInput({}), timeScale, validate: true });

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(startedJobs(result).sort()).toStrictEqual(['c', 'd']);
  });

  it("passes a reused job's outputs to the commands of jobs after it and behind its gate", async () => {
    // Prepare
    const output = compiled(
      {
        stages: [
          {
            name: 's',
            jobs: [
              job('a', { outputs: ['tag'] }),
              job('b'),
              job('c', { needs: ['a'], commands: ['echo "c ${{ needs.a.outputs.tag }}"'] }),
              job('d', { needs: ['a', 'b'], commands: ['echo "d ${{ needs.a.outputs.tag }}"'] }),
            ],
          },
        ],
      },
      new Map([['a', { ...succeeded, o: { tag: 'v1.4.2' } }]]),
    );

    // Act
    const result = await runCompiled(output, {
      input: runInput({}),
      timeScale,
      jobs: { a: { outputs: { tag: 'never read' } } },
    });

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(startedJobs(result).sort()).toStrictEqual(['b', 'c', 'd']);
    expect(scriptOf(result, 'c')).toBe('echo "c v1.4.2"');
    expect(scriptOf(result, 'd')).toBe('echo "d v1.4.2"');
  });
});
