/** A job of a DAG with its runtime, in the shape of the WfCommons corpus files. */
export interface DagJob {
  readonly id: string;
  readonly runtimeSeconds: number;
  readonly parents: ReadonlyArray<string>;
}

/** The longest path of a DAG by runtimes, and the jobs on it from source to sink. */
export interface CriticalPath {
  readonly seconds: number;
  readonly jobs: ReadonlyArray<string>;
}

/** The jobs in an order where every parent comes before its children (Kahn). */
export function topologicalOrder(jobs: ReadonlyArray<DagJob>): DagJob[] {
  const byId = new Map(jobs.map((job) => [job.id, job]));
  const children = new Map<string, string[]>();
  const waiting = new Map<string, number>();
  for (const job of jobs) {
    waiting.set(job.id, job.parents.length);
    for (const parent of job.parents) {
      if (!byId.has(parent)) throw new Error(`job "${job.id}" needs "${parent}", which does not exist`);
      const list = children.get(parent);
      if (list === undefined) children.set(parent, [job.id]);
      else list.push(job.id);
    }
  }
  const ready = jobs.filter((job) => job.parents.length === 0).map((job) => job.id);
  const order: DagJob[] = [];
  for (let id = ready.shift(); id !== undefined; id = ready.shift()) {
    order.push(byId.get(id) as DagJob);
    for (const child of children.get(id) ?? []) {
      const left = (waiting.get(child) ?? 0) - 1;
      waiting.set(child, left);
      if (left === 0) ready.push(child);
    }
  }
  if (order.length !== jobs.length) throw new Error('the DAG has a cycle');
  return order;
}

/** A path's length, then a count that breaks ties between paths of the same length. */
type Score = readonly [number, number];

/** Whether `a` beats `b`: longer, or as long (to rounding) and with a higher tie count. */
function beats(a: Score, b: Score): boolean {
  const tied = Math.abs(a[0] - b[0]) <= 1e-9 * Math.max(1, Math.abs(a[0]), Math.abs(b[0]));
  return tied ? a[1] > b[1] : a[0] > b[0];
}

/**
 * The longest path where each job weighs `weight(job)` (its runtime by default): with a weight
 * of S + runtime + g per gate and release, it bounds what an exact lowering may take. Among paths
 * of the same length, the one with the largest sum of `tie(job)` wins (e.g. the most gates).
 */
export function criticalPath(
  jobs: ReadonlyArray<DagJob>,
  weight: (job: DagJob) => number = (job) => job.runtimeSeconds,
  tie: (job: DagJob) => number = () => 0,
): CriticalPath {
  const finish = new Map<string, Score>();
  const via = new Map<string, string>();
  let last: string | undefined;
  for (const job of topologicalOrder(jobs)) {
    let start: Score = [0, 0];
    for (const parent of job.parents) {
      const end = finish.get(parent) ?? [0, 0];
      if (!via.has(job.id) || beats(end, start)) {
        start = end;
        via.set(job.id, parent);
      }
    }
    const end: Score = [start[0] + weight(job), start[1] + tie(job)];
    finish.set(job.id, end);
    if (last === undefined || beats(end, finish.get(last) ?? [0, 0])) last = job.id;
  }
  const path: string[] = [];
  for (let id = last; id !== undefined; id = via.get(id)) path.unshift(id);
  return { seconds: last === undefined ? 0 : (finish.get(last)?.[0] ?? 0), jobs: path };
}

/** Each level (longest-path depth from a source) waits for the whole previous one: the sum of level maxima. */
export function stageBarrierSeconds(jobs: ReadonlyArray<DagJob>): number {
  const level = new Map<string, number>();
  const widest: number[] = [];
  for (const job of topologicalOrder(jobs)) {
    const mine = job.parents.reduce((l, p) => Math.max(l, (level.get(p) ?? 0) + 1), 0);
    level.set(job.id, mine);
    widest[mine] = Math.max(widest[mine] ?? 0, job.runtimeSeconds);
  }
  return widest.reduce((sum, seconds) => sum + seconds, 0);
}

/** The geometric mean of positive numbers (1 for none). */
export function geometricMean(values: ReadonlyArray<number>): number {
  if (values.length === 0) return 1;
  return Math.exp(values.reduce((sum, v) => sum + Math.log(v), 0) / values.length);
}
