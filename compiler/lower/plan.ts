import { BitSet } from '../graph/bitset.js';
import { insertOrdered } from '../ordered.js';
import type { NodeGraph } from './nodes.js';

/** The nesting the state machine will have: nodes in sequences and parallel branches. */
export type Block =
  | { readonly kind: 'node'; readonly node: number }
  | { readonly kind: 'series'; readonly items: ReadonlyArray<Block> }
  | { readonly kind: 'parallel'; readonly branches: ReadonlyArray<Block> }
  /** A piece run as a child execution of its own state machine (a split workflow). */
  | { readonly kind: 'part'; readonly body: Block };

export interface Plan {
  readonly root: Block;
  /** For each node, the upstream nodes it waits for through a gate instead of the nesting. */
  readonly gated: ReadonlyMap<number, ReadonlyArray<number>>;
}

interface Analysis {
  readonly ancestors: ReadonlyArray<BitSet>;
  /** Parents after transitive reduction, minus the edges already given to gates. */
  readonly reduced: Array<ReadonlyArray<number>>;
  readonly scratch: Scratch;
}

/**
 * Arrays indexed by node, shared by every step of the decomposition: a step reads them only
 * before it recurses, so one allocation serves them all instead of a Set and Maps per step.
 */
class Scratch {
  private readonly stamp: Int32Array;
  private current = 0;
  /** The position of each member in the set being decomposed. */
  readonly position: Int32Array;
  /** Union-find parents, depths and group roots of the members. */
  readonly root: Int32Array;
  readonly depth: Int32Array;
  /** The members as bits, set and cleared by each use. */
  readonly members: BitSet;

  constructor(size: number) {
    this.stamp = new Int32Array(size);
    this.position = new Int32Array(size);
    this.root = new Int32Array(size);
    this.depth = new Int32Array(size);
    this.members = new BitSet(size);
  }

  /** Makes `set` the one `has` answers for, until the next call. */
  enter(set: ReadonlyArray<number>): NodeSet {
    const stamp = ++this.current;
    set.forEach((v, i) => {
      this.stamp[v] = stamp;
      this.position[v] = i;
    });
    return { has: (v) => this.stamp[v] === stamp };
  }
}

interface NodeSet {
  has(v: number): boolean;
}

function analyse(graph: NodeGraph): Analysis {
  const n = graph.nodes.length;
  const ancestors = BitSet.many(n, n);
  const reduced: number[][] = [];
  for (let v = 0; v < n; v++) {
    const own = ancestors[v] as BitSet;
    const parents = graph.parents[v] ?? [];
    for (const u of parents) {
      own.add(u);
      // Nodes are in topological order: u's ancestors are all below u.
      own.union(ancestors[u] as BitSet, u);
    }
    // u is implied when another parent already has it as an ancestor.
    reduced.push(parents.filter((u) => !parents.some((w) => w !== u && (ancestors[w] as BitSet).has(u))));
  }
  return { ancestors, reduced, scratch: new Scratch(n) };
}

export function series(items: Block[]): Block {
  const flat: Block[] = [];
  for (const b of items) {
    if (b.kind === 'series') flat.push(...b.items);
    else flat.push(b);
  }
  return flat.length === 1 ? (flat[0] as Block) : { kind: 'series', items: flat };
}

export function parallel(branches: Block[]): Block {
  // Branches of a branch run side by side just the same: one Parallel state instead of two.
  const flat: Block[] = [];
  for (const b of branches) {
    if (b.kind === 'parallel') flat.push(...b.branches);
    else flat.push(b);
  }
  return flat.length === 1 ? (flat[0] as Block) : { kind: 'parallel', branches: flat };
}

/** Weakly connected components of `set` under the reduced edges, each in topological order. */
function components(set: ReadonlyArray<number>, inSet: NodeSet, a: Analysis): number[][] {
  const root = a.scratch.root;
  for (const v of set) root[v] = v;
  const find = (v: number): number => {
    let r = v;
    while (root[r] !== r) r = root[r] as number;
    for (let x = v; x !== r; ) {
      const next = root[x] as number;
      root[x] = r;
      x = next;
    }
    return r;
  };
  for (const v of set) {
    for (const u of a.reduced[v] ?? []) if (inSet.has(u)) root[find(v)] = find(u);
  }
  const groups = new Map<number, number[]>();
  for (const v of set) {
    const r = find(v);
    const group = groups.get(r);
    if (group === undefined) groups.set(r, [v]);
    else group.push(v);
  }
  return [...groups.values()];
}

