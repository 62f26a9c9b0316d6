import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { simulate } from '../../bench/simulator/index.js';
import { compileWorkflow } from '../../compiler/index.js';
import { root } from '../support/files.js';

function compiled(name: string) {
  const text = readFileSync(join(root, 'test/fixtures', name, 'workflow.yaml'), 'utf8');
  const { output } = compileWorkflow(text, `${name}.yaml`);
  if (output === undefined) throw new Error(`${name} does not compile`);
  return output;
}

describe('the simulator on workflows with compensate and onExit', () => {
  it.each(['compensation', 'on-exit'])('runs %s to success without compensating', (name) => {
    // Prepare
    const output = compiled(name);

    const input = { params: { environment: 'staging' }, run: { id: 'sim-run' }, jobs: {} };

    // Act
    const result = simulate(output.asl, {
      stateMap: output.stateMap,
      durations: () => 10,
      gateLatency: 1,
      input,
    });

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(result.states.get('compensations')).toBeUndefined();
    const onExit = Object.entries(output.stateMap).filter(([, info]) => info.role === 'onExit');
    for (const [state] of onExit) expect(result.states.get(state)?.entered).toBe(1);
  });

  it('ends the run timer with the body: the makespan is the jobs, the release and onExit', () => {
    // Prepare: build then test, 10 s each; the run may take 2 hours.
    const output = compiled('on-exit');

    // Act
    const result = simulate(output.asl, { stateMap: output.stateMap, durations: () => 10, gateLatency: 1 });

    // Assess: 20 s of jobs, 1 s for the timer's release, 1 s for the onExit call.
    expect(result.makespan).toBe(22);
  });
});
