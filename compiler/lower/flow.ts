import type { Expr, Template } from '../expr/ast.js';
import type { Workflow } from '../ir.js';
import { kindModule } from '../kinds/registry.js';
import type { FlowFacts } from './context.js';
import type { NodeGraph } from './nodes.js';
import type { Plan } from './plan.js';
import { PlanPositions } from './visibility.js';

/** Jobs named by `needs.<job>` anywhere in an expression. */
function neededJobs(expr: Expr, into: Set<string>): void {
  switch (expr.kind) {
    case 'name':
      if (expr.path[0] === 'needs' && typeof expr.path[1] === 'string') into.add(expr.path[1]);
      return;
    case 'call':
      for (const arg of expr.args) neededJobs(arg, into);
      return;
    case 'unary':
      neededJobs(expr.operand, into);
      return;
    case 'binary':
      neededJobs(expr.left, into);
      neededJobs(expr.right, into);
      return;
    case 'literal':
      return;
  }
}

function templateNeeds(template: Template, into: Set<string>): void {
  for (const part of template.parts) if (part.kind === 'expr') neededJobs(part.expr, into);
}

/**
 * Decides what flows through the state: which nodes check a condition, whose results are
 * written, which gates and releases exist. Checks: a node's own `if`, or an upstream node that
 * may end other than ok (it may be skipped, or fail while `failFast` is off).
 */
export function flowFacts(workflow: Workflow, nodes: NodeGraph, plan: Plan): FlowFacts {
  const checked = new Set<string>();
  const mayNotBeOk = new Set<string>();
  const recorded = new Set<string>();
  const readsOf = new Map<number, ReadonlySet<string>>();
  nodes.nodes.forEach((node, v) => {
    const parents = (nodes.parents[v] ?? []).map((u) => nodes.nodes[u]?.name as string);
    const ownCondition = node.kind === 'job' && node.job.condition.path !== undefined;
    if (ownCondition || parents.some((p) => mayNotBeOk.has(p))) {
      checked.add(node.name);
      mayNotBeOk.add(node.name);
      for (const p of parents) recorded.add(p);
    }
    if (!workflow.failFast && node.kind === 'job' && !node.job.continueOnFailure) mayNotBeOk.add(node.name);
    if (node.kind === 'job') {
      const reads = new Set<string>();
      neededJobs(node.job.condition.expr, reads);
      for (const { template } of kindModule(node.job.kind).templates(node.job))
        templateNeeds(template, reads);
      for (const env of node.job.env) if ('value' in env) templateNeeds(env.value, reads);
      for (const job of reads) recorded.add(job);
      readsOf.set(v, reads);
    }
  });
  if (!workflow.failFast) for (const node of nodes.nodes) recorded.add(node.name);
  const gated = new Map<string, string[]>();
  const releases = new Set<string>();
  for (const [v, us] of withDataGates(nodes, plan, checked, readsOf)) {
    const names = us.map((u) => nodes.nodes[u]?.name as string);
    gated.set(nodes.nodes[v]?.name as string, names);
    for (const u of names) releases.add(u);
  }
  const gateOutputs = new Set(
    [...gated].filter(([v, us]) => checked.has(v) || us.some((u) => recorded.has(u))).map(([v]) => v),
  );
  return { recorded, checked, gated, releases, gateOutputs };
}

/**
 * The plan's gates, plus the upstream nodes whose result a node reads but cannot find in
 * `$.jobs` (see PlanPositions): a checked node reads every direct upstream node's `ok`, any
 * node reads the jobs its expressions name. Those join the node's gate, whose answer carries
 * their results; they are ordered before the node already, so the gate adds no wait.
 */
function withDataGates(
  nodes: NodeGraph,
  plan: Plan,
  checked: ReadonlySet<string>,
  readsOf: ReadonlyMap<number, ReadonlySet<string>>,
): Map<number, number[]> {
  const gated = new Map<number, number[]>([...plan.gated].map(([v, us]) => [v, [...us]]));
  const positions = new PlanPositions(plan.root);
  nodes.nodes.forEach((node, v) => {
    const reads = readsOf.get(v);
    if (!checked.has(node.name) && (reads === undefined || reads.size === 0)) return;
    const read = new Set<number>();
    if (checked.has(node.name)) for (const u of nodes.parents[v] ?? []) read.add(u);
    for (const job of reads ?? []) {
      const u = nodes.index.get(job);
      if (u !== undefined) read.add(u);
    }
    const own = gated.get(v) ?? [];
    const missing = [...read].filter((u) => !own.includes(u) && !positions.resultReaches(u, v));
    if (missing.length > 0)
      gated.set(
        v,
        [...own, ...missing].sort((x, y) => x - y),
      );
  });
  return gated;
}
