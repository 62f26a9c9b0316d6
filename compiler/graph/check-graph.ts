import { DiagnosticSink } from '../diagnostics/sink.js';
import { didYouMean } from '../diagnostics/suggest.js';
import type { Job, Workflow } from '../ir.js';
import { isConstantFalse } from '../normalize/condition.js';
import type { SourceMap } from '../parse/source.js';
import { findCycles } from './cycles.js';
import { type JobEdges, resolveEdges } from './edges.js';
import type { GraphSkeleton } from './skeleton.js';

type SkeletonJob = GraphSkeleton['jobs'][number];

import { buildGraph, type WorkflowGraph } from './graph.js';

export interface GraphResult {
  readonly graph?: WorkflowGraph;
  readonly diagnostics: DiagnosticSink['list'];
}

function checkNames(workflow: GraphSkeleton, edges: JobEdges, sink: DiagnosticSink, source: SourceMap): void {
  const stages = new Map<string, number>();
  for (const stage of workflow.stages) {
    const first = stages.get(stage.name);
    if (first !== undefined) {
      const line = source.locate(['spec', 'stages', first, 'name']).line;
      sink.error(
        'WF2002',
        [...stage.path, 'name'],
        `stage "${stage.name}" is defined twice (first at line ${line})`,
        {
          hint: 'stage names must be unique; rename one of them',
        },
      );
    } else {
      stages.set(stage.name, Number(stage.path[2]));
    }
    if (stage.jobs.length === 0) {
      sink.error('WF2008', [...stage.path, 'jobs'], `stage "${stage.name}" has no jobs`, {
        hint: 'add a job or remove the stage',
      });
    }
  }
  // The edges' index already tells whether any job name repeats; most files have none.
  if (edges.unique) return;
  const jobs = new Map<string, SkeletonJob>();
  for (const job of workflow.jobs) {
    const first = jobs.get(job.name);
    if (first !== undefined) {
      const line = source.locate([...first.path, 'name']).line;
      sink.error(
        'WF2001',
        [...job.path, 'name'],
        `job "${job.name}" is defined twice (first at line ${line})`,
        {
          hint: 'job names must be unique across all stages; rename one of them',
        },
      );
    } else {
      jobs.set(job.name, job);
    }
  }
}

function checkStageEdges(workflow: GraphSkeleton, sink: DiagnosticSink): void {
  const names = new Set(workflow.stages.map((s) => s.name));
  const edges = new Map<string, string[]>();
  for (const stage of workflow.stages) {
    stage.dependsOn.forEach((dep, i) => {
      const path = [...stage.path, 'dependsOn', i];
      if (dep === stage.name) {
        sink.error('WF2005', path, `stage "${stage.name}" depends on itself`);
      } else if (!names.has(dep)) {
        sink.error(
          'WF2004',
          path,
          `stage "${stage.name}" depends on stage "${dep}", which does not exist${didYouMean(dep, names)}`,
        );
      }
    });
    edges.set(
      stage.name,
      stage.dependsOn.filter((d) => d !== stage.name && names.has(d)),
    );
  }
  const order = workflow.stages.map((s) => s.name);
  for (const cycle of findCycles(order, edges)) {
    const first = workflow.stages.find((s) => s.name === cycle[0]);
    const next = cycle[1] ?? cycle[0];
    const at = first === undefined ? [] : [...first.path, 'dependsOn', first.dependsOn.indexOf(next ?? '')];
    sink.error(
      'WF2007',
      at,
      `stages form a cycle: ${[...cycle, cycle[0]].map((n) => `"${n}"`).join(' -> ')}`,
      {
        hint: 'each arrow reads "depends on"; remove one of these dependsOn entries',
      },
    );
  }
}

function checkNeeds(workflow: GraphSkeleton, names: ReadonlyMap<string, number>, sink: DiagnosticSink): void {
  for (const job of workflow.jobs) {
    job.needs.forEach((need, i) => {
      if (need === job.name)
        sink.error('WF2005', [...job.path, 'needs', i], `job "${job.name}" needs itself`);
      else if (!names.has(need)) {
        sink.error(
          'WF2003',
          [...job.path, 'needs', i],
          `job "${job.name}" needs "${need}", which does not exist${didYouMean(need, names.keys())}`,
        );
      }
    });
  }
}

/** Why `from` waits for `to`: its own `needs`, or its stage's `dependsOn`. */
function edgeReason(from: SkeletonJob, to: SkeletonJob): string {
  return from.needs.includes(to.name)
    ? `"${from.name}" needs "${to.name}"`
    : `"${from.name}" waits for "${to.name}" because stage "${from.stage}" depends on stage "${to.stage}"`;
}

/**
 * Whether the job edges have no cycle: a depth-first search over job indexes. Most workflows
 * have none, and naming the cycles costs maps and arrays of names. Duplicate names make names
 * and indexes differ: those answer false, for the search by name.
 */
function provablyAcyclic(edges: JobEdges): boolean {
  if (!edges.unique) return false;
  const { start, deps } = edges;
  const n = start.length - 1;
  // 0: not seen, 1: on the current path, 2: done.
  const state = new Uint8Array(n);
  const stack = new Int32Array(n);
  const next = new Int32Array(n);
  for (let root = 0; root < n; root++) {
    if (state[root] !== 0) continue;
    let depth = 0;
    stack[0] = root;
    next[0] = start[root] as number;
    state[root] = 1;
    while (depth >= 0) {
      const v = stack[depth] as number;
      const k = next[depth] as number;
      if (k >= (start[v + 1] as number)) {
        state[v] = 2;
        depth--;
        continue;
      }
      next[depth] = k + 1;
      const u = deps[k] as number;
      if (state[u] === 2) continue;
      if (state[u] === 1) return false;
      depth++;
      stack[depth] = u;
      next[depth] = start[u] as number;
      state[u] = 1;
    }
  }
  return true;
}