/**
 * Positions k where `set` splits into a part every later node depends on entirely. A source of
 * the suffix (its parents all before k) must have exactly the k prefix nodes as ancestors in
 * the set; a difference array marks the cuts some source rules out.
 */
function seriesCuts(set: ReadonlyArray<number>, inSet: NodeSet, a: Analysis): number[] {
  const { position, members } = a.scratch;
  for (const v of set) members.add(v);
  // Sets are in topological order: the members that may be ancestors of v lie in [set[0], v).
  const first = set[0] ?? 0;
  // set[k] is a source of the suffix from k, so a cut at k needs every member before k to be
  // its ancestor. Few positions are such candidates, and ancestors are counted only for nodes
  // whose range of cuts holds one: a prime core of thousands of nodes is not counted at all.
  const candidates = new Int32Array(set.length + 1);
  set.forEach((v, k) => {
    const candidate = k > 0 && (a.ancestors[v] as BitSet).hasAllOf(members, first, v);
    candidates[k + 1] = (candidates[k] ?? 0) + (candidate ? 1 : 0);
  });
  const bad = new Int32Array(set.length + 1);
  set.forEach((v, i) => {
    let last = -1;
    for (const u of a.reduced[v] ?? []) if (inSet.has(u)) last = Math.max(last, position[u] as number);
    // v is a source of the suffix for every cut k in (last, i].
    bad[last + 1] = (bad[last + 1] ?? 0) + 1;
    bad[i + 1] = (bad[i + 1] ?? 0) - 1;
    // Elsewhere than at a candidate, whether v allows the cut changes nothing.
    if ((candidates[i + 1] ?? 0) === (candidates[last + 1] ?? 0)) return;
    const count = (a.ancestors[v] as BitSet).countAnd(members, first, v);
    if (count > last && count <= i) {
      bad[count] = (bad[count] ?? 0) - 1;
      bad[count + 1] = (bad[count + 1] ?? 0) + 1;
    }
  });
  for (const v of set) members.delete(v);
  const cuts: number[] = [];
  let running = 0;
  for (let k = 0; k < set.length; k++) {
    running += bad[k] ?? 0;
    if (k > 0 && running === 0) cuts.push(k);
  }
  return cuts;
}

/** Makes `u` a gated upstream node of `v`, keeping each node's gated list in index order. */
function gate(gated: Map<number, number[]>, v: number, u: number): void {
  const list = gated.get(v);
  if (list === undefined) gated.set(v, [u]);
  else insertOrdered(list, u);
}

/**
 * A core that is neither parallel nor series (it holds an N): keep, for each node, the edge
 * from its deepest parent in the core and gate the others. What is left is a forest, which
 * nests exactly.
 */
function forest(
  set: ReadonlyArray<number>,
  inSet: NodeSet,
  a: Analysis,
  gated: Map<number, number[]>,
): Block {
  const depth = a.scratch.depth;
  const children = new Map<number, number[]>(set.map((v) => [v, []]));
  const roots: number[] = [];
  for (const v of set) {
    const parents = (a.reduced[v] ?? []).filter((u) => inSet.has(u));
    let primary: number | undefined;
    for (const u of parents) {
      if (primary === undefined || (depth[u] as number) >= (depth[primary] as number)) primary = u;
    }
    depth[v] = primary === undefined ? 0 : (depth[primary] as number) + 1;
    if (primary === undefined) roots.push(v);
    else children.get(primary)?.push(v);
    for (const u of parents) if (u !== primary) gate(gated, v, u);
  }
  const tree = (start: number): Block => {
    const chain: Block[] = [];
    let v = start;
    for (;;) {
      chain.push({ kind: 'node', node: v });
      const next = children.get(v) ?? [];
      if (next.length !== 1) {
        if (next.length > 1) chain.push(parallel(next.map(tree)));
        return series(chain);
      }
      v = next[0] as number;
    }
  };
  return parallel(roots.map(tree));
}

