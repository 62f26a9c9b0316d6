import { describe, expect, it } from 'vitest';
import { compileWorkflow } from '../../compiler/compile/compile.js';
import type { CompileOutput } from '../../compiler/compile/output.js';
import { formatDiagnostic } from '../../compiler/index.js';
import { type JobEvent, runCompiled } from '../support/local-sfn.js';
import { job, workflowYaml } from '../support/workflow.js';
import { position, runInput } from './helpers.js';

// One second of workflow time lasts a millisecond.
const timeScale = 0.001;

/** `test` over 3 x 3 items, 100 at once (a distributed Map); `after` needs it. */
function nineItems(matrix: Record<string, unknown> = {}): CompileOutput {
  const yaml = workflowYaml({
    stages: [
      {
        name: 's',
        jobs: [
          job('test', {
            matrix: {
              values: { node: ['18', '20', '22'], os: ['linux', 'alpine', 'debian'] },
              maxParallel: 100,
              ...matrix,
            },
            commands: ['echo ${{ matrix.node }} ${{ matrix.os }}'],
          }),
          job('after', { needs: ['test'] }),
        ],
      },
    ],
  });
  const { output, diagnostics } = compileWorkflow(yaml, 'test.yaml');
  if (output === undefined) throw new Error(diagnostics.map(formatDiagnostic).join('\n'));
  return output;
}

const count = (events: ReadonlyArray<JobEvent>, job: string, kind: JobEvent['kind']) =>
  events.filter((e) => e.job === job && e.kind === kind).length;

describe('a static matrix above 40 at once on the local Step Functions harness', () => {
  it('compiles to a distributed Map over the items in the state', () => {
    // Act
    const map = nineItems().asl.States.test;

    // Assess
    expect(map?.Type === 'Map' && map.ItemProcessor.ProcessorConfig?.Mode).toBe('DISTRIBUTED');
    expect(map?.Type === 'Map' && map.ItemsPath).toBe('$.mx.test.items');
  });

  it('runs every item with its own matrix values, then its dependants', async () => {
    // Act
    const result = await runCompiled(nineItems(), {
      input: runInput(),
      timeScale,
      jobs: { test: { durationMs: 1_000 } },
    });

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(count(result.events, 'test', 'start')).toBe(9);
    const commands = result.taskParameters
      .filter((t) => t.job === 'test')
      .map((t) =>
        JSON.stringify(t.parameters)
          .match(/echo (\d+) (\w+)/)
          ?.slice(1)
          .join(' '),
      )
      .sort();
    expect(commands).toStrictEqual([
      '18 alpine',
      '18 debian',
      '18 linux',
      '20 alpine',
      '20 debian',
      '20 linux',
      '22 alpine',
      '22 debian',
      '22 linux',
    ]);
    const lastEnd = result.events.findLastIndex((e) => e.job === 'test' && e.kind === 'end');
    expect(lastEnd).toBeLessThan(position(result.events, 'after', 'start'));
  });

  it('runs every item with failFast: false, then fails the job after all of them ended', async () => {
    // Act: the first item to start fails, the eight others succeed.
    const result = await runCompiled(nineItems({ failFast: false }), {
      input: runInput(),
      timeScale,
      jobs: { test: { exitCodes: [1, 0], durationMs: 1_000 } },
    });

    // Assess
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('Waterflow.MatrixFailed');
    expect(count(result.events, 'test', 'start')).toBe(9);
    const ends = result.events.filter((e) => e.job === 'test' && e.kind === 'end');
    expect(ends.map((e) => e.outcome).sort()).toStrictEqual([
      'failure',
      'success',
      'success',
      'success',
      'success',
      'success',
      'success',
      'success',
      'success',
    ]);
    expect(result.trace.findLastIndex((l) => l.includes('test items count'))).toBeGreaterThan(-1);
    expect(count(result.events, 'after', 'start')).toBe(0);
  });

  it('succeeds with failFast: false when every item succeeds', async () => {
    // Act
    const result = await runCompiled(nineItems({ failFast: false }), { input: runInput(), timeScale });

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(count(result.events, 'test', 'end')).toBe(9);
    expect(count(result.events, 'after', 'start')).toBe(1);
  });

  it('fails the job at the first failed item with failFast: true', async () => {
    // Act
    const result = await runCompiled(nineItems({ maxParallel: 50 }), {
      input: runInput(),
      timeScale,
      jobs: { test: { exitCodes: [1, 0] } },
    });

    // Assess
    expect(result.status).toBe('FAILED');
    expect(count(result.events, 'after', 'start')).toBe(0);
  });
});
