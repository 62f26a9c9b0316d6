/**
 * `npm run bench:validate`: the time `validateWorkflow` takes on generated workflows of 1,000,
 * 5,000 and 10,000 jobs (`bench/generate.ts`: 2 to 4 `needs` per job), as the median and p95 of
 * 20 runs after 3 warm-ups, then the median time of each front pass. Prints a table and, with
 * `--write FILE`, a Markdown report. A benchmark, not a test: the 500 ms target for 5,000 jobs
 * is reported, never asserted.
 *
 *   npm run bench:validate -- --runs 30 --sizes 1000,5000 --barriers
 */
import { writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { checkExpressions } from '../compiler/check/expressions.js';
import { checkGraph } from '../compiler/graph/check-graph.js';
import { normalize } from '../compiler/normalize/normalize.js';
import { parse } from '../compiler/parse/parse.js';
import { validate } from '../compiler/validate/validate.js';
import { validateWorkflow } from '../compiler/validate-workflow.js';
import { generateWorkflow } from './generate.js';

const TARGET_JOBS = 5_000;
const TARGET_MS = 500;
const PASSES = ['parse', 'validate', 'normalize', 'graph', 'expressions'] as const;
type Pass = (typeof PASSES)[number];

interface Options {
  readonly sizes: ReadonlyArray<number>;
  readonly runs: number;
  readonly warmUps: number;
  /** Runs of the per-pass breakdown, which is slower to take. */
  readonly passRuns: number;
  /** Also measure each size with stage barriers (every stage waits for the whole previous one). */
  readonly barriers: boolean;
  readonly write: string | undefined;
}

function readOptions(args: ReadonlyArray<string>): Options {
  const value = (flag: string): string | undefined => {
    const at = args.indexOf(flag);
    return at === -1 ? undefined : args[at + 1];
  };
  const count = (flag: string, fallback: number): number => {
    const n = Number(value(flag) ?? fallback);
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`${flag} takes a positive integer`);
    return n;
  };
  return {
    sizes: (value('--sizes') ?? '1000,5000,10000').split(',').map(Number),
    runs: count('--runs', 20),
    warmUps: count('--warm-ups', 3),
    passRuns: count('--pass-runs', 5),
    barriers: args.includes('--barriers'),
    write: value('--write'),
  };
}

interface Stats {
  readonly median: number;
  readonly p95: number;
  readonly min: number;
}

function stats(times: ReadonlyArray<number>): Stats {
  const sorted = [...times].sort((a, b) => a - b);
  // Nearest rank: the smallest time that at least 95% of the runs do not exceed.
  const rank = (q: number): number => sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] ?? 0;
  return { median: rank(0.5), p95: rank(0.95), min: sorted[0] ?? 0 };
}

/** Runs the front passes one by one, as `validateWorkflow` does, timing each. */
function timePasses(text: string, file: string): Record<Pass, number> {
  const t0 = performance.now();
  const parsed = parse(text, file).parsed;
  const t1 = performance.now();
  if (parsed === undefined) throw new Error(`${file} does not parse`);
  const raw = validate(parsed).workflow;
  const t2 = performance.now();
  if (raw === undefined) throw new Error(`${file} does not validate`);
  const { workflow } = normalize(raw, parsed.source);
  const t3 = performance.now();
  const { graph } = checkGraph(workflow, parsed.source);
  const t4 = performance.now();
  if (graph === undefined) throw new Error(`${file} has graph errors`);
  checkExpressions(workflow, graph, parsed.source);
  const t5 = performance.now();
  return { parse: t1 - t0, validate: t2 - t1, normalize: t3 - t2, graph: t4 - t3, expressions: t5 - t4 };
}

interface Row {
  readonly label: string;
  readonly jobs: number;
  readonly bytes: number;
  readonly total: Stats;
  readonly passes: Record<Pass, number>;
}

