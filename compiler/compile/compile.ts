import type { StateMachine } from '../asl/types.js';
import { type Diagnostic, sortDiagnostics } from '../diagnostics/diagnostic.js';
import { DiagnosticSink } from '../diagnostics/sink.js';
import type { WorkflowGraph } from '../graph/graph.js';
import type { Workflow } from '../ir.js';
import type { LowerContext, LowerOutputs } from '../lower/context.js';
import { flowFacts } from '../lower/flow.js';
import { lowerWorkflow } from '../lower/lower.js';
import { KeyAllocator, NameAllocator } from '../lower/names.js';
import { buildNodeGraph } from '../lower/nodes.js';
import { planBarrier, planExact } from '../lower/plan.js';
import type { SourceMap } from '../parse/source.js';
import { validateWorkflow } from '../validate-workflow.js';
import type { CompileOutput, CompileResult } from './output.js';
import { countStates, definitionBytes, successRun } from './stats.js';

export interface CompileOptions {
  /** `exact` (default): start every job when its own dependencies end. `barrier`: one Parallel per level, for benchmarks. */
  readonly lowering?: 'exact' | 'barrier';
}

/** Step Functions' hard limits, and where the compiler starts to worry. */
export const LIMITS = {
  definitionBytes: 1_048_576,
  historyEvents: 25_000,
  payloadBytes: 262_144,
} as const;

function sortedRecord<T>(entries: Iterable<[string, T]>): T[] {
  return [...entries].sort(([a], [b]) => a.localeCompare(b)).map(([, v]) => v);
}

/** Lowers a validated workflow to ASL and everything a deployer needs beside it. */
export function compile(
  workflow: Workflow,
  graph: WorkflowGraph,
  source: SourceMap,
  options: CompileOptions = {},
): CompileResult {
  const sink = new DiagnosticSink(source);
  const nodes = buildNodeGraph(workflow, graph);
  const plan = options.lowering === 'barrier' ? planBarrier(nodes) : planExact(nodes);
  const out: LowerOutputs = {
    taskDefinitions: new Map(),
    substitutions: new Map(),
    permissions: new Map(),
    stateMap: {},
    counters: new Set(),
    usesNetwork: false,
  };
  const ctx: LowerContext = {
    workflow,
    nodes,
    plan,
    flow: flowFacts(workflow, nodes, plan),
    names: new NameAllocator(),
    keys: new KeyAllocator(),
    sink,
    out,
  };
  const asl: StateMachine = lowerWorkflow(plan.root, ctx);
  const text = JSON.stringify(asl);
  const run = successRun(asl, out.stateMap);
  const bytes = definitionBytes(text);
  if (bytes > LIMITS.definitionBytes) {
    sink.error(
      'WF4001',
      ['spec', 'stages'],
      `the state machine definition would be ${bytes} bytes; Step Functions accepts at most ${LIMITS.definitionBytes}`,
      {
        hint: 'split the workflow into nested workflows',
      },
    );
  }
  if (run.events > LIMITS.historyEvents) {
    sink.error(
      'WF4001',
      ['spec', 'stages'],
      `a run would write about ${run.events} history events; a Standard execution holds at most ${LIMITS.historyEvents}`,
      {
        hint: 'split the workflow into nested workflows',
      },
    );
  }
  const diagnostics = sortDiagnostics(sink.list);
  if (sink.hasErrors) return { diagnostics };
  const stateMap = Object.fromEntries(Object.entries(out.stateMap).sort(([a], [b]) => a.localeCompare(b)));
  const output: CompileOutput = {
    asl,
    children: [],
    taskDefinitions: sortedRecord(out.taskDefinitions),
    substitutions: sortedRecord(out.substitutions),
    permissions: sortedRecord(out.permissions),
    stateMap,
    stats: {
      jobs: workflow.jobs.length,
      states: countStates(asl),
      gates: ctx.flow.gated.size,
      parts: 1,
      definitionBytes: bytes,
      estimatedHistoryEvents: run.events,
      transitionsPerRun: run.transitions,
      estimatedMaxPayloadBytes: 256 + ctx.flow.recorded.size * 48,
    },
  };
  return { diagnostics, output };
}

/** Validates and compiles a workflow file's text. Never throws on user input. */
export function compileWorkflow(text: string, file: string, options: CompileOptions = {}): CompileResult {
  const validated = validateWorkflow(text, file);
  const { workflow, graph, source } = validated;
  if (workflow === undefined || graph === undefined || source === undefined)
    return { diagnostics: validated.diagnostics };
  const compiled = compile(workflow, graph, source, options);
  const diagnostics: Diagnostic[] = sortDiagnostics([...validated.diagnostics, ...compiled.diagnostics]);
  return compiled.output === undefined ? { diagnostics } : { diagnostics, output: compiled.output };
}
