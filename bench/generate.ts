/**
 * A deterministic generator of large, valid Waterflow workflows, for benchmarks and tests.
 * The same options always give the same text: the randomness comes from a seeded PRNG.
 */

export interface GenerateOptions {
  /** How many jobs. */
  readonly jobs: number;
  /** How many stages the jobs are spread over. @default Math.ceil(jobs / 100) */
  readonly stages?: number;
  /** PRNG seed. @default 1 */
  readonly seed?: number;
  /**
   * Keep the default stage barrier (each stage waits for the whole previous one). When false,
   * every stage sets `dependsOn: []` and only `needs` orders the jobs. @default false
   */
  readonly stageBarriers?: boolean;
  /**
   * `full`: each job has env, resources, a timeout, often a retry, sometimes outputs, a
   * condition or `continueOnFailure`. `plain`: an image, one command and the `needs`, the
   * bare DAG, drawn by the same rule (not the same edges: `full` draws more numbers per job).
   * @default 'full'
   */
  readonly detail?: 'full' | 'plain';
}

/** A small, fast, seedable PRNG (mulberry32): returns floats in [0, 1). */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const IMAGES = [
  'golang:1.22',
  'python:3.12-slim',
  'node:20-alpine',
  'amazon/aws-cli:2.17.0',
  '123456789012.dkr.ecr.eu-west-1.amazonaws.com/etl/worker:4.2.1',
];

/** Valid Fargate pairs, written the way people write them. */
const RESOURCES = [
  '{ cpu: "0.25", memory: 512Mi }',
  '{ cpu: "0.5", memory: 1Gi }',
  '{ cpu: "1", memory: 2Gi }',
  '{ cpu: "2", memory: 4Gi, disk: 30Gi }',
  '{ cpu: "4", memory: 8Gi }',
];

const RETRIES = [
  '{ maxAttempts: 3, backoff: exponential, delay: 10s, factor: 2, maxDelay: 5m, jitter: full }',
  '{ maxAttempts: 2, backoff: fixed, delay: 30s }',
  '{ maxAttempts: 5, backoff: linear, delay: 5s, maxDelay: 1m }',
];

const TIMEOUTS = ['90s', '10m', '20m', '1h', '1h30m'];

const OUTPUTS = ['version', 'rows', 'digest'];

interface GeneratedJob {
  readonly name: string;
  readonly outputs: ReadonlyArray<string>;
}

/** Picks `count` distinct indexes in [from, to), in increasing order. */
function pickDistinct(random: () => number, from: number, to: number, count: number): number[] {
  const picked = new Set<number>();
  const wanted = Math.min(count, to - from);
  while (picked.size < wanted) picked.add(from + Math.floor(random() * (to - from)));
  return [...picked].sort((a, b) => a - b);
}

