import type { Job, Workflow, WorkflowGraph } from '../compiler/index.js';

/** Direct dependencies minus those implied by another one (the transitive reduction). */
function reducedUpstream(graph: WorkflowGraph, name: string): string[] {
  const direct = graph.upstream.get(name) ?? [];
  return direct.filter((u) => !direct.some((v) => v !== u && graph.ancestors.get(v)?.has(u)));
}

function label(job: Job): string {
  const kind =
    job.kind === 'approval' ? 'approval' : job.kind === 'workflow' ? `workflow ${job.workflow}` : job.image;
  const matrix =
    job.matrix === undefined ? '' : job.matrix.kind === 'static' ? ` x${job.matrix.items.length}` : ' xN';
  return `${job.name}${matrix}\\n${kind}`;
}

function mermaidId(name: string): string {
  return `j_${name.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

/** A Mermaid flowchart: one subgraph per stage, edges of the transitive reduction. */
export function toMermaid(workflow: Workflow, graph: WorkflowGraph): string {
  const lines = ['flowchart TD'];
  workflow.stages.forEach((stage, i) => {
    lines.push(`  subgraph s${i}["${stage.name}"]`);
    for (const name of stage.jobs) {
      const job = graph.jobs.get(name);
      if (job === undefined) continue;
      const text = label(job).replace(/\\n/g, '<br/>').replace(/"/g, '#quot;');
      lines.push(
        job.kind === 'approval' ? `    ${mermaidId(name)}{{"${text}"}}` : `    ${mermaidId(name)}["${text}"]`,
      );
    }
    lines.push('  end');
  });
  for (const name of graph.order) {
    for (const up of reducedUpstream(graph, name)) lines.push(`  ${mermaidId(up)} --> ${mermaidId(name)}`);
  }
  return `${lines.join('\n')}\n`;
}

function dotString(text: string): string {
  return `"${text.replace(/\\(?!n)/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** A Graphviz digraph: one cluster per stage, edges of the transitive reduction. */
export function toDot(workflow: Workflow, graph: WorkflowGraph): string {
  const lines = [
    `digraph ${dotString(workflow.name)} {`,
    '  rankdir=TB;',
    '  node [shape=box, fontname="Helvetica"];',
  ];
  workflow.stages.forEach((stage, i) => {
    lines.push(`  subgraph cluster_${i} {`, `    label=${dotString(stage.name)};`);
    for (const name of stage.jobs) {
      const job = graph.jobs.get(name);
      if (job === undefined) continue;
      const shape = job.kind === 'approval' ? ', shape=hexagon' : '';
      lines.push(`    ${dotString(name)} [label=${dotString(label(job))}${shape}];`);
    }
    lines.push('  }');
  });
  for (const name of graph.order) {
    for (const up of reducedUpstream(graph, name)) lines.push(`  ${dotString(up)} -> ${dotString(name)};`);
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}
