/**
 * `npm run bench:compile`: compile time of generated workflows of 100, 1,000 and 10,000 jobs
 * (2 to 4 `needs` per job, `bench/generate.ts`), the median of several runs after a warm-up, and
 * the log-log slope of time against size; then, apart from those runs, the time of each phase.
 * Two workloads: the bare DAG (jobs with an image, a command and their needs), which the
 * targets apply to, and the same kind of DAG with every job feature, reported beside it.
 * Prints PASS/FAIL lines and writes bench/COMPILE.md.
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { checkExpressions } from '../compiler/check/expressions.js';
import { compile, compileWorkflow } from '../compiler/compile/compile.js';
import type { CompileResult } from '../compiler/compile/output.js';
import { checkGraph } from '../compiler/graph/check-graph.js';
import { flowFacts } from '../compiler/lower/flow.js';
import { buildNodeGraph } from '../compiler/lower/nodes.js';
import { planExact } from '../compiler/lower/plan.js';
import { normalize } from '../compiler/normalize/normalize.js';
import { parse } from '../compiler/parse/parse.js';
import { validate } from '../compiler/validate/validate.js';
import { generateWorkflow } from './generate.js';
import { repoRoot } from './simulator/repo-root.js';

const SIZES = [100, 1_000, 10_000] as const;
const RUNS = 15;
/**
 * Untimed runs first, at least this many and this long: V8 takes about eight compiles of a
 * 1,000-job workflow to optimise the passes for it (the runs before are 2 to 3 times slower),
 * so three warm-up runs left half the timed runs still warming. The first run is reported apart.
 */
const WARM_UP = 10;
const WARM_UP_MS = 1_000;
/** Past this, a size is measured once (its warm-up run) instead of RUNS times. */
const BUDGET_MS = 10_000;
/** Targets in milliseconds, by job count. */
const TARGETS: ReadonlyMap<number, number> = new Map([
  [1_000, 50],
  [10_000, 1_000],
]);

/** Runs of each phase, timed apart from the headline runs. */
const PHASE_RUNS = 3;
const PHASES = [
  'parse',
  'validate',
  'normalize',
  'graph',
  'expressions',
  'plan',
  'lower',
  'split',
  'serialize',
] as const;
type Phase = (typeof PHASES)[number];

/** What each phase covers, for the report. */
const PHASE_NOTES: Record<Phase, string> = {
  parse: 'YAML to data (js-yaml), the checks that pick the fast path',
  validate: 'the zod schema, job kinds inferred',
  normalize: 'the IR: units, templates and expressions parsed',
  graph: 'names, cycles, topological order, ancestor bitsets',
  expressions: 'every name in every expression resolved',
  plan: 'node graph, series-parallel plan with gates, flow facts',
  lower:
    'the whole plan lowered to ASL once, unsplit, and measured (the JSON size of each state counted once)',
  split: 'past 800 KB or 20,000 events: the split plan lowered again, its machines measured, the stats',
  serialize: 'JSON.stringify of every definition, as a deployer writes them (not in the headline)',
};

/** Limits no machine reaches: `compile` lowers once and never splits. */
const NO_SPLIT = {
  at: { definitionBytes: Number.POSITIVE_INFINITY, historyEvents: Number.POSITIVE_INFINITY },
  part: { definitionBytes: Number.POSITIVE_INFINITY, historyEvents: Number.POSITIVE_INFINITY },
};

type Detail = 'plain' | 'full';

/** The workloads, in report order; the targets apply to the first. */
const WORKLOADS: ReadonlyArray<{ readonly detail: Detail; readonly title: string; readonly what: string }> = [
  {
    detail: 'plain',
    title: 'DAG (the targets)',
    what: 'jobs with an image, one command and their `needs`: the DAG itself, as the issue states the target',
  },
  {
    detail: 'full',
    title: 'full jobs (no target)',
    what: 'the same kind of DAG, each job with env, resources, a timeout, half of them a retry (a third of those a linear loop), a quarter outputs, some a condition or `continueOnFailure`',
  },
];

interface Measure {
  readonly detail: Detail;
  readonly jobs: number;
  readonly bytes: number;
  readonly medianMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  /** The first compile of this size in the process, before any warm-up. */
  readonly firstMs: number;
  readonly runs: number;
  readonly result: CompileResult;
  /** Median time of each phase, in milliseconds. */
  readonly phases: Record<Phase, number>;
}

