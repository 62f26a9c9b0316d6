import { describe, expect, it } from 'vitest';
import type { DagJob } from '../../bench/simulator/dag.js';
import { type BenchDag, measureLowering } from '../../bench/simulator/measure.js';
import { compileWorkflow } from '../../compiler/compile/compile.js';
import { instanceToWorkflow } from '../support/corpus.js';

/** The N shape a -> c, a -> d, b -> d: d nests after b and waits for a through a gate. */
function nShape(a: number, b: number): BenchDag {
  const jobs: DagJob[] = [
    { id: 'a', runtimeSeconds: a, parents: [] },
    { id: 'b', runtimeSeconds: b, parents: [] },
    { id: 'c', runtimeSeconds: 1, parents: ['a'] },
    { id: 'd', runtimeSeconds: 5, parents: ['a', 'b'] },
  ];
  return { name: 'n', source: 'layered', jobs, yaml: instanceToWorkflow({ name: 'n', jobs }).yaml };
}

function placement(dag: BenchDag) {
  return measureLowering(dag, compileWorkflow(dag.yaml, 'n.yaml', { lowering: 'exact' })).gatePlacement;
}

describe('gatePlacement', () => {
  it('counts a gate whose upstream ends last as on the critical edge', () => {
    // a (gated) ends at 10 s, after b at 3 s: the path a -> d goes through the gate.
    expect(placement(nShape(10, 3))).toStrictEqual({ onCriticalEdge: 1, afterNestedParent: 0, afterTask: 1 });
  });

  it('counts a gate that waits after a nested parent ending last as one a Parallel could hide', () => {
    // b (nested) ends at 10 s, after a at 3 s: the gate answers after b, adding g to b -> d.
    expect(placement(nShape(3, 10))).toStrictEqual({ onCriticalEdge: 0, afterNestedParent: 1, afterTask: 1 });
  });

  it('counts a gated upstream ending less than g (1 s) before the nested parent as on the critical edge', () => {
    // a ends at 9.5 s, b at 10 s: beside b, the gate would still answer at 10.5 s.
    expect(placement(nShape(9.5, 10)).onCriticalEdge).toBe(1);
    expect(placement(nShape(9, 10)).afterNestedParent).toBe(1);
  });
});
