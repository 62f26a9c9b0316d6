import { describe, expect, it } from 'vitest';
import { criticalPath, geometricMean, stageBarrierSeconds } from '../../bench/simulator/dag.js';
import { layeredDag } from '../../bench/simulator/layered-dag.js';

// The N shape a -> c, a -> d, b -> d, with two paths of 12 s to d.
const N = [
  { id: 'a', runtimeSeconds: 10, parents: [] },
  { id: 'b', runtimeSeconds: 10, parents: [] },
  { id: 'c', runtimeSeconds: 1, parents: ['a'] },
  { id: 'd', runtimeSeconds: 2, parents: ['a', 'b'] },
];

describe('criticalPath', () => {
  it('finds the longest path by runtime, from source to sink', () => {
    expect(criticalPath(N)).toStrictEqual({ seconds: 12, jobs: ['a', 'd'] });
  });

  it('prefers, among paths of the same length, the one with the larger tie count', () => {
    expect(criticalPath(N, undefined, (job) => (job.id === 'b' ? 1 : 0)).jobs).toStrictEqual(['b', 'd']);
  });

  it('weighs jobs with the given weight', () => {
    expect(criticalPath(N, (job) => job.runtimeSeconds + 20).seconds).toBe(52);
  });
});

describe('stageBarrierSeconds', () => {
  it('adds up the longest runtime of each level', () => {
    expect(stageBarrierSeconds(N)).toBe(12);
    expect(stageBarrierSeconds([...N, { id: 'e', runtimeSeconds: 5, parents: ['c'] }])).toBe(17);
  });
});

describe('geometricMean', () => {
  it('is the n-th root of the product', () => {
    expect(geometricMean([1, 4])).toBeCloseTo(2, 12);
  });
});

describe('layeredDag', () => {
  it('gives the same DAG for the same seed', () => {
    expect(layeredDag({ jobs: 120, seed: 7 })).toStrictEqual(layeredDag({ jobs: 120, seed: 7 }));
  });

  it('puts every job of layer L at level L, with a parent in layer L - 1', () => {
    // Prepare
    const dag = layeredDag({ jobs: 300, seed: 3 });
    const layer = (id: string) => Number(/^j(\d+)-/.exec(id)?.[1]);

    // Act
    const wrong = dag.jobs.filter(
      (job) => layer(job.id) > 0 && !job.parents.some((p) => layer(p) === layer(job.id) - 1),
    );

    // Assess
    expect(dag.jobs).toHaveLength(300);
    expect(wrong).toStrictEqual([]);
    expect(dag.jobs.every((job) => job.runtimeSeconds >= 1 && job.runtimeSeconds <= 1800)).toBe(true);
  });
});
