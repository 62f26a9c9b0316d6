/**
 * `npm run bench:compile`: compile time of generated workflows of 100, 1,000 and 10,000 jobs
 * (2 to 4 `needs` per job, `bench/generate.ts`), the median of several runs after a warm-up, and
 * the log-log slope of time against size. Prints PASS/FAIL lines and writes bench/COMPILE.md.
 */
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { compileWorkflow } from '../compiler/compile/compile.js';
import type { CompileResult } from '../compiler/compile/output.js';
import { generateWorkflow } from './generate.js';
import { repoRoot } from './simulator/repo-root.js';

const SIZES = [100, 1_000, 10_000] as const;
const RUNS = 5;
/** Past this, a size is measured once (its warm-up run) instead of RUNS times. */
const BUDGET_MS = 10_000;
/** Targets in milliseconds, by job count. */
const TARGETS: ReadonlyMap<number, number> = new Map([
  [1_000, 50],
  [10_000, 1_000],
]);

interface Measure {
  readonly jobs: number;
  readonly bytes: number;
  readonly medianMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  readonly runs: number;
  readonly result: CompileResult;
}

function median(values: ReadonlyArray<number>): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

function measure(jobs: number): Measure {
  const text = generateWorkflow({ jobs, seed: 1 });
  const file = `generated-${jobs}.yaml`;
  const times: number[] = [];
  const timed = (): CompileResult => {
    const started = performance.now();
    const result = compileWorkflow(text, file, { lowering: 'exact' });
    times.push(performance.now() - started);
    return result;
  };
  let result = timed();
  const warmUp = times[0] ?? 0;
  // A size that is far over its target gets one sample, its warm-up run, rather than minutes of runs.
  const runs = warmUp > BUDGET_MS ? 0 : RUNS;
  if (runs > 0) times.length = 0;
  for (let i = 0; i < runs; i++) {
    result = timed();
    process.stderr.write(`  ${jobs} jobs, run ${i + 1}/${runs}: ${(times.at(-1) ?? 0).toFixed(0)} ms\n`);
  }
  return {
    jobs,
    bytes: text.length,
    medianMs: median(times),
    minMs: Math.min(...times),
    maxMs: Math.max(...times),
    runs: times.length,
    result,
  };
}

/** The slope between each pair of consecutive sizes: where growth turns superlinear. */
function pairwiseSlopes(measures: ReadonlyArray<Measure>): string[] {
  return measures.slice(1).map((m, i) => {
    const previous = measures[i] as Measure;
    const slope = Math.log(m.medianMs / previous.medianMs) / Math.log(m.jobs / previous.jobs);
    return `${previous.jobs}->${m.jobs} jobs: ${slope.toFixed(2)}`;
  });
}

/** Least-squares slope of log(time) against log(jobs): 1 is linear, 2 quadratic. */
function logLogSlope(measures: ReadonlyArray<Measure>): number {
  const points = measures.map((m) => [Math.log(m.jobs), Math.log(m.medianMs)] as const);
  const mx = points.reduce((s, [x]) => s + x, 0) / points.length;
  const my = points.reduce((s, [, y]) => s + y, 0) / points.length;
  const sxy = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  const sxx = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  return sxy / sxx;
}

function describe(m: Measure): string[] {
  const errors = m.result.diagnostics.filter((d) => d.severity === 'error');
  const { output } = m.result;
  const stats = output?.stats;
  const bytes = [output?.asl, ...(output?.children ?? []).map((c) => c.asl)].reduce(
    (sum, asl) => sum + (asl === undefined ? 0 : Buffer.byteLength(JSON.stringify(asl))),
    0,
  );
  const shape =
    stats === undefined
      ? `no output: ${errors.map((d) => `${d.code} ${d.message}`).join('; ')}`
      : `${stats.states} states, ${stats.gates} gates, ${stats.parts} parts, ${(bytes / 1024).toFixed(0)} KiB of definitions`;
  return [
    m.jobs.toLocaleString('en-US'),
    `${(m.bytes / 1024).toFixed(0)} KiB`,
    m.medianMs.toFixed(1),
    m.runs === 1 ? 'one run' : `${m.minMs.toFixed(1)}-${m.maxMs.toFixed(1)}`,
    shape,
  ];
}

function checks(measures: ReadonlyArray<Measure>, slope: number): string[] {
  const lines = measures.flatMap((m) => {
    const limit = TARGETS.get(m.jobs);
    if (limit === undefined) return [];
    const verdict = m.medianMs <= limit ? 'PASS' : 'FAIL';
    const compiled =
      m.result.output === undefined ? `FAIL ${m.jobs} jobs: compiles (it gives no output)` : undefined;
    return [
      `${verdict} ${m.jobs} jobs: median ${m.medianMs.toFixed(1)} ms <= ${limit} ms`,
      ...(compiled === undefined ? [] : [compiled]),
    ];
  });
  const near = slope <= 1.2 ? 'PASS' : 'FAIL';
  return [...lines, `${near} growth near linear: log-log slope ${slope.toFixed(2)} <= 1.2`];
}

function markdown(measures: ReadonlyArray<Measure>, slope: number, lines: ReadonlyArray<string>): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const rows = measures.map((m) => `| ${describe(m).join(' | ')} |`);
  return `# Compile bench

Command: \`npm run bench:compile\` (\`bench/compile.ts\`). Date: ${new Date().toISOString()}.
Machine: ${cpu}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${process.platform}.

\`compileWorkflow(text, file, { lowering: 'exact' })\` on \`generateWorkflow({ jobs, seed: 1 })\`
(2 to 4 \`needs\` per job among recent jobs, no stage barriers): parse to ASL and stats, in
process. Median of ${RUNS} runs after one warm-up run; a size whose warm-up run takes more than
${BUDGET_MS / 1000} s is reported from that run alone ("one run").

| jobs | YAML | median ms | min-max ms | output |
|---:|---:|---:|---:|---|
${rows.join('\n')}

Log-log slope of the median time against the job count: **${slope.toFixed(2)}** (1 is linear;
least squares over the sizes). Between consecutive sizes: ${pairwiseSlopes(measures).join(', ')}.

${lines.map((line) => `- ${line}`).join('\n')}
`;
}

function main(): void {
  const measures = SIZES.map((jobs) => {
    const m = measure(jobs);
    console.log(describe(m).join('  '));
    return m;
  });
  const slope = logLogSlope(measures);
  const lines = checks(measures, slope);
  console.log(
    `\nlog-log slope: ${slope.toFixed(2)} (${pairwiseSlopes(measures).join(', ')})\n${lines.join('\n')}`,
  );
  const file = join(repoRoot(), 'bench', 'COMPILE.md');
  writeFileSync(file, markdown(measures, slope, lines));
  console.log(`\nWrote ${file}.`);
}

main();