function jobLines(
  random: () => number,
  index: number,
  jobs: ReadonlyArray<GeneratedJob>,
  window: number,
  detail: 'full' | 'plain',
): { lines: string[]; job: GeneratedJob } {
  const pick = <T>(items: ReadonlyArray<T>): T => items[Math.floor(random() * items.length)] as T;
  const name = `job-${index}`;
  // 2 to 4 needs among the last `window` jobs, so that the DAG is deep as well as wide.
  const needs = pickDistinct(random, Math.max(0, index - window), index, 2 + Math.floor(random() * 3)).map(
    (i) => jobs[i] as GeneratedJob,
  );
  const outputs = random() < 0.25 ? OUTPUTS.slice(0, 1 + Math.floor(random() * OUTPUTS.length)) : [];
  const lines = [`        - name: ${name}`, `          container: ${pick(IMAGES)}`];
  if (needs.length > 0) lines.push(`          needs: [${needs.map((n) => n.name).join(', ')}]`);
  if (detail === 'plain') {
    lines.push(`          commands: ["./run.sh --job ${name}"]`);
    return { lines, job: { name, outputs: [] } };
  }
  lines.push(
    '          env:',
    `            JOB_INDEX: "${index}"`,
    '            REGION: "${{ params.region }}"',
    `          resources: ${pick(RESOURCES)}`,
    `          timeout: ${pick(TIMEOUTS)}`,
  );
  if (random() < 0.5) lines.push(`          retry: ${pick(RETRIES)}`);
  if (random() < 0.05) lines.push('          continueOnFailure: true');
  if (random() < 0.05) lines.push(`          if: \${{ params.environment != 'production' }}`);
  // Plain scalars, as people write commands: none holds ": " or " #", which YAML would read.
  const commands = [
    `echo "processing batch ${index} of \${{ params.batchSize }} in \${{ params.environment }}"`,
    `./run.sh --job ${name} --region "$REGION"`,
  ];
  const producer = needs.find((n) => n.outputs.length > 0);
  if (producer !== undefined) {
    commands.push(
      `echo "input from ${producer.name} = \${{ needs.${producer.name}.outputs.${pick(producer.outputs)} }}"`,
    );
  }
  for (const output of outputs) commands.push(`echo "${output}=${index}" >> "$WATERFLOW_OUTPUT"`);
  lines.push('          commands:', ...commands.map((c) => `            - ${c}`));
  if (outputs.length > 0) lines.push(`          outputs: [${outputs.join(', ')}]`);
  return { lines, job: { name, outputs } };
}

/**
 * Generates the YAML text of a valid workflow with `jobs` jobs over `stages` stages. Each job
 * has 2 to 4 `needs` among the two stages' worth of jobs before it (fewer when fewer are in
 * reach), a container, commands with `${{ params.* }}` expressions, env, resources and a
 * timeout; some have a retry policy, outputs, and commands reading
 * `needs.<job>.outputs.<name>` of an upstream producer.
 */
export function generateWorkflow(options: GenerateOptions): string {
  const { jobs: count, seed = 1, stageBarriers = false, detail = 'full' } = options;
  if (!Number.isInteger(count) || count < 1)
    throw new RangeError(`jobs must be a positive integer, got ${count}`);
  const perStage = Math.ceil(count / Math.max(1, Math.min(count, options.stages ?? Math.ceil(count / 100))));
  // Rounding may leave fewer stages than asked for (10 jobs over 6 stages: 5 stages of 2).
  const stageCount = Math.ceil(count / perStage);
  const random = createRandom(seed);
  const lines = [
    '# Generated by bench/generate.ts: do not edit.',
    'apiVersion: waterflow.io/v1',
    'kind: Workflow',
    'metadata:',
    `  name: generated-${count}-jobs`,
    `  description: ${count} jobs over ${stageCount} stages, seed ${seed}.`,
    '  labels: { team: bench }',
    'spec:',
    // A plain DAG has no defaults either: a default timeout alone gives every job three states.
    ...(detail === 'plain'
      ? []
      : [
          '  params:',
          '    environment: { type: string, default: staging, enum: [staging, production] }',
          '    region: { type: string, default: eu-west-1 }',
          '    batchSize: { type: integer, default: 1000 }',
          '  timeout: 1d',
          '  concurrency: { policy: Forbid }',
          '  env: { LOG_LEVEL: info }',
          '  defaults: { timeout: 30m, resources: { cpu: "0.5", memory: 1Gi } }',
        ]),
    '  stages:',
  ];
  const jobs: GeneratedJob[] = [];
  for (let s = 0; s < stageCount; s++) {
    const first = s * perStage;
    const last = Math.min(count, first + perStage);
    lines.push(`    - name: stage-${s}`);
    if (!stageBarriers) lines.push('      dependsOn: []');
    lines.push('      jobs:');
    for (let i = first; i < last; i++) {
      const generated = jobLines(random, i, jobs, 2 * perStage, detail);
      jobs.push(generated.job);
      lines.push(...generated.lines);
    }
  }
  return `${lines.join('\n')}\n`;
}
