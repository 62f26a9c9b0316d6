import type { Job, Workflow } from '../ir.js';

/** The job DAG of a workflow, for later passes: edges, ancestry and a stable topological order. */
export interface WorkflowGraph {
  /** Topological order; among ready jobs, document order. */
  readonly order: ReadonlyArray<string>;
  readonly jobs: ReadonlyMap<string, Job>;
  /** Direct dependencies (`upstream` of the IR, restricted to existing jobs). */
  readonly upstream: ReadonlyMap<string, ReadonlyArray<string>>;
  /** Direct dependants. */
  readonly downstream: ReadonlyMap<string, ReadonlyArray<string>>;
  /** Every job a job transitively depends on. */
  readonly ancestors: ReadonlyMap<string, ReadonlySet<string>>;
}

/**
 * Builds the graph of a workflow whose names the checks have accepted. Kahn's algorithm with
 * document order among ready jobs, so that the order (and all output built on it) is stable.
 */
export function buildGraph(workflow: Workflow): WorkflowGraph {
  const jobs = new Map(workflow.jobs.map((job) => [job.name, job]));
  const index = new Map(workflow.jobs.map((job, i) => [job.name, i]));
  const upstream = new Map<string, string[]>();
  const downstream = new Map<string, string[]>(workflow.jobs.map((job) => [job.name, []]));
  const waiting = new Map<string, number>();
  for (const job of workflow.jobs) {
    const deps = job.upstream.filter((name) => jobs.has(name) && name !== job.name);
    upstream.set(job.name, deps);
    waiting.set(job.name, deps.length);
    for (const dep of deps) downstream.get(dep)?.push(job.name);
  }
  const ready = new MinQueue<string>((a, b) => (index.get(a) ?? 0) - (index.get(b) ?? 0));
  for (const [name, count] of waiting) if (count === 0) ready.push(name);
  const order: string[] = [];
  const ancestors = new Map<string, Set<string>>();
  for (let name = ready.pop(); name !== undefined; name = ready.pop()) {
    order.push(name);
    const own = new Set<string>();
    for (const dep of upstream.get(name) ?? []) {
      own.add(dep);
      for (const a of ancestors.get(dep) ?? []) own.add(a);
    }
    ancestors.set(name, own);
    for (const next of downstream.get(name) ?? []) {
      const left = (waiting.get(next) ?? 0) - 1;
      waiting.set(next, left);
      if (left === 0) ready.push(next);
    }
  }
  return { order, jobs, upstream, downstream, ancestors };
}

/** A binary heap: the ready set of Kahn's algorithm stays O(log n) per job. */
class MinQueue<T> {
  private readonly items: T[] = [];

  constructor(private readonly less: (a: T, b: T) => number) {}

  push(item: T): void {
    const items = this.items;
    items.push(item);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.less(items[i] as T, items[parent] as T) >= 0) break;
      [items[i], items[parent]] = [items[parent] as T, items[i] as T];
      i = parent;
    }
  }

  pop(): T | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last !== undefined) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < items.length && this.less(items[l] as T, items[m] as T) < 0) m = l;
        if (r < items.length && this.less(items[r] as T, items[m] as T) < 0) m = r;
        if (m === i) break;
        [items[i], items[m]] = [items[m] as T, items[i] as T];
        i = m;
      }
    }
    return top;
  }
}
