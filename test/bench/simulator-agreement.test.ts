import '../support/promise-polyfill.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { simulate } from '../../bench/simulator/index.js';
import { type CompileOptions, compileWorkflow } from '../../compiler/index.js';
import { root } from '../support/files.js';
import { runCompiled } from '../support/local-sfn.js';

// Pairs of events this far apart in the simulation must come in the same order in
// aws-local-stepfunctions: closer ones may swap with timer jitter, which says nothing.
const MARGIN_MS = 60;

interface Point {
  readonly key: string;
  readonly at: number;
}

function compiled(name: string) {
  const dir = join(root, 'test/fixtures', name);
  const optionsFile = join(dir, 'options.json');
  let options: CompileOptions = {};
  try {
    options = JSON.parse(readFileSync(optionsFile, 'utf8'));
  } catch {
    // No options for this case.
  }
  const result = compileWorkflow(readFileSync(join(dir, 'workflow.yaml'), 'utf8'), `${name}.yaml`, options);
  if (result.output === undefined) throw new Error(`${name} does not compile`);
  return result.output;
}

/** Distinct durations, far enough apart that the order of ends is never a coin toss. */
function durationsMs(jobs: ReadonlyArray<string>): Map<string, number> {
  return new Map(jobs.map((job, i) => [job, 150 + 170 * ((i * 7) % jobs.length)]));
}

describe('the simulator and aws-local-stepfunctions', () => {
  it.each(['n-shape', 'diamond', 'wide-fan-out', 'stages-default-barrier', 'split'])(
    'start and end the jobs of %s in the same order',
    async (name) => {
      // Prepare
      const output = compiled(name);
      const jobs = [
        ...new Set(
          Object.values(output.stateMap).flatMap((info) =>
            info.role === 'run' && info.job !== undefined ? [info.job] : [],
          ),
        ),
      ];
      const ms = durationsMs(jobs);
      const children = new Map(output.children.map((c) => [c.name, c.asl]));

      // Act
      const simulated = simulate(output.asl, {
        stateMap: output.stateMap,
        children,
        durations: (job) => (ms.get(job) ?? 0) / 1000,
      });
      const run = await runCompiled(output, {
        timeScale: 1,
        jobs: Object.fromEntries(jobs.map((job) => [job, { durationMs: ms.get(job) ?? 0 }])),
      });

      // Assess
      expect(simulated.status).toBe('SUCCEEDED');
      expect(run.status).toBe('SUCCEEDED');
      const sim: Point[] = [...simulated.jobs].flatMap(([job, t]) => [
        { key: `${job} start`, at: t.start * 1000 },
        { key: `${job} end`, at: t.end * 1000 },
      ]);
      const real = new Map(
        run.events.filter((e) => e.kind !== 'stop').map((e) => [`${e.job} ${e.kind}`, e.at]),
      );
      const disagreements: string[] = [];
      for (const a of sim) {
        for (const b of sim) {
          if (b.at - a.at < MARGIN_MS) continue;
          const ra = real.get(a.key);
          const rb = real.get(b.key);
          if (ra === undefined || rb === undefined || ra > rb) disagreements.push(`${a.key} before ${b.key}`);
        }
      }
      expect(disagreements).toStrictEqual([]);
    },
  );
});
