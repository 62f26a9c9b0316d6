import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { State, StateGraph, StateMachine } from '../../../compiler/asl/types.js';
import { type CompileOptions, compileWorkflow } from '../../../compiler/compile/compile.js';
import type { CompileOutput } from '../../../compiler/compile/output.js';
import type { ReusedResult } from '../../../compiler/lower/reuse.js';
import { aslProblems } from '../../support/asl-validators.js';
import { root } from '../../support/files.js';
import { job, workflowYaml } from '../../support/workflow.js';

// The `reuse` compile option (a rerun in AWS): reused jobs are Pass states with their earlier
// results, and everything else is the machine a normal run gets.

function compiled(spec: Record<string, unknown>, reuse?: ReadonlyMap<string, ReusedResult>): CompileOutput {
  const { output, diagnostics } = compileWorkflow(
    workflowYaml(spec),
    'test.yaml',
    reuse === undefined ? {} : { reuse },
  );
  if (output === undefined) throw new Error(diagnostics.map((d) => `${d.code} ${d.message}`).join('\n'));
  return output;
}

/** The N shape: a→c, a→d, b→d; d waits for a at a gate, and a's success releases it. */
const nShape = {
  stages: [
    {
      name: 's',
      jobs: [job('a'), job('b'), job('c', { needs: ['a'] }), job('d', { needs: ['a', 'b'] })],
    },
  ],
};

const succeeded: ReusedResult = { r: 'success', ok: true, x: 0 };

