import { describe, expect, it } from 'vitest';
import { compileWorkflow } from '../../compiler/compile/compile.js';
import type { CompileOutput } from '../../compiler/compile/output.js';
import { type FakeJob, type JobEvent, runCompiled } from '../support/local-sfn.js';
import { job, workflowYaml } from '../support/workflow.js';
import { position, runInput } from './helpers.js';

// One second of workflow time lasts a millisecond.
const timeScale = 0.001;

function compiled(spec: Record<string, unknown>): CompileOutput {
  const { output, diagnostics } = compileWorkflow(workflowYaml(spec), 'test.yaml');
  if (output === undefined) throw new Error(diagnostics.map((d) => `${d.code} ${d.message}`).join('\n'));
  return output;
}

/** split writes `items`; fan-out runs once per item; after runs when fan-out has ended. */
function fanOut(matrix: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return compiled({
    ...extra,
    stages: [
      {
        name: 's',
        jobs: [
          job('split', { outputs: ['items'] }),
          job('fan-out', {
            needs: ['split'],
            matrix: { fromJson: '${{ needs.split.outputs.items }}', ...matrix },
            commands: ['echo ${{ matrix.name }}'],
          }),
          job('after', { needs: ['fan-out'] }),
        ],
      },
    ],
  });
}

function run(output: CompileOutput, jobs: { [name: string]: FakeJob }) {
  return runCompiled(output, { input: runInput(), jobs, timeScale });
}

/** The most attempts of `job` that were running at the same moment, from the event order. */
function mostAtOnce(events: ReadonlyArray<JobEvent>, job: string): number {
  let running = 0;
  let most = 0;
  for (const event of events) {
    if (event.job !== job) continue;
    if (event.kind === 'start') most = Math.max(most, ++running);
    if (event.kind === 'end') running--;
  }
  return most;
}

const starts = (events: ReadonlyArray<JobEvent>, job: string) =>
  events.filter((e) => e.job === job && e.kind === 'start').length;

const three = JSON.stringify([{ name: 'a' }, { name: 'b' }, { name: 'c' }]);

describe('a dynamic matrix on the local Step Functions harness', () => {
  it('runs the job once per item of the upstream output array, then its dependants', async () => {
    // Act
    const result = await run(fanOut({}), {
      split: { outputs: { items: three } },
      'fan-out': { durationMs: 1_000 },
    });

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(starts(result.events, 'fan-out')).toBe(3);
    expect(position(result.events, 'split', 'end')).toBeLessThan(position(result.events, 'fan-out', 'start'));
    const lastEnd = result.events.findLastIndex((e) => e.job === 'fan-out' && e.kind === 'end');
    expect(lastEnd).toBeLessThan(position(result.events, 'after', 'start'));
  });

  it('runs at most maxParallel items at once', async () => {
    // Act
    const items = JSON.stringify([1, 2, 3, 4, 5, 6].map((n) => ({ name: `n${n}` })));
    const result = await run(fanOut({ maxParallel: 2 }), {
      split: { outputs: { items } },
      'fan-out': { durationMs: 1_000 },
    });

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(starts(result.events, 'fan-out')).toBe(6);
    expect(mostAtOnce(result.events, 'fan-out')).toBe(2);
  });

  it('runs every item with failFast: false, then fails the job when one failed', async () => {
    // Act
    const result = await run(fanOut({ failFast: false, maxParallel: 1 }), {
      split: { outputs: { items: three } },
      'fan-out': { exitCodes: [0, 1, 0] },
    });

    // Assess
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('Waterflow.MatrixFailed');
    expect(starts(result.events, 'fan-out')).toBe(3);
    expect(starts(result.events, 'after')).toBe(0);
  });

  it('records the failure and runs independent work when fromJson is not a JSON array', async () => {
    // Act
    const output = fanOut({}, { failFast: false });
    const result = await run(output, { split: { outputs: { items: 'not json' } } });

    // Assess
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('Waterflow.RunFailed');
    expect(starts(result.events, 'fan-out')).toBe(0);
    expect(result.trace).toContain('StateEntered fan-out failed');
  });

  it('fails the run with States.ItemReaderFailed and a readable cause when the output is not an array', async () => {
    // Act
    const result = await run(fanOut({}), { split: { outputs: { items: '{"name":"a"}' } } });

    // Assess
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('States.ItemReaderFailed');
    expect(result.cause).toBe(
      'matrix.fromJson: needs.split.outputs.items is not a JSON array: "{\\"name\\":\\"a\\"}"',
    );
  });

  it('fans out over an array of strings, each item being matrix itself', async () => {
    // Prepare
    const output = compiled({
      stages: [
        {
          name: 's',
          jobs: [
            job('split', { outputs: ['items'] }),
            job('fan-out', {
              needs: ['split'],
              matrix: { fromJson: '${{ needs.split.outputs.items }}' },
              commands: ['echo ${{ matrix }}'],
            }),
          ],
        },
      ],
    });

    // Act
    const result = await run(output, { split: { outputs: { items: '["a","b"]' } } });

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(starts(result.events, 'fan-out')).toBe(2);
  });
});

describe('a static matrix on the local Step Functions harness', () => {
  it('never runs more than maxParallel of its 6 items at once', async () => {
    // Prepare
    const output = compiled({
      stages: [
        {
          name: 's',
          jobs: [job('test', { matrix: { values: { shard: [1, 2, 3, 4, 5, 6] }, maxParallel: 2 } })],
        },
      ],
    });

    // Act
    const result = await run(output, { test: { durationMs: 1_000 } });

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(starts(result.events, 'test')).toBe(6);
    expect(mostAtOnce(result.events, 'test')).toBe(2);
  });
});
