import { describe, expect, it } from 'vitest';
import { generateWorkflow } from '../../bench/generate.js';
import { simulate } from '../../bench/simulator/index.js';
import { compileWorkflow } from '../../compiler/compile/compile.js';
import type { JsonValue } from '../../compiler/ir.js';
import { validateWorkflow } from '../../compiler/validate-workflow.js';

// Generated workflows use what corpus DAGs do not: outputs read by later jobs, conditions,
// retry loops, splits. Each must run to success on the simulator with every job starting after
// each of its upstream jobs ended, every output and result found where the ASL reads it.

const input: JsonValue = {
  params: { environment: 'staging', region: 'eu-west-1', batchSize: 1000 },
  run: { id: 'sim' },
  jobs: {},
};

describe('generated workflows on the simulator', () => {
  it.each([
    [120, 3, 'full'],
    [300, 2, 'full'],
    [1000, 1, 'full'],
    [1000, 1, 'plain'],
  ] as const)('%i jobs (seed %i, %s) succeed, each job after its upstream jobs', (jobs, seed, detail) => {
    const text = generateWorkflow({ jobs, seed, detail });
    const { workflow } = validateWorkflow(text, 'generated.yaml');
    const { output } = compileWorkflow(text, 'generated.yaml');
    if (workflow === undefined || output === undefined)
      throw new Error('the generated workflow does not compile');
    const byName = new Map(workflow.jobs.map((job) => [job.name, job]));
    const result = simulate(output.asl, {
      stateMap: output.stateMap,
      children: new Map(output.children.map((child) => [child.name, child.asl])),
      durations: (job) => 1 + (job.length % 7),
      input,
      taskResult: ({ info }) => {
        if (info?.role !== 'outputs' || info.job === undefined) return undefined;
        const declared = byName.get(info.job)?.outputs ?? [];
        return { Body: JSON.stringify(Object.fromEntries(declared.map((name) => [name, `${name}-value`]))) };
      },
    });
    const late = workflow.jobs.flatMap((job) =>
      job.upstream
        .filter(
          (u) =>
            (result.jobs.get(u)?.end ?? 0) > (result.jobs.get(job.name)?.start ?? Number.POSITIVE_INFINITY),
        )
        .map((u) => `${job.name} started before ${u} ended`),
    );

    expect(result.status).toBe('SUCCEEDED');
    expect(result.jobs.size).toBe(jobs);
    expect(late).toStrictEqual([]);
  });
});