/** The graph (the machine's, or a branch of a Parallel in it) whose States hold `name`. */
function graphHolding(graph: StateGraph, name: string): StateGraph | undefined {
  if (name in graph.States) return graph;
  for (const state of Object.values(graph.States)) {
    const branches = state.Type === 'Parallel' ? state.Branches : [];
    for (const branch of branches) {
      const found = graphHolding(branch, name);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

function stateOf(asl: StateMachine, name: string): State | undefined {
  return graphHolding(asl, name)?.States[name];
}

describe('compiling a rerun with reused jobs', () => {
  it('lowers reused jobs to Pass states, releases the gate they held, and leaves the other jobs as they were', () => {
    // Prepare
    const normal = compiled(nShape);
    const expected = structuredClone(normal.asl) as StateMachine;
    const aGraph = graphHolding(expected, 'a') as { States: Record<string, State> };
    const bGraph = graphHolding(expected, 'b') as { States: Record<string, State> };
    const aNext = stateOf(normal.asl, 'a') as State & { Next: string };
    const bNext = stateOf(normal.asl, 'b') as State & { Next: string };
    // a's task used to release d's gate through the recorder; its Pass goes through `a done`.
    const aStates: Record<string, State> = {};
    for (const [name, state] of Object.entries(aGraph.States)) {
      if (name !== 'a') {
        aStates[name] = state;
        continue;
      }
      aStates.a = { Type: 'Pass', ResultPath: null, Next: 'a done' };
      aStates['a done'] = {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke',
        Parameters: {
          FunctionName: '${GateFunctionArn}',
          InvocationType: 'Event',
          Payload: { action: 'release', 'runId.$': '$.run.id', job: 'a', result: { r: 'success', ok: true } },
        },
        ResultPath: null,
        Next: aNext.Next,
      };
    }
    aGraph.States = aStates;
    bGraph.States = { ...bGraph.States, b: { Type: 'Pass', ResultPath: null, Next: bNext.Next } };

    // Act
    const rerun = compiled(
      nShape,
      new Map([
        ['a', succeeded],
        ['b', succeeded],
      ]),
    );

    // Assess
    expect(normal.stateMap.a?.releasedOnSuccess).toBe(true);
    expect(rerun.asl).toStrictEqual(expected);
    expect(rerun.stateMap.a).toStrictEqual({ job: 'a', role: 'run', kind: 'container', reused: true });
    expect(rerun.stateMap['a done']).toStrictEqual({ job: 'a', role: 'release' });
    expect(rerun.stateMap.b).toStrictEqual({ job: 'b', role: 'run', kind: 'container', reused: true });
    expect(rerun.stateMap.c).toStrictEqual(normal.stateMap.c);
    expect(rerun.stateMap.d).toStrictEqual(normal.stateMap.d);
  });

  it('writes the earlier result, outputs included, where a read result goes', () => {
    // Prepare
    const spec = {
      stages: [
        {
          name: 's',
          jobs: [
            job('version', { outputs: ['tag'] }),
            job('publish', { needs: ['version'], commands: ['echo ${{ needs.version.outputs.tag }}'] }),
          ],
        },
      ],
    };
    const reused: ReusedResult = { r: 'success', ok: true, x: 0, o: { tag: 'v1.4.2' } };

    // Act
    const rerun = compiled(spec, new Map([['version', reused]]));

    // Assess
    expect(stateOf(rerun.asl, 'version')).toStrictEqual({
      Type: 'Pass',
      Result: { r: 'success', ok: true, x: 0, o: { tag: 'v1.4.2' } },
      ResultPath: '$.jobs.version',
      Next: 'publish',
    });
    expect(stateOf(rerun.asl, 'version outputs')).toBeUndefined();
    expect(rerun.stateMap['version outputs']).toBeUndefined();
  });

  it('lowers a reused matrix job to one Pass, without its items or Map', () => {
    // Prepare
    const spec = {
      stages: [
        {
          name: 's',
          jobs: [
            job('test', { matrix: { values: { os: ['linux', 'windows'] } } }),
            job('report', { needs: ['test'] }),
          ],
        },
      ],
    };

    // Act
    const rerun = compiled(spec, new Map([['test', succeeded]]));

    // Assess
    expect(stateOf(rerun.asl, 'test')).toStrictEqual({ Type: 'Pass', ResultPath: null, Next: 'report' });
    expect(Object.keys(rerun.stateMap).filter((name) => rerun.stateMap[name]?.job === 'test')).toStrictEqual([
      'test',
    ]);
  });

  it('keeps no failure path for a reused job whose failure would be tolerated', () => {
    // Prepare
    const spec = {
      stages: [
        { name: 's', jobs: [job('lint', { continueOnFailure: true }), job('build', { needs: ['lint'] })] },
      ],
    };

    // Act
    const rerun = compiled(spec, new Map([['lint', succeeded]]));

    // Assess
    expect(stateOf(rerun.asl, 'lint failed')).toBeUndefined();
    expect(rerun.stateMap['lint failed']).toBeUndefined();
  });

  it('compiles the same machine as a normal run when nothing is reused', () => {
    // Prepare
    const normal = compiled(nShape);

    // Act
    const rerun = compiled(nShape, new Map());

    // Assess
    expect(rerun.asl).toStrictEqual(normal.asl);
    expect(rerun.stateMap).toStrictEqual(normal.stateMap);
  });

  it('gives a machine both ASL validators accept', async () => {
    // Prepare
    const rerun = compiled(
      nShape,
      new Map([
        ['a', succeeded],
        ['b', succeeded],
      ]),
    );

    // Act
    const problems = await aslProblems(rerun.asl);

    // Assess
    expect(problems).toStrictEqual({ errors: [], warnings: [] });
  });

  it("names a split rerun machine's parts after it, and lets it start only those", () => {
    // Prepare: the split fixture, whose limits give it parts.
    const dir = join(root, 'test/fixtures/split');
    const text = readFileSync(join(dir, 'workflow.yaml'), 'utf8');
    const options = JSON.parse(readFileSync(join(dir, 'options.json'), 'utf8')) as CompileOptions;
    const machine = 'split--rerun-0123456789ab';

    // Act
    const { output } = compileWorkflow(text, 'split.yaml', { ...options, reuse: new Map(), machine });

    // Assess
    if (output === undefined) throw new Error('the split fixture does not compile');
    expect(output.children.length).toBeGreaterThan(1);
    expect(output.children.map((child) => child.name)).toStrictEqual(
      output.children.map((_, i) => `${machine}--part-${i + 1}`),
    );
    const started = [...JSON.stringify(output.asl).matchAll(/"StateMachineArn":"([^"]*)"/g)].map((m) => m[1]);
    expect(started.length).toBeGreaterThan(0);
    for (const arn of started)
      expect(arn).toMatch(new RegExp(`^\\$\\{StateMachineArnPrefix\\}${machine}--part-\\d+$`));
    expect(output.permissions.find((p) => p.sid === 'StartParts')?.resources).toStrictEqual([
      `\${StateMachineArnPrefix}${machine}--part-*`,
    ]);
  });
});