function checkJobCycles(workflow: GraphSkeleton, resolved: JobEdges, sink: DiagnosticSink): void {
  if (provablyAcyclic(resolved)) return;
  const jobs = new Map(workflow.jobs.map((j) => [j.name, j]));
  const edges = new Map(
    workflow.jobs.map((j) => [j.name, j.upstream.filter((u) => jobs.has(u) && u !== j.name)]),
  );
  for (const cycle of findCycles(
    workflow.jobs.map((j) => j.name),
    edges,
  )) {
    const steps = cycle.map((name, i) => {
      const from = jobs.get(name) as SkeletonJob;
      const to = jobs.get(cycle[(i + 1) % cycle.length] as string) as SkeletonJob;
      return { from, to };
    });
    const first = steps[0] as { from: SkeletonJob; to: SkeletonJob };
    const needIndex = first.from.needs.indexOf(first.to.name);
    const at = needIndex >= 0 ? [...first.from.path, 'needs', needIndex] : [...first.from.path, 'name'];
    sink.error('WF2006', at, `jobs form a cycle: ${[...cycle, cycle[0]].map((n) => `"${n}"`).join(' -> ')}`, {
      hint: `${steps.map(({ from, to }) => edgeReason(from, to)).join('; ')}; remove one of these dependencies`,
    });
  }
}

function checkArtifacts(workflow: Workflow, graph: WorkflowGraph, sink: DiagnosticSink): void {
  for (const job of workflow.jobs) {
    job.artifactsFrom.forEach((from, i) => {
      const path = [...job.path, 'artifactsFrom', i];
      const producer = graph.jobs.get(from.job);
      if (producer === undefined) {
        sink.error(
          'WF2003',
          [...path, 'job'],
          `job "${job.name}" takes artifacts from "${from.job}", which does not exist${didYouMean(from.job, graph.jobs.keys())}`,
        );
        return;
      }
      if (!graph.ancestors.get(job.name)?.has(from.job)) {
        sink.error(
          'WF3003',
          [...path, 'job'],
          `job "${job.name}" takes artifacts from "${from.job}", which is not upstream of it`,
          {
            hint: `add "${from.job}" to the needs of "${job.name}"`,
          },
        );
      }
      const declared = producer.artifacts.map((a) => a.name);
      from.artifacts.forEach((name, k) => {
        if (!declared.includes(name)) {
          sink.error(
            'WF2010',
            [...path, 'artifacts', k],
            `job "${from.job}" has no artifact "${name}"${didYouMean(name, declared)}`,
            {
              hint:
                declared.length === 0
                  ? `declare it: artifacts: [{ name: ${name}, path: ... }]`
                  : `its artifacts: ${declared.join(', ')}`,
            },
          );
        }
      });
    });
  }
}

/** Jobs whose condition is the literal `false`, and the default-condition jobs below them. */
function warnNeverRuns(graph: WorkflowGraph, sink: DiagnosticSink): void {
  const never = new Set<string>();
  for (const name of graph.order) {
    const job = graph.jobs.get(name) as Job;
    const literalFalse = isConstantFalse(job.condition.expr);
    const blockedBy =
      never.size === 0 ? undefined : (graph.upstream.get(name) ?? []).find((u) => never.has(u));
    const defaultCondition = job.condition.path === undefined;
    if (literalFalse) {
      never.add(name);
      sink.warning(
        'WF2103',
        job.condition.path ?? job.path,
        `job "${name}" can never run: its condition is always false`,
      );
    } else if (blockedBy !== undefined && defaultCondition) {
      never.add(name);
      sink.warning(
        'WF2103',
        [...job.path, 'name'],
        `job "${name}" can never run: it needs "${blockedBy}", which never runs`,
        {
          hint: 'give it an "if" such as always() if it should run anyway',
        },
      );
    }
  }
}

/** The structural checks, and the edges they resolved, for the graph. */
function structure(
  workflow: GraphSkeleton,
  source: SourceMap,
): { diagnostics: DiagnosticSink['list']; edges: JobEdges } {
  const sink = new DiagnosticSink(source);
  const edges = resolveEdges(workflow.jobs);
  checkNames(workflow, edges, sink, source);
  const before = sink.list.length;
  checkStageEdges(workflow, sink);
  const stageProblems = sink.list.length > before;
  checkNeeds(workflow, edges.index, sink);
  // A stage cycle makes every job in it a cycle too: report the cause once.
  if (!stageProblems) checkJobCycles(workflow, edges, sink);
  return { diagnostics: sink.list, edges };
}

/** Names, duplicates, unknown references, self-dependencies and cycles of any skeleton. */
export function checkStructure(workflow: GraphSkeleton, source: SourceMap): DiagnosticSink['list'] {
  return structure(workflow, source).diagnostics;
}

/** The structural checks, then the graph and the checks that need it. */
export function checkGraph(workflow: Workflow, source: SourceMap): GraphResult {
  const sink = new DiagnosticSink(source);
  const { diagnostics, edges } = structure(workflow, source);
  sink.list.push(...diagnostics);
  if (sink.hasErrors) return { diagnostics: sink.list };
  const graph = buildGraph(workflow, edges);
  checkArtifacts(workflow, graph, sink);
  warnNeverRuns(graph, sink);
  return sink.hasErrors ? { diagnostics: sink.list } : { graph, diagnostics: sink.list };
}
