import { describe, expect, it } from 'vitest';
import { validateWorkflow } from '../../../compiler/index.js';
import { job, problems, workflowYaml } from '../../support/workflow.js';

function graphOf(jobs: Record<string, unknown>[]) {
  const result = validateWorkflow(workflowYaml({ stages: [{ name: 's', jobs }] }), 'wf.yaml');
  if (result.graph === undefined) throw new Error(result.diagnostics.map((d) => d.message).join('\n'));
  return result.graph;
}

describe('the graph pass', () => {
  it('orders jobs topologically, keeping document order among ready jobs', () => {
    const graph = graphOf([job('c', { needs: ['a'] }), job('b'), job('a'), job('d', { needs: ['c', 'b'] })]);

    expect(graph.order).toStrictEqual(['b', 'a', 'c', 'd']);
  });

  it('keeps the N shape exact: c depends on a only, d on a and b', () => {
    const graph = graphOf([job('a'), job('b'), job('c', { needs: ['a'] }), job('d', { needs: ['a', 'b'] })]);

    expect([...(graph.ancestors.get('c') ?? [])]).toStrictEqual(['a']);
    expect([...(graph.ancestors.get('d') ?? [])].sort()).toStrictEqual(['a', 'b']);
    expect(graph.downstream.get('b')).toStrictEqual(['d']);
  });

  it('prints the whole cycle and why each job waits', () => {
    const text = workflowYaml({
      stages: [
        {
          name: 's',
          jobs: [job('a', { needs: ['c'] }), job('b', { needs: ['a'] }), job('c', { needs: ['b'] })],
        },
      ],
    });

    expect(problems(text)).toMatchInlineSnapshot(`
      [
        "14:15 WF2006 jobs form a cycle: "a" -> "c" -> "b" -> "a" | "a" needs "c"; "c" needs "b"; "b" needs "a"; remove one of these dependencies",
      ]
    `);
  });

  it('explains a cycle that goes through a stage dependency', () => {
    const text = workflowYaml({
      stages: [
        { name: 'build', jobs: [job('compile', { needs: ['unit'] })] },
        { name: 'test', jobs: [job('unit')] },
      ],
    });

    expect(problems(text)).toMatchInlineSnapshot(`
      [
        "14:15 WF2006 jobs form a cycle: "compile" -> "unit" -> "compile" | "compile" needs "unit"; "unit" waits for "compile" because stage "test" depends on stage "build"; remove one of these dependencies",
      ]
    `);
  });

  it('suggests the closest name for an unknown need, swapped letters included', () => {
    const text = workflowYaml({
      stages: [
        {
          name: 's',
          jobs: [job('build'), job('test', { needs: ['biuld'] }), job('self', { needs: ['self'] })],
        },
      ],
    });

    expect(problems(text)).toMatchInlineSnapshot(`
      [
        "18:15 WF2003 job "test" needs "biuld", which does not exist (did you mean "build"?)",
        "24:15 WF2005 job "self" needs itself",
      ]
    `);
  });

  it('warns about a job that can never run and the jobs that wait for it', () => {
    const text = workflowYaml({
      stages: [
        {
          name: 's',
          jobs: [
            job('off', { if: false }),
            job('after', { needs: ['off'] }),
            job('anyway', { needs: ['off'], if: 'always()' }),
          ],
        },
      ],
    });
    const result = validateWorkflow(text, 'wf.yaml');

    expect(result.workflow).toBeDefined();
    expect(problems(text)).toMatchInlineSnapshot(`
      [
        "13:15 WF2103 job "off" can never run: its condition is always false",
        "14:17 WF2103 job "after" can never run: it needs "off", which never runs | give it an "if" such as always() if it should run anyway",
      ]
    `);
  });

  it('knows direct and transitive ancestors, through needs and stages alike', () => {
    const text = workflowYaml({
      stages: [
        { name: 'one', jobs: [job('a'), job('b', { needs: ['a'] }), job('side')] },
        { name: 'two', jobs: [job('c', { needs: ['b'] })] },
      ],
    });
    const graph = validateWorkflow(text, 'wf.yaml').graph;
    const ancestors = graph?.ancestors.get('c');

    expect(ancestors?.has('b')).toBe(true);
    expect(ancestors?.has('side')).toBe(true);
    expect(ancestors?.has('a')).toBe(true);
    expect(ancestors?.has('c')).toBe(false);
    expect(graph?.ancestors.get('b')?.has('side')).toBe(false);
    expect([...(ancestors ?? [])].sort()).toStrictEqual(['a', 'b', 'side']);
  });

  it('accepts an output read from a job upstream through another, and refuses one from a job beside', () => {
    const text = workflowYaml({
      stages: [
        {
          name: 's',
          jobs: [
            job('a', { outputs: ['v'] }),
            job('b', { needs: ['a'] }),
            job('side', { outputs: ['v'] }),
            job('c', {
              needs: ['b'],
              commands: ['echo ${{ needs.a.outputs.v }} ${{ needs.side.outputs.v }}'],
            }),
          ],
        },
      ],
    });

    expect(problems(text)).toMatchInlineSnapshot(`
      [
        "30:49 WF3003 job "side" is not upstream of this job; add it to needs",
      ]
    `);
  });
});