function median(values: ReadonlyArray<number>): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

function measure(jobs: number, detail: Detail): Measure {
  const text = generateWorkflow({ jobs, seed: 1, detail });
  const file = `generated-${jobs}.yaml`;
  const times: number[] = [];
  const timed = (): CompileResult => {
    const started = performance.now();
    const result = compileWorkflow(text, file, { lowering: 'exact' });
    times.push(performance.now() - started);
    return result;
  };
  let result = timed();
  const first = times[0] ?? 0;
  // A size that is far over its target gets one sample, its warm-up run, rather than minutes of runs.
  const runs = first > BUDGET_MS ? 0 : RUNS;
  const warming = performance.now();
  for (let i = 1; runs > 0 && (i < WARM_UP || performance.now() - warming < WARM_UP_MS); i++) timed();
  if (runs > 0) times.length = 0;
  for (let i = 0; i < runs; i++) {
    result = timed();
    process.stderr.write(
      `  ${detail} ${jobs} jobs, run ${i + 1}/${runs}: ${(times.at(-1) ?? 0).toFixed(0)} ms\n`,
    );
  }
  const phaseRuns = Array.from({ length: PHASE_RUNS }, () => timePhases(text, file));
  const phases = Object.fromEntries(
    PHASES.map((phase) => [phase, median(phaseRuns.map((run) => run[phase]))]),
  ) as Record<Phase, number>;
  return {
    detail,
    jobs,
    bytes: text.length,
    medianMs: median(times),
    minMs: Math.min(...times),
    maxMs: Math.max(...times),
    firstMs: first,
    runs: times.length,
    result,
    phases,
  };
}

/**
 * One compile, phase by phase, through the same passes `compileWorkflow` runs. The lowering is
 * inside `compile`: `lower` is `compile` without splitting minus the plan, and `split` is the
 * default `compile` minus `compile` without splitting.
 */
function timePhases(text: string, file: string): Record<Phase, number> {
  const timed = <T>(run: () => T): { value: T; ms: number } => {
    const started = performance.now();
    const value = run();
    return { value, ms: performance.now() - started };
  };
  const parsed = timed(() => parse(text, file).parsed);
  const parsedFile = parsed.value;
  if (parsedFile === undefined) throw new Error(`${file} does not parse`);
  const { source } = parsedFile;
  const raw = timed(() => validate(parsedFile).workflow);
  const rawWorkflow = raw.value;
  if (rawWorkflow === undefined) throw new Error(`${file} does not validate`);
  const normalized = timed(() => normalize(rawWorkflow, source).workflow);
  const workflow = normalized.value;
  const graphed = timed(() => checkGraph(workflow, source).graph);
  const graph = graphed.value;
  if (graph === undefined) throw new Error(`${file} has graph errors`);
  const expressions = timed(() => checkExpressions(workflow, graph, source));
  const plan = timed(() => {
    const nodes = buildNodeGraph(workflow, graph);
    return flowFacts(workflow, nodes, planExact(nodes));
  });
  const unsplit = () => compile(workflow, graph, source, { lowering: 'exact', split: NO_SPLIT });
  // Untimed: each timed compile then follows the garbage of a compile, as the next one does.
  unsplit();
  const once = timed(unsplit);
  const whole = timed(() => compile(workflow, graph, source, { lowering: 'exact' }).output);
  const machines = [whole.value?.asl, ...(whole.value?.children ?? []).map((c) => c.asl)];
  const serialized = timed(() => machines.map((machine) => JSON.stringify(machine)));
  return {
    parse: parsed.ms,
    validate: raw.ms,
    normalize: normalized.ms,
    graph: graphed.ms,
    expressions: expressions.ms,
    plan: plan.ms,
    // Differences of two timings: noise could make one below zero.
    lower: Math.max(0, once.ms - plan.ms),
    split: Math.max(0, whole.ms - once.ms),
    serialize: serialized.ms,
  };
}

function phaseTable(measures: ReadonlyArray<Measure>): string[] {
  const rows = PHASES.map(
    (phase) =>
      `| ${phase} | ${measures.map((m) => m.phases[phase].toFixed(1)).join(' | ')} | ${PHASE_NOTES[phase]} |`,
  );
  return [
    `| phase | ${measures.map((m) => `${m.jobs.toLocaleString('en-US')} jobs`).join(' | ')} | what |`,
    `|---|${measures.map(() => '---:').join('|')}|---|`,
    ...rows,
  ];
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
    m.firstMs.toFixed(1),
    shape,
  ];
}

