import { describe, expect, it } from 'vitest';
import { compileWorkflow, formatDiagnostic } from '../../../compiler/index.js';
import { job, workflowYaml } from '../../support/workflow.js';

function compile(spec: Record<string, unknown>) {
  return compileWorkflow(workflowYaml(spec), 'wf.yaml');
}

function output(spec: Record<string, unknown>) {
  const result = compile(spec);
  if (result.output === undefined) throw new Error(result.diagnostics.map(formatDiagnostic).join('\n'));
  return result.output;
}

const onExit = { container: 'curlimages/curl:8.8.0', commands: ['echo ${{ run.status }}'] };

describe('lowering compensate and onExit', () => {
  it('asks the runs function, with its IAM, and registers a task definition for each action image', () => {
    // Act
    const compiled = output({
      stages: [
        { name: 's', jobs: [job('a', { compensate: { container: 'busybox:1', commands: ['true'] } })] },
      ],
      onExit,
    });

    // Assess
    expect(compiled.substitutions.map((s) => s.name)).toContain('RunsFunctionArn');
    expect(compiled.permissions.find((p) => p.sid === 'InvokeRuns')).toStrictEqual({
      sid: 'InvokeRuns',
      actions: ['lambda:InvokeFunction'],
      resources: ['${RunsFunctionArn}'],
    });
    expect(compiled.taskDefinitions.map((t) => t.image).sort()).toStrictEqual([
      'alpine:3.20',
      'busybox:1',
      'curlimages/curl:8.8.0',
    ]);
  });

  it('names every new state in the state map with its role, job and record entry', () => {
    // Act
    const { stateMap } = output({
      timeout: '1h',
      stages: [
        { name: 's', jobs: [job('a', { compensate: { container: 'busybox:1', commands: ['true'] } })] },
      ],
      onExit: { ...onExit, name: 'notify' },
    });

    // Assess
    expect(stateMap['run timer']).toStrictEqual({ role: 'gate' });
    expect(stateMap['run body done']).toStrictEqual({ role: 'release' });
    expect(stateMap.compensations).toStrictEqual({ role: 'compensations' });
    expect(stateMap['a compensate']).toStrictEqual({
      job: 'a',
      role: 'compensate',
      kind: 'container',
      action: 'a-compensate',
    });
    expect(stateMap['onExit notify']).toStrictEqual({ role: 'onExit', kind: 'container', action: 'notify' });
    for (const name of ['run body', 'body succeeded', 'body failed', 'compensate', 'run end', 'run ended'])
      expect(stateMap[name]?.role).toBe('structure');
  });

  it('moves spec.timeout from the machine to the run timer when there is an exit path', () => {
    // Act
    const plain = output({ timeout: '1h', stages: [{ name: 's', jobs: [job('a')] }] });
    const guarded = output({ timeout: '1h', stages: [{ name: 's', jobs: [job('a')] }], onExit });

    // Assess
    expect(plain.asl.TimeoutSeconds).toBe(3600);
    expect(guarded.asl.TimeoutSeconds).toBeUndefined();
    const timer = guarded.asl.States['run body'];
    expect(timer?.Type === 'Parallel' ? timer.Branches[1]?.States['run timer'] : undefined).toMatchObject({
      TimeoutSeconds: 3600,
    });
  });

  it('gives an action named like a job an entry of its own', () => {
    // Act
    const { stateMap } = output({
      stages: [{ name: 's', jobs: [job('notify')] }],
      onExit: { ...onExit, name: 'notify' },
    });

    // Assess
    expect(stateMap['onExit notify (onExit)']?.action).toBe('notify (onExit)');
  });

  it('reports needs in onExit as WF4002: the run body has left no job results in the state', () => {
    // Act
    const result = compile({
      stages: [{ name: 's', jobs: [job('a', { outputs: ['v'] })] }],
      onExit: { container: 'alpine:3.20', commands: ['echo ${{ needs.a.outputs.v }}'] },
    });

    // Assess
    expect(result.diagnostics.map(formatDiagnostic)).toStrictEqual([
      'wf.yaml:18:9 WF4002 job "on-exit": "needs.a.outputs.v" has no value in the state machine',
    ]);
  });
});
