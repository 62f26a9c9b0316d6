import type { JsonValue } from '../../compiler/asl/types.js';
import type { CompileOutput, CompileResult } from '../../compiler/compile/output.js';
import { simulate } from './simulate.js';

/** What a matrix of `items` items costs, simulated and estimated by the compiler. */
export interface FanOutFigures {
  readonly items: number;
  readonly status: 'SUCCEEDED' | 'FAILED';
  readonly executions: number;
  /** Virtual seconds from start to end, every item taking `itemSeconds`. */
  readonly makespan: number;
  /** The largest state payload of any execution, in bytes (quota: 256 KiB). */
  readonly maxPayloadBytes: number;
  /** History events of the parent execution, and of the largest execution (quota: 25,000). */
  readonly parentHistoryEvents: number;
  readonly maxExecutionHistoryEvents: number;
  /** The compiler's estimate of the largest execution's history. */
  readonly estimatedHistoryEvents: number;
  readonly maxParallel: number;
}

/** The fan-out shape both kinds of matrix share: `split`, then `fan-out` per item, then `report`. */
function fanOutShape(split: string, matrix: string, command: string): string {
  return [
    'apiVersion: waterflow.io/v1',
    'kind: Workflow',
    'metadata: { name: fan-out }',
    'spec:',
    '  stages:',
    '    - name: s',
    '      jobs:',
    `        - { name: split, container: alpine:3.20, ${split}commands: ["./split.sh"] }`,
    '        - name: fan-out',
    '          needs: [split]',
    '          container: alpine:3.20',
    `          matrix: ${matrix}`,
    `          commands: ["${command}"]`,
    '        - { name: report, needs: [fan-out], container: alpine:3.20, commands: ["./report.sh"] }',
  ].join('\n');
}

/** A workflow whose `split` job writes `items` and whose `fan-out` job runs once per item. */
export function fanOutWorkflow(maxParallel: number): string {
  return fanOutShape(
    'outputs: [items], ',
    `{ fromJson: "\${{ needs.split.outputs.items }}", maxParallel: ${maxParallel}, failFast: false }`,
    './work.sh ${{ matrix.shard }} ${{ matrix.file }}',
  );
}

/**
 * The same fan-out as a static matrix: `fan-out` runs once per value of `shard` (0 to
 * `items - 1`), a distributed Map over the items in the state when it is too large for an inline one.
 */
export function staticFanOutWorkflow(items: number, maxParallel: number): string {
  const shards = Array.from({ length: items }, (_, i) => i).join(', ');
  return fanOutShape(
    '',
    `{ values: { shard: [${shards}] }, maxParallel: ${maxParallel}, failFast: false }`,
    './work.sh ${{ matrix.shard }}',
  );
}

/** `items` objects of a realistic size: a shard number and a file name. */
export function fanOutItems(items: number): JsonValue[] {
  return Array.from({ length: items }, (_, i) => ({
    shard: i,
    file: `s3://data/part-${String(i).padStart(6, '0')}.csv`,
  }));
}

/**
 * Compiles and simulates a matrix over `items` items, each taking `itemSeconds`: dynamic (the
 * default, items read from S3) or static (items in the state).
 */
export function measureFanOut(
  compile: (yaml: string) => CompileResult,
  options: {
    readonly items: number;
    readonly maxParallel: number;
    readonly itemSeconds: number;
    /** @default 'dynamic' */
    readonly matrix?: 'dynamic' | 'static';
  },
): FanOutFigures {
  const result = compile(
    options.matrix === 'static'
      ? staticFanOutWorkflow(options.items, options.maxParallel)
      : fanOutWorkflow(options.maxParallel),
  );
  const output: CompileOutput | undefined = result.output;
  if (output === undefined) throw new Error(result.diagnostics.map((d) => d.message).join('\n'));
  const items = fanOutItems(options.items);
  const simulated = simulate(output.asl, {
    stateMap: output.stateMap,
    durations: (job) => (job === 'fan-out' ? options.itemSeconds : 10),
    itemReader: () => items,
  });
  return {
    items: options.items,
    status: simulated.status,
    executions: simulated.executions,
    makespan: simulated.makespan,
    maxPayloadBytes: simulated.maxPayloadBytes,
    parentHistoryEvents: simulated.mainHistoryEvents,
    maxExecutionHistoryEvents: simulated.maxExecutionHistoryEvents,
    estimatedHistoryEvents: output.stats.estimatedHistoryEvents,
    maxParallel: options.maxParallel,
  };
}
