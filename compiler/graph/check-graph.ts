import { DiagnosticSink } from '../diagnostics/sink.js';
import { didYouMean } from '../diagnostics/suggest.js';
import type { Job, Workflow } from '../ir.js';
import { isConstantFalse } from '../normalize/condition.js';
import type { SourceMap } from '../parse/source.js';
import { findCycles } from './cycles.js';
import type { GraphSkeleton } from './skeleton.js';

type SkeletonJob = GraphSkeleton['jobs'][number];

import { buildGraph, type WorkflowGraph } from './graph.js';

export interface GraphResult {
  readonly graph?: WorkflowGraph;
  readonly diagnostics: DiagnosticSink['list'];
}

function checkNames(workflow: GraphSkeleton, sink: DiagnosticSink, source: SourceMap): void {
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

function checkNeeds(workflow: GraphSkeleton, sink: DiagnosticSink): void {
  const names = new Set(workflow.jobs.map((j) => j.name));
  for (const job of workflow.jobs) {
    job.needs.forEach((need, i) => {
      const path = [...job.path, 'needs', i];
      if (need === job.name) sink.error('WF2005', path, `job "${job.name}" needs itself`);
      else if (!names.has(need)) {
        sink.error(
          'WF2003',
          path,
          `job "${job.name}" needs "${need}", which does not exist${didYouMean(need, names)}`,
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

function checkJobCycles(workflow: GraphSkeleton, sink: DiagnosticSink): void {
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
    const blockedBy = (graph.upstream.get(name) ?? []).find((u) => never.has(u));
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

/** Names, duplicates, unknown references, self-dependencies and cycles of any skeleton. */
export function checkStructure(workflow: GraphSkeleton, source: SourceMap): DiagnosticSink['list'] {
  const sink = new DiagnosticSink(source);
  checkNames(workflow, sink, source);
  const before = sink.list.length;
  checkStageEdges(workflow, sink);
  const stageProblems = sink.list.length > before;
  checkNeeds(workflow, sink);
  // A stage cycle makes every job in it a cycle too: report the cause once.
  if (!stageProblems) checkJobCycles(workflow, sink);
  return sink.list;
}

/** The structural checks, then the graph and the checks that need it. */
export function checkGraph(workflow: Workflow, source: SourceMap): GraphResult {
  const sink = new DiagnosticSink(source);
  sink.list.push(...checkStructure(workflow, source));
  if (sink.hasErrors) return { diagnostics: sink.list };
  const graph = buildGraph(workflow);
  checkArtifacts(workflow, graph, sink);
  warnNeverRuns(graph, sink);
  return sink.hasErrors ? { diagnostics: sink.list } : { graph, diagnostics: sink.list };
}
