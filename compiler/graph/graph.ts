import type { Job, Workflow } from '../ir.js';
import { BitSet } from './bitset.js';
import { type JobEdges, resolveEdges } from './edges.js';

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
    return i !== undefined && this.table.has(this.job, i);
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
 * @param edges - The job edges as the structural checks resolved them. @default resolved from `workflow`
 */
export function buildGraph(workflow: Workflow, edges: JobEdges = resolveEdges(workflow.jobs)): WorkflowGraph {
  const { index, start } = edges;
  const jobs = new Map<string, Job>();
  const upstream = new Map<string, ReadonlyArray<string>>();
  for (const [i, job] of workflow.jobs.entries()) {
    jobs.set(job.name, job);
    // Usually no name is left out, and the IR's own list serves.
    upstream.set(
      job.name,
      (start[i + 1] as number) - (start[i] as number) === job.upstream.length
        ? job.upstream
        : job.upstream.filter((name) => index.has(name) && name !== job.name),
    );
  }
  const { order, downstream } = topologicalOrder(workflow, edges);
  return { order, jobs, upstream, downstream, ancestors: ancestorSets(workflow, order, edges) };
}

/** Kahn's algorithm over job indexes, and each job's direct dependants by name. */
function topologicalOrder(
  workflow: Workflow,
  edges: JobEdges,
): { order: string[]; downstream: Map<string, ReadonlyArray<string>> } {
  const n = workflow.jobs.length;
  const { start, deps } = edges;
  const waiting = new Int32Array(n);
  const below: string[][] = [];
  for (let i = 0; i < n; i++) below.push([]);
  // Dependants as flat arrays: job i's are dependants[after[i]..after[i + 1]).
  const after = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    const name = (workflow.jobs[i] as Job).name;
    waiting[i] = (start[i + 1] as number) - (start[i] as number);
    for (let e = start[i] as number; e < (start[i + 1] as number); e++) {
      const dep = deps[e] as number;
      (below[dep] as string[]).push(name);
      after[dep + 1] = (after[dep + 1] as number) + 1;
    }
  }
  const downstream = new Map<string, ReadonlyArray<string>>();
  for (let i = 0; i < n; i++) downstream.set((workflow.jobs[i] as Job).name, below[i] as string[]);
  for (let i = 0; i < n; i++) after[i + 1] = (after[i + 1] as number) + (after[i] as number);
  const fill = after.slice(0, n);
  const dependants = new Int32Array(deps.length);
  for (let i = 0; i < n; i++) {
    for (let e = start[i] as number; e < (start[i + 1] as number); e++) {
      const dep = deps[e] as number;
      dependants[fill[dep] as number] = i;
      fill[dep] = (fill[dep] as number) + 1;
    }
  }
  // Jobs by index: the smallest index first is document order among ready jobs.
  const ready = new IndexQueue(n);
  for (let i = 0; i < n; i++) if (waiting[i] === 0) ready.push(i);
  const order: string[] = [];
  while (ready.size > 0) {
    const i = ready.pop();
    order.push((workflow.jobs[i] as Job).name);
    for (let e = after[i] as number; e < (after[i + 1] as number); e++) {
      const next = dependants[e] as number;
      waiting[next] = (waiting[next] as number) - 1;
      if (waiting[next] === 0) ready.push(next);
    }
  }
  return { order, downstream };
}

/**
 * Every job's ancestors, computed the first time a set is read: most workflows never ask
 * (only expressions naming `needs.<job>` and `artifactsFrom` do), and at 10,000 jobs the
 * bitsets were half the graph check. Asking about a direct dependency, as those mostly do,
 * reads the edges and leaves the bitsets uncomputed.
 */
class AncestorTable {
  #bits: BitSet[] | undefined;
  readonly index: ReadonlyMap<string, number>;
  /** Whether edges and bitsets agree: unique names and every job ordered, as the checks ensure. */
  readonly #direct: boolean;

  constructor(
    private readonly workflow: Workflow,
    private readonly order: ReadonlyArray<string>,
    private readonly edges: JobEdges,
    readonly names: ReadonlyArray<string>,
  ) {
    this.index = edges.index;
    this.#direct = edges.unique && order.length === names.length;
  }

  bits(): BitSet[] {
    this.#bits ??= ancestorBits(this.workflow, this.order, this.index);
    return this.#bits;
  }

  /** Whether job `ancestor` is upstream of job `job`. */
  has(job: number, ancestor: number): boolean {
    if (this.#bits === undefined && this.#direct) {
      const { start, deps } = this.edges;
      for (let e = start[job] as number; e < (start[job + 1] as number); e++)
        if (deps[e] === ancestor) return true;
    }
    return (this.bits()[job] as BitSet).has(ancestor);
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
  edges: JobEdges,
): Map<string, ReadonlySet<string>> {
  const { index } = edges;
  const table = new AncestorTable(
    workflow,
    order,
    edges,
    workflow.jobs.map((job) => job.name),
  );
  const ancestors = new Map<string, ReadonlySet<string>>();
  for (const name of order) ancestors.set(name, new AncestorSet(table, index.get(name) as number));
  return ancestors;
}

/** A binary min-heap of job indexes: the ready set of Kahn's algorithm stays O(log n) per job. */
class IndexQueue {
  private readonly items: Int32Array;
  size = 0;

  constructor(capacity: number) {
    this.items = new Int32Array(capacity);
  }

  push(item: number): void {
    const items = this.items;
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const above = items[parent] as number;
      if (above <= item) break;
      items[i] = above;
      i = parent;
    }
    items[i] = item;
  }

  /** The smallest index; only called when `size > 0`. */
  pop(): number {
    const items = this.items;
    const top = items[0] as number;
    const size = --this.size;
    const last = items[size] as number;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= size) break;
      const r = l + 1;
      const m = r < size && (items[r] as number) < (items[l] as number) ? r : l;
      if ((items[m] as number) >= last) break;
      items[i] = items[m] as number;
      i = m;
    }
    items[i] = last;
    return top;
  }
}