/** PASS/FAIL lines: the time targets on the DAG workload, near-linear growth on both. */
function checks(workload: Detail, measures: ReadonlyArray<Measure>, slope: number): string[] {
  const lines = measures.flatMap((m) => {
    const compiled =
      m.result.output === undefined ? [`FAIL ${workload} ${m.jobs} jobs: compiles (it gives no output)`] : [];
    const limit = TARGETS.get(m.jobs);
    if (limit === undefined || workload !== 'plain') return compiled;
    const verdict = m.medianMs <= limit ? 'PASS' : 'FAIL';
    return [`${verdict} DAG, ${m.jobs} jobs: median ${m.medianMs.toFixed(1)} ms <= ${limit} ms`, ...compiled];
  });
  const near = slope <= 1.2 ? 'PASS' : 'FAIL';
  const name = workload === 'plain' ? 'DAG' : 'full jobs';
  return [...lines, `${near} ${name}, growth near linear: log-log slope ${slope.toFixed(2)} <= 1.2`];
}

interface WorkloadResult {
  readonly title: string;
  readonly what: string;
  readonly measures: ReadonlyArray<Measure>;
  readonly slope: number;
  readonly lines: ReadonlyArray<string>;
}

function section(result: WorkloadResult): string {
  const rows = result.measures.map((m) => `| ${describe(m).join(' | ')} |`);
  return `## ${result.title}

${result.what}.

| jobs | YAML | median ms | min-max ms | first run ms | output |
|---:|---:|---:|---:|---:|---|
${rows.join('\n')}

Log-log slope of the median time against the job count: **${result.slope.toFixed(2)}** (1 is linear;
least squares over the sizes). Between consecutive sizes: ${pairwiseSlopes(result.measures).join(', ')}.

${result.lines.map((line) => `- ${line}`).join('\n')}

Where the time goes: each phase timed on its own, median of ${PHASE_RUNS} runs per size, in
milliseconds, apart from the runs above (their sum is near the headline median, not equal to
it: other runs, other garbage collections). \`lower\` and \`split\` are differences of two
\`compile\` timings.

${phaseTable(result.measures).join('\n')}
`;
}

function markdown(results: ReadonlyArray<WorkloadResult>): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  return `# Compile bench

Command: \`npm run bench:compile\` (\`bench/compile.ts\`). Date: ${new Date().toISOString()}.
Machine: ${cpu}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${process.platform};
1-minute load ${loadavg()[0]?.toFixed(2)} at the end of the run.

\`compileWorkflow(text, file, { lowering: 'exact' })\` on \`generateWorkflow({ jobs, seed: 1, detail })\`
(2 to 4 \`needs\` per job among the 200 jobs before it, no stage barriers): parse to ASL and
stats, in process. Median of ${RUNS} runs after warm-up runs (at least ${WARM_UP}, and at least
${WARM_UP_MS / 1000} s of them): the targets are for a compiler V8 has optimised. \`first run\` is the first
compile of that size in the process (after the smaller sizes), before any warm-up: what a single
\`waterflow compile\` of a new size pays on top, module loading aside. A size whose first run
takes more than ${BUDGET_MS / 1000} s is reported from that run alone ("one run"). Targets (issue 3):
1,000 jobs in at most 50 ms, 10,000 in at most 1 s, growth near linear.

${results.map(section).join('\n')}`;
}

function main(): void {
  const results = WORKLOADS.map(({ detail, title, what }): WorkloadResult => {
    const measures = SIZES.map((jobs) => {
      const m = measure(jobs, detail);
      console.log(`${detail}  ${describe(m).join('  ')}`);
      return m;
    });
    const slope = logLogSlope(measures);
    const lines = checks(detail, measures, slope);
    console.log(
      `\n${title}: log-log slope ${slope.toFixed(2)} (${pairwiseSlopes(measures).join(', ')})\n${lines.join('\n')}`,
    );
    console.log(`\nPhases, median of ${PHASE_RUNS} runs (ms):\n${phaseTable(measures).join('\n')}\n`);
    return { title, what, measures, slope, lines };
  });
  const file = join(repoRoot(), 'bench', 'COMPILE.md');
  writeFileSync(file, markdown(results));
  console.log(`Wrote ${file}.`);
}

main();
