import type { WorkflowGraph } from '../graph/graph.js';
import type { Job, Workflow } from '../ir.js';
import { insertOrdered } from '../ordered.js';

/**
 * A node of the graph being lowered: a job, or a join that stands for "every job of the
 * stages this stage depends on" so that stage edges cost O(n), not O(n²).
 */
export type LowerNode =
  | { readonly kind: 'job'; readonly name: string; readonly job: Job }
  | { readonly kind: 'join'; readonly name: string; readonly stage: string };

export interface NodeGraph {
  /** Nodes in a topological order (document order among ready nodes). */
  readonly nodes: ReadonlyArray<LowerNode>;
  readonly index: ReadonlyMap<string, number>;
  /** Direct upstream node indexes of each node. */
  readonly parents: ReadonlyArray<ReadonlyArray<number>>;
}

/** The name of the join node of a stage. */
export function joinName(stage: string): string {
  return `stage ${stage}`;
}

/**
 * Builds the node graph: each job depends on its own `needs` and on its stage's join; a
 * stage's join depends on every job of the stages in its `dependsOn`.
 */
export function buildNodeGraph(workflow: Workflow, graph: WorkflowGraph): NodeGraph {
  const stageOf = new Map(workflow.stages.map((s) => [s.name, s]));
  const nodes: LowerNode[] = [];
  const joined = new Set<string>();
  const addJoin = (stage: string) => {
    if (joined.has(stage)) return;
    joined.add(stage);
    nodes.push({ kind: 'join', name: joinName(stage), stage });
  };
  // Graph order is topological over jobs; a join goes right before the first job of its stage,
  // which comes after every job the join waits for.
  for (const name of graph.order) {
    const job = graph.jobs.get(name) as Job;
    if ((stageOf.get(job.stage)?.dependsOn.length ?? 0) > 0) addJoin(job.stage);
    nodes.push({ kind: 'job', name, job });
  }
  const index = new Map(nodes.map((n, i) => [n.name, i]));
  const parents = nodes.map((node) => {
    if (node.kind === 'join') {
      const deps = stageOf.get(node.stage)?.dependsOn ?? [];
      return deps.flatMap((d) => stageOf.get(d)?.jobs ?? []).map((j) => index.get(j) as number);
    }
    const own = node.job.needs.map((n) => index.get(n) as number);
    const join = index.get(joinName(node.job.stage));
    return join === undefined ? own : [...own, join];
  });
  return { nodes, index, parents: parents.map(orderedUnique) };
}

/** Indexes in increasing order, each once. */
function orderedUnique(indexes: ReadonlyArray<number>): number[] {
  if (indexes.length > 16) return [...new Set(indexes)].sort((a, b) => a - b);
  const ordered: number[] = [];
  for (const v of indexes) insertOrdered(ordered, v, true);
  return ordered;
}
