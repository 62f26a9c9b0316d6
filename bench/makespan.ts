/**
 * `npm run bench:makespan`: compiles every corpus DAG and ~20 random layered DAGs with the exact
 * and the stage-barrier lowering, runs them on the virtual-clock simulator, and checks the
 * makespan, history, transition and size targets. Prints a table and PASS/FAIL lines and writes
 * bench/MAKESPAN.md. A bench reports; it never fails the build.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { compileWorkflow } from '../compiler/compile/compile.js';
import { instanceToWorkflow, loadInstances, type WfInstance } from '../test/support/corpus.js';
import { checkDag, checkSummary, summarize } from './simulator/checks.js';
import type { DagJob } from './simulator/dag.js';
import { layeredDag } from './simulator/layered-dag.js';
import {
  type BenchDag,
  type CompileFn,
  type DagFigures,
  measureDag,
  type Reference,
} from './simulator/measure.js';
import { repoRoot } from './simulator/repo-root.js';
import { checkLines, markdownRoleTable, markdownTable, summaryLines, textTable } from './simulator/report.js';

const LAYERED_DAGS = 20;

/** A DAG as a workflow, its jobs renamed to the workflow's job names. */
function benchDag(instance: WfInstance, source: BenchDag['source'], reference?: Reference): BenchDag {
  const { yaml, runtimes } = instanceToWorkflow(instance);
  const names = [...runtimes.keys()];
  if (names.length !== instance.jobs.length)
    throw new Error(`${instance.name}: job names are not one per job`);
  const nameOf = new Map(instance.jobs.map((job, i) => [job.id, names[i] as string]));
  const jobs: DagJob[] = instance.jobs.map((job) => ({
    id: nameOf.get(job.id) as string,
    runtimeSeconds: job.runtimeSeconds,
    parents: job.parents.map((p) => nameOf.get(p) as string),
  }));
  return { name: instance.name, source, jobs, yaml, ...(reference === undefined ? {} : { reference }) };
}

function corpusDags(root: string): BenchDag[] {
  const dir = join(root, '..', 'shared', 'corpus', 'wfinstances');
  const instances = existsSync(dir) ? loadInstances(dir) : undefined;
  if (instances === undefined) {
    console.log(`Corpus DAGs skipped: no WfInstances corpus at ${dir}.`);
    return [];
  }
  const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as {
    instances: Array<{ name: string } & Reference>;
  };
  const references = new Map(index.instances.map((entry) => [entry.name, entry]));
  return instances.map((instance) => benchDag(instance, 'corpus', references.get(instance.name)));
}

/** 50 to 2,000 jobs, log-spaced, seeds 1 to 20. */
function layeredDags(): BenchDag[] {
  return Array.from({ length: LAYERED_DAGS }, (_, k) => {
    const jobs = Math.round(50 * 40 ** (k / (LAYERED_DAGS - 1)));
    return benchDag(layeredDag({ jobs, seed: k + 1 }), 'layered');
  });
}

const compile: CompileFn = (yaml, lowering) => compileWorkflow(yaml, 'bench.yaml', { lowering });

function machine(): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  return `${cpu}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${process.platform}`;
}

function markdown(
  figures: ReadonlyArray<DagFigures>,
  lines: { summary: string[]; checks: string[] },
): string {
  const failed = lines.checks.filter((line) => line.startsWith('FAIL'));
  return `# Makespan bench

Command: \`npm run bench:makespan\` (\`bench/makespan.ts\`). Date: ${new Date().toISOString()}.
Machine: ${machine()}.

Every DAG of \`../shared/corpus/wfinstances/\` (recorded runtimes) and ${LAYERED_DAGS} seeded random layered DAGs
(50 to 2,000 jobs, runtimes log-uniform from 1 s to 30 min) is compiled with the exact and the
stage-barrier lowering and run on the virtual-clock simulator (\`bench/simulator/\`), every job
succeeding at its first attempt. Latencies: S is added to each ECS task, g to each gate answer
and each Lambda call (a \`done\` release). "ours s" and "barrier s" are at S = 0, g = 1 s;
"S20" columns at S = 20 s, g = 1 s. "CP gates": gates of the jobs on the critical path.
History events and transitions are those of one run (history events counted per state type as
Step Functions writes them, see \`bench/simulator/history.ts\`). Definition bytes: the compact
JSON of every state machine (the workflow's and its parts').

## Summary

${lines.summary.map((line, i) => (i === 0 ? line : `- ${line.trim()}`)).join('\n')}

## Per DAG

"CP gates" and "CP rel.": gates and \`done\` releases of the jobs on the critical path. "max
events est./sim.": the compiler's estimate and the simulated count of the largest execution's
history (the figure the 25,000-event quota applies to); "events/job" counts every execution.

${markdownTable(figures)}

## Where transitions and history events go

Per job, by state role (exact lowering, one run): transitions / history events. "execution":
each execution's ExecutionStarted and ExecutionSucceeded.

${markdownRoleTable(figures)}

## How the checks read

- "critical path + g x gates on it" counts the gates of the critical path's jobs only. A \`done\`
  release on the critical path also takes g (a Lambda call) before what follows it in its
  branch, so a path through gated jobs can exceed it by g per release.
- "heaviest path of S + runtime + g per gate and release" weighs each job with S, its runtime
  and g for each of its gate and release states: the tightest bound an exact lowering can meet
  with these latencies. Meeting it in every setting means no false waits.
- "never worse than the stage barrier" is checked in every setting; with g > 0 and a DAG whose
  stage barrier costs (almost) nothing over its critical path, gates can cost more than levels.
  A failing line says where the critical path's gates wait. A gate "on the critical edge itself"
  waits for the parent that ends last (recorded runtimes), or less than g before the nested
  parent: g, or part of it, follows that end wherever the gate waits, and only gating another
  edge (which needs the runtimes the compiler does not have) would avoid it. A gate "after a
  nested parent that ends at least g later" could hide its g by waiting beside that parent in a
  Parallel state of its own: one transition more per run.
  The summary's "gates waiting beside the task before them" gives that cost for every gate that
  follows a task (a lower bound: gates that start a branch would need more).

## Checks

${failed.length} of ${lines.checks.length} checks failed.

${lines.checks.map((line) => `- ${line}`).join('\n')}
`;
}

function main(): void {
  const root = repoRoot();
  const dags = [...corpusDags(root), ...layeredDags()];
  const figures = dags.map((dag) => {
    const started = performance.now();
    const measured = measureDag(dag, compile);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(
      `${dag.name}: ${dag.jobs.length} jobs, measured in ${seconds} s${measured.errors.length > 0 ? ' (errors)' : ''}`,
    );
    return measured;
  });
  const summary = summarize(figures);
  const checks = checkLines([...figures.flatMap(checkDag), ...checkSummary(summary)]);
  const summaryText = summaryLines(summary);
  console.log(`\n${textTable(figures)}\n\n${checks.join('\n')}\n\n${summaryText.join('\n')}`);
  const file = join(root, 'bench', 'MAKESPAN.md');
  writeFileSync(file, markdown(figures, { summary: summaryText, checks }));
  console.log(
    `\nWrote ${file}. ${checks.filter((c) => c.startsWith('FAIL')).length} FAIL lines (a bench reports; it does not fail).`,
  );
}

main();
