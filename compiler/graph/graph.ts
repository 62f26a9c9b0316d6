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
    private readonly table: AncestorTable,
    private readonly job: number,
  ) {}

  private get bits(): BitSet {
    return this.table.bits()[this.job] as BitSet;
  }

  private get names(): ReadonlyArray<string> {
    return this.table.names;
  }

  private get index(): ReadonlyMap<string, number> {
    return this.table.index;
  }

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
  const dependants: number[][] = workflow.jobs.map(() => []);
  const waiting = new Int32Array(workflow.jobs.length);
  workflow.jobs.forEach((job, i) => {
    const deps = job.upstream.filter((name) => jobs.has(name) && name !== job.name);
    upstream.set(job.name, deps);
    waiting[i] = deps.length;
    for (const dep of deps) {
      downstream.get(dep)?.push(job.name);
      dependants[index.get(dep) as number]?.push(i);
    }
  });
  // Jobs by index: the smallest index first is document order among ready jobs.
  const ready = new MinQueue<number>((a, b) => a - b);
  waiting.forEach((count, i) => {
    if (count === 0) ready.push(i);
  });
  const order: string[] = [];
  for (let i = ready.pop(); i !== undefined; i = ready.pop()) {
    order.push((workflow.jobs[i] as Job).name);
    for (const next of dependants[i] ?? []) {
      waiting[next] = (waiting[next] as number) - 1;
      if (waiting[next] === 0) ready.push(next);
    }
  }
  return { order, jobs, upstream, downstream, ancestors: ancestorSets(workflow, order, index) };
}

/**
 * Every job's ancestors, computed the first time a set is read: most workflows never ask
 * (only expressions naming `needs.<job>` and `artifactsFrom` do), and at 10,000 jobs the
 * bitsets were half the graph check.
 */
class AncestorTable {
  #bits: BitSet[] | undefined;

  constructor(
    private readonly workflow: Workflow,
    private readonly order: ReadonlyArray<string>,
    readonly index: ReadonlyMap<string, number>,
    readonly names: ReadonlyArray<string>,
  ) {}

  bits(): BitSet[] {
    this.#bits ??= ancestorBits(this.workflow, this.order, this.index);
    return this.#bits;
  }
}

/** Ancestor bitsets in topological order: a job's own `needs`, plus its stage's shared set. */
function ancestorBits(
  workflow: Workflow,
  order: ReadonlyArray<string>,
  index: ReadonlyMap<string, number>,
): BitSet[] {
  const n = workflow.jobs.length;
  const stages = new Map(workflow.stages.map((stage) => [stage.name, stage]));
  const bits = BitSet.many(n, n);
  const done = new Uint8Array(n);
  // A job done so far, with its ancestors: what its dependants wait for.
  const addWithAncestors = (into: BitSet, i: number | undefined): void => {
    if (i === undefined || done[i] !== 1) return;
    into.union(bits[i] as BitSet);
    into.add(i);
  };
  const stageSets = new Map<string, BitSet>();
  const stageSet = (stageName: string): BitSet => {
    const known = stageSets.get(stageName);
    if (known !== undefined) return known;
    const set = new BitSet(n);
    for (const dep of stages.get(stageName)?.dependsOn ?? []) {
      for (const job of stages.get(dep)?.jobs ?? []) addWithAncestors(set, index.get(job));
    }
    stageSets.set(stageName, set);
    return set;
  };
  for (const name of order) {
    const i = index.get(name) as number;
    const job = workflow.jobs[i] as Job;
    const own = bits[i] as BitSet;
    own.union(stageSet(job.stage));
    for (const need of job.needs) addWithAncestors(own, index.get(need));
    done[i] = 1;
  }
  return bits;
}

/** A lazy ancestor set per job, all over one table. */
function ancestorSets(
  workflow: Workflow,
  order: ReadonlyArray<string>,
  index: ReadonlyMap<string, number>,
): Map<string, ReadonlySet<string>> {
  const table = new AncestorTable(
    workflow,
    order,
    index,
    workflow.jobs.map((job) => job.name),
  );
  const ancestors = new Map<string, ReadonlySet<string>>();
  for (const name of order) ancestors.set(name, new AncestorSet(table, index.get(name) as number));
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