function measure(label: string, jobs: number, stageBarriers: boolean, options: Options): Row {
  const text = generateWorkflow({ jobs, seed: 1, stageBarriers });
  const file = `generated-${jobs}.yaml`;
  const first = validateWorkflow(text, file);
  if (first.workflow === undefined) {
    const shown = first.diagnostics.slice(0, 3).map((d) => `${d.line}:${d.column} ${d.code} ${d.message}`);
    throw new Error(`the generated workflow is not valid: ${shown.join('; ')}`);
  }
  for (let i = 1; i < options.warmUps; i++) validateWorkflow(text, file);
  const totals: number[] = [];
  for (let i = 0; i < options.runs; i++) {
    const started = performance.now();
    validateWorkflow(text, file);
    totals.push(performance.now() - started);
  }
  const perPass = Array.from({ length: options.passRuns }, () => timePasses(text, file));
  const median = (pass: Pass): number => stats(perPass.map((run) => run[pass])).median;
  const passes = {
    parse: median('parse'),
    validate: median('validate'),
    normalize: median('normalize'),
    graph: median('graph'),
    expressions: median('expressions'),
  };
  return { label, jobs, bytes: text.length, total: stats(totals), passes };
}

const ms = (value: number): string => `${Math.round(value).toLocaleString('en-US')} ms`;
const mb = (bytes: number): string => `${(bytes / 1_048_576).toFixed(1)} MB`;

function table(rows: ReadonlyArray<Row>): string[] {
  const header = ['workflow', 'YAML', 'median', 'p95', 'min', ...PASSES];
  const body = rows.map((row) => [
    row.label,
    mb(row.bytes),
    ms(row.total.median),
    ms(row.total.p95),
    ms(row.total.min),
    ...PASSES.map((pass) => ms(row.passes[pass])),
  ]);
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`,
    ...body.map((cells) => `| ${cells.join(' | ')} |`),
  ];
}

function machine(): string[] {
  const [one, five] = loadavg();
  return [
    `- CPU: ${cpus()[0]?.model ?? 'unknown'}, ${availableParallelism()} cores (nproc), ${mb(totalmem())} RAM`,
    `- Node ${process.version}, ${process.platform}/${process.arch}`,
    `- Load average when the bench started: ${one?.toFixed(2)} (1 min), ${five?.toFixed(2)} (5 min)`,
    `- Date: ${new Date().toISOString()}`,
  ];
}

function main(): void {
  const args = process.argv.slice(2);
  const options = readOptions(args);
  const about = machine();
  const rows: Row[] = [];
  for (const jobs of options.sizes) {
    const variants: Array<[string, boolean]> = [[`${jobs.toLocaleString('en-US')} jobs`, false]];
    if (options.barriers) variants.push([`${jobs.toLocaleString('en-US')} jobs, stage barriers`, true]);
    for (const [label, barriers] of variants) {
      process.stderr.write(`measuring ${label}...\n`);
      rows.push(measure(label, jobs, barriers, options));
    }
  }
  const target = rows.find((row) => row.jobs === TARGET_JOBS && !row.label.includes('barriers'));
  const verdict =
    target === undefined
      ? `No ${TARGET_JOBS.toLocaleString('en-US')}-job row: the target was not measured.`
      : `Target, validating ${TARGET_JOBS.toLocaleString('en-US')} jobs in under ${TARGET_MS} ms: ` +
        `${target.total.median < TARGET_MS ? 'MET' : 'NOT MET'} (median ${ms(target.total.median)}).`;
  const lines = [
    '## validateWorkflow on generated workflows',
    '',
    `Median, p95 and min of ${options.runs} runs after ${options.warmUps} warm-ups; the passes are the`,
    `median of ${options.passRuns} separate runs of each pass (\`parse\`: text to data; positions are only computed for diagnostics).`,
    '',
    ...table(rows),
    '',
    verdict,
    '',
    ...about,
    `- Peak RSS: ${mb(process.resourceUsage().maxRSS * 1024)}`,
    '',
    `Reproduce: \`npm run bench:validate${args.length === 0 ? '' : ` -- ${args.join(' ')}`}\``,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  if (options.write !== undefined) writeFileSync(options.write, `${lines.join('\n')}\n`);
}

main();