/**
 * A prime core: follow each node's deepest parent up to a source of the core, and group the
 * nodes by that source. Edges between groups become gates; each group keeps its own edges and
 * is decomposed again, so fan-ins inside a group stay structural. One group: a forest.
 */
function prime(
  set: ReadonlyArray<number>,
  inSet: NodeSet,
  a: Analysis,
  gated: Map<number, number[]>,
  level: number,
): Block {
  const { depth, root } = a.scratch;
  for (const v of set) {
    let primary: number | undefined;
    for (const u of a.reduced[v] ?? []) {
      if (inSet.has(u) && (primary === undefined || (depth[u] as number) >= (depth[primary] as number)))
        primary = u;
    }
    depth[v] = primary === undefined ? 0 : (depth[primary] as number) + 1;
    root[v] = primary === undefined ? v : (root[primary] as number);
  }
  const groups = new Map<number, number[]>();
  for (const v of set) {
    const r = root[v] as number;
    const group = groups.get(r);
    if (group === undefined) groups.set(r, [v]);
    else group.push(v);
  }
  if (groups.size <= 1) return forest(set, inSet, a, gated);
  for (const v of set) {
    const parents = a.reduced[v] ?? [];
    let kept: number[] | undefined;
    for (let i = 0; i < parents.length; i++) {
      const u = parents[i] as number;
      if (inSet.has(u) && root[u] !== root[v]) {
        gate(gated, v, u);
        kept ??= parents.slice(0, i);
      } else kept?.push(u);
    }
    // The edge is the gate's now: no later split may count on it.
    if (kept !== undefined) a.reduced[v] = kept;
  }
  // Each group is connected through its primary edges, which it keeps.
  return parallel([...groups.values()].map((group) => decompose(group, a, gated, level + 1, true)));
}

/**
 * Past this nesting, a part is lowered as a forest: graphs with no series-parallel structure
 * (random `needs`) otherwise peel a node or two per level, at O(n²) a level.
 */
const MAX_DEPTH = 24;

/**
 * `connected`: the caller knows `set` to be weakly connected (a component, or a group of
 * `prime`), so it has no components to look for: random DAGs peel a few nodes per level, and
 * the search was a quarter of the plan's time.
 */
function decompose(
  set: ReadonlyArray<number>,
  a: Analysis,
  gated: Map<number, number[]>,
  depth = 0,
  connected = false,
): Block {
  if (set.length === 1) return { kind: 'node', node: set[0] as number };
  const inSet = a.scratch.enter(set);
  if (depth > MAX_DEPTH) return forest(set, inSet, a, gated);
  if (!connected) {
    const parts = components(set, inSet, a);
    // A component's nodes keep their edges until it is decomposed itself: it stays connected.
    if (parts.length > 1) return parallel(parts.map((part) => decompose(part, a, gated, depth + 1, true)));
  }
  const cuts = seriesCuts(set, inSet, a);
  if (cuts.length > 0) {
    const bounds = [0, ...cuts, set.length];
    return series(bounds.slice(1).map((end, i) => decompose(set.slice(bounds[i], end), a, gated, depth + 1)));
  }
  return prime(set, inSet, a, gated, depth);
}

/**
 * Exact lowering plan: series-parallel nesting where the graph allows it, gates on the few
 * edges that break it, so that no node waits for a node it does not depend on.
 */
export function planExact(graph: NodeGraph): Plan {
  const a = analyse(graph);
  const gated = new Map<number, number[]>();
  const all = graph.nodes.map((_, i) => i);
  const root = all.length === 0 ? series([]) : decompose(all, a, gated);
  return { root, gated };
}

/** Stage-barrier plan: one Parallel per topological level; the baseline for benchmarks. */
export function planBarrier(graph: NodeGraph): Plan {
  const level: number[] = [];
  const levels: number[][] = [];
  graph.nodes.forEach((_, v) => {
    const l = Math.max(-1, ...(graph.parents[v] ?? []).map((u) => level[u] as number)) + 1;
    level.push(l);
    const bucket = levels[l] ?? [];
    bucket.push(v);
    levels[l] = bucket;
  });
  const root = series(levels.map((nodes) => parallel(nodes.map((node) => ({ kind: 'node', node })))));
  return { root, gated: new Map() };
}
