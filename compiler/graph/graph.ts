import type { Job, Workflow } from '../ir.js';
import { BitSet } from './bitset.js';

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

/** The ancestors of one job, as a read-only set over a bitset of job indexes. */
class AncestorSet implements ReadonlySet<string> {
  constructor(
    private readonly bits: BitSet,
    private readonly names: ReadonlyArray<string>,
    private readonly index: ReadonlyMap<string, number>,
  ) {}

  has(name: string): boolean {
    const i = this.index.get(name);
    return i !== undefined && this.bits.has(i);
  }

  get size(): number {
    return [...this].length;
  }

  *[Symbol.iterator](): SetIterator<string> {
    for (let i = 0; i < this.names.length; i++) if (this.bits.has(i)) yield this.names[i] as string;
  }

  *keys(): SetIterator<string> {
    yield* this;
  }

  *values(): SetIterator<string> {
    yield* this;
  }

  *entries(): SetIterator<[string, string]> {
    for (const name of this) yield [name, name];
  }

  forEach(callback: (value: string, key: string, set: ReadonlySet<string>) => void): void {
    for (const name of this) callback(name, name, this);
  }
}

/**
 * Builds the graph of a workflow whose names the checks have accepted. Kahn's algorithm with
 * document order among ready jobs, so that the order (and all output built on it) is stable.
 * Ancestors are bitsets, and a stage's jobs share the set of what its `dependsOn` stages
 * hold: stage edges make O(n²) job pairs, which must not cost O(n²) sets.
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
  for (let name = ready.pop(); name !== undefined; name = ready.pop()) {
    order.push(name);
    for (const next of downstream.get(name) ?? []) {
      const left = (waiting.get(next) ?? 0) - 1;
      waiting.set(next, left);
      if (left === 0) ready.push(next);
    }
  }
  return { order, jobs, upstream, downstream, ancestors: ancestorSets(workflow, order, index) };
}

/** Ancestor bitsets in topological order: a job's own `needs`, plus its stage's shared set. */
function ancestorSets(
  workflow: Workflow,
  order: ReadonlyArray<string>,
  index: ReadonlyMap<string, number>,
): Map<string, ReadonlySet<string>> {
  const n = workflow.jobs.length;
  const names = workflow.jobs.map((job) => job.name);
  const stages = new Map(workflow.stages.map((stage) => [stage.name, stage]));
  const closed = new Map<number, BitSet>();
  const stageSets = new Map<string, BitSet>();
  const withSelf = (i: number): BitSet | undefined => closed.get(i);
  const stageSet = (stageName: string): BitSet => {
    const known = stageSets.get(stageName);
    if (known !== undefined) return known;
    const bits = new BitSet(n);
    for (const dep of stages.get(stageName)?.dependsOn ?? []) {
      for (const job of stages.get(dep)?.jobs ?? []) {
        const own = withSelf(index.get(job) as number);
        if (own !== undefined) bits.union(own);
      }
    }
    stageSets.set(stageName, bits);
    return bits;
  };
  const ancestors = new Map<string, ReadonlySet<string>>();
  for (const name of order) {
    const i = index.get(name) as number;
    const job = workflow.jobs[i] as Job;
    const bits = new BitSet(n);
    bits.union(stageSet(job.stage));
    for (const need of job.needs) {
      const own = withSelf(index.get(need) ?? -1);
      if (own !== undefined) bits.union(own);
    }
    ancestors.set(name, new AncestorSet(bits, names, index));
    const self = new BitSet(n);
    self.union(bits);
    self.add(i);
    closed.set(i, self);
  }
  return ancestors;
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
