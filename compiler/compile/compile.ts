import type { StateMachine } from '../asl/types.js';
import { type Diagnostic, sortDiagnostics } from '../diagnostics/diagnostic.js';
import { DiagnosticSink } from '../diagnostics/sink.js';
import type { WorkflowGraph } from '../graph/graph.js';
import type { Workflow } from '../ir.js';
import { executionRolePermissions, taskRolePermissions } from '../kinds/container-iam.js';
import {
  type FlowFacts,
  type LowerContext,
  type LoweredNode,
  type LowerOutputs,
  uniqueKeyRecord,
} from '../lower/context.js';
import { flowFacts } from '../lower/flow.js';
import { lowerWorkflow } from '../lower/lower.js';
import { KeyAllocator, NameAllocator } from '../lower/names.js';
import { buildNodeGraph, type NodeGraph } from '../lower/nodes.js';
import { type Block, type Plan, planBarrier, planExact } from '../lower/plan.js';
import type { ReusedResult } from '../lower/reuse.js';
import { splitPlan } from '../lower/split.js';
import { useSubstitution } from '../lower/substitutions.js';
import type { SourceMap } from '../parse/source.js';
import { toEventBridgeCron } from '../units/cron.js';
import { validateWorkflow } from '../validate-workflow.js';
import type { CompileOutput, CompileResult, ScheduleSpec, StateMachineOutput } from './output.js';
import {
  countStates,
  definitionBytes,
  estimatedPayload,
  itemsBytes,
  LIMITS,
  type SizeCache,
  statesBytes,
  successRun,
} from './stats.js';

export interface CompileOptions {
  /** `exact` (default): start every job when its own dependencies end. `barrier`: one Parallel per level, for benchmarks. */
  readonly lowering?: 'exact' | 'barrier';
  /** Where splitting starts and what a part aims for; tests lower them to split small workflows. */
  readonly split?: { readonly at: SizeLimits; readonly part: SizeLimits };
  /** A rerun's reused jobs and their earlier results: each is one `Pass` (docs/compilation.md, "Rerun"). */
  readonly reuse?: ReadonlyMap<string, ReusedResult>;
  /**
   * The name the workflow's state machine is deployed under, when not the workflow's (a rerun
   * machine): a split workflow's parts are named after it, `<machine>--part-<n>`.
   */
  readonly machine?: string;
}

export interface SizeLimits {
  readonly definitionBytes: number;
  readonly historyEvents: number;
}

export { LIMITS } from './stats.js';

/** Past `at`, the compiler splits the workflow into child executions that aim for `part`. */
const SPLIT = {
  at: { definitionBytes: 800 * 1024, historyEvents: 20_000 },
  // Room left for the part and gate states a split adds.
  part: { definitionBytes: 600 * 1024, historyEvents: 15_000 },
} as const;

interface Lowered {
  readonly asl: StateMachine;
  readonly ctx: LowerContext;
  readonly machines: ReadonlyArray<Measured>;
}

interface Measured {
  readonly name: string;
  readonly asl: StateMachine;
  readonly bytes: number;
  /** History events and transitions of a successful run. */
  readonly events: number;
  readonly transitions: number;
  /** The largest history of one item of a distributed Map (a child execution of its own). */
  readonly itemEvents: number;
}

/** `localeCompare`'s order; one collator, since `localeCompare` per pair costs a lookup each time. */
const byLocale = new Intl.Collator().compare;

function sortedRecord<T>(entries: Iterable<[string, T]>): T[] {
  return [...entries].sort(([a], [b]) => byLocale(a, b)).map(([, v]) => v);
}

/**
 * A copy with the keys in code unit order: tens of thousands of state names, which a collator
 * took a third of the output's time to sort.
 */
function sortedByName<T>(record: Readonly<Record<string, T>>): Record<string, T> {
  const sorted = uniqueKeyRecord<T>();
  for (const name of Object.keys(record).sort()) sorted[name] = record[name] as T;
  return sorted;
}

/** What the caller gives every lowering of a compile. */
type Given = Pick<CompileOptions, 'reuse' | 'machine'>;

/** What a second lowering of the same workflow (a split) takes over from the first. */
interface Earlier {
  readonly out: LowerOutputs;
  readonly keys: KeyAllocator;
  readonly nodes: ReadonlyMap<number, LoweredNode>;
  readonly sizes: SizeCache;
}

function lowerOnce(
  workflow: Workflow,
  nodes: NodeGraph,
  plan: Plan,
  flow: FlowFacts,
  root: Block,
  sink: DiagnosticSink,
  given: Given,
  earlier?: Earlier,
): Unmeasured {
  // Task definitions, substitutions, IAM and counters are the workflow's, split or not.
  const out: LowerOutputs =
    earlier === undefined
      ? {
          taskDefinitions: new Map(),
          taskDefinitionsByContent: new Map(),
          substitutions: new Map(),
          permissions: new Map(),
          stateMap: uniqueKeyRecord(),
          counters: new Set(),
          usesNetwork: false,
          children: [],
          carried: [],
        }
      : { ...earlier.out, stateMap: uniqueKeyRecord(), children: [], carried: [] };
  const record = new Map<number, LoweredNode>();
  const ctx: LowerContext = {
    workflow,
    nodes,
    plan,
    flow,
    names: new NameAllocator(),
    keys: earlier?.keys ?? new KeyAllocator(),
    sink,
    out,
    ...(given.reuse === undefined ? {} : { reuse: given.reuse }),
    ...(given.machine === undefined ? {} : { machine: given.machine }),
    ...(earlier === undefined
      ? { record }
      : { replay: { nodes: earlier.nodes, stateMap: earlier.out.stateMap } }),
  };
  return { asl: lowerWorkflow(root, ctx), ctx, record, sizes: earlier?.sizes ?? new Map() };
}

interface Unmeasured {
  readonly asl: StateMachine;
  readonly ctx: LowerContext;
  readonly record: Map<number, LoweredNode>;
  readonly sizes: SizeCache;
}

function measure(name: string, machine: StateMachine, lowered: Unmeasured): Measured {
  return {
    name,
    asl: machine,
    bytes: definitionBytes(machine, lowered.sizes),
    ...successRun(machine, lowered.ctx.out.stateMap),
  };
}

/** Every machine of a lowering measured: the workflow's, then its parts'. */
function measured(workflow: Workflow, lowered: Unmeasured): Lowered {
  const { asl, ctx } = lowered;
  return {
    asl,
    ctx,
    machines: [
      measure(workflow.name, asl, lowered),
      ...ctx.out.children.map((c) => measure(c.name, c.asl, lowered)),
    ],
  };
}

/**
 * Bytes of every node's own states, each measured once: the sizes the parts of a split are
 * measured from later, so this costs no more than the split's own measures. A lower bound of
 * the whole machine's size, which adds the structure (Parallel states and branches) around them.
 */
function nodeBytes(lowered: Unmeasured): number {
  let bytes = 0;
  for (const node of lowered.record.values())
    bytes += statesBytes(node.fragment.states, lowered.sizes, node.names);
  return bytes;
}

/** The number of nodes a part may hold, from what one node costs in the unsplit machine. */
function partBudget(bytes: number, events: number, nodes: number, part: SizeLimits): number {
  const bytesPerNode = bytes / nodes;
  const eventsPerNode = events / nodes;
  return Math.max(
    1,
    Math.floor(Math.min(part.definitionBytes / bytesPerNode, part.historyEvents / eventsPerNode)),
  );
}

/**
 * Lowers the unsplit plan and keeps it when it is within `at`; else returns the part budget
 * and what the split lowering reuses (the nodes' states), not the unsplit machine, so that
 * its structure is garbage before the split one is built.
 */
function lowerWhole(
  workflow: Workflow,
  nodes: NodeGraph,
  plan: Plan,
  flow: FlowFacts,
  sink: DiagnosticSink,
  split: NonNullable<CompileOptions['split']>,
  given: Given,
): { readonly lowered: Lowered } | { readonly budget: number; readonly earlier: Earlier } {
  const lowered = lowerOnce(workflow, nodes, plan, flow, plan.root, sink, given);
  const count = nodes.nodes.length;
  const run = successRun(lowered.asl, lowered.ctx.out.stateMap);
  const { events } = run;
  // The nodes alone past the threshold: the whole is too, and needs no measure of its own.
  const own = nodeBytes(lowered);
  const bytes = own > split.at.definitionBytes ? own : definitionBytes(lowered.asl, lowered.sizes);
  if (bytes <= split.at.definitionBytes && events <= split.at.historyEvents) {
    // Measured already: the unsplit machine has no parts.
    const main: Measured = { name: workflow.name, asl: lowered.asl, bytes, ...run };
    return { lowered: { asl: lowered.asl, ctx: lowered.ctx, machines: [main] } };
  }
  return {
    budget: partBudget(bytes, events, count, split.part),
    earlier: { out: lowered.ctx.out, keys: lowered.ctx.keys, nodes: lowered.record, sizes: lowered.sizes },
  };
}

function checkLimits(lowered: Lowered, sink: DiagnosticSink): void {
  for (const machine of lowered.machines) {
    if (machine.bytes > LIMITS.definitionBytes || machine.events > LIMITS.historyEvents) {
      sink.error(
        'WF4001',
        ['spec', 'stages'],
        `state machine ${machine.name} would be ${machine.bytes} bytes with about ${machine.events} history events per run, even split; Step Functions allows ${LIMITS.definitionBytes} bytes and ${LIMITS.historyEvents} events`,
        { hint: 'split the workflow into nested workflows' },
      );
    }
  }
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
  const flow = flowFacts(workflow, nodes, plan);
  const whole = lowerWhole(workflow, nodes, plan, flow, sink, options.split ?? SPLIT, options);
  // The split plan lowered afresh, reusing the nodes' states: names and order stay deterministic.
  const lowered =
    'lowered' in whole
      ? whole.lowered
      : measured(
          workflow,
          lowerOnce(
            workflow,
            nodes,
            plan,
            flow,
            splitPlan(plan.root, whole.budget),
            new DiagnosticSink(source),
            options,
            whole.earlier,
          ),
        );
  checkLimits(lowered, sink);
  const payload = estimatedPayload(flow.recorded.size);
  if (payload > LIMITS.payloadBytes) {
    sink.warning(
      'WF4001',
      ['spec', 'stages'],
      `the state of a run may reach about ${Math.round(payload / 1024)} KB (${flow.recorded.size} job results are kept for conditions and outputs); Step Functions allows 256 KB per state`,
      { hint: 'read fewer needs.<job> results and outputs, or split the workflow into nested workflows' },
    );
  }
  const diagnostics = sortDiagnostics(sink.list);
  if (sink.hasErrors) return { diagnostics };
  return { diagnostics, output: output(workflow, lowered) };
}

function output(workflow: Workflow, lowered: Lowered): CompileOutput {
  const { asl, ctx, machines } = lowered;
  const { out } = ctx;
  const main = machines[0] as Measured;
  const children: StateMachineOutput[] = out.children.map((c) => ({ name: c.name, asl: c.asl }));
  const taskDefinitions = sortedRecord(out.taskDefinitions);
  // Before the substitutions are listed: the roles' IAM may use some the ASL does not.
  const placeholder = (name: string) => useSubstitution(out, name);
  const taskRole = taskRolePermissions(workflow, placeholder);
  const executionRole = executionRolePermissions(taskDefinitions, placeholder);
  return {
    asl,
    children,
    taskDefinitions,
    substitutions: sortedRecord(out.substitutions),
    permissions: sortedRecord(out.permissions),
    taskRolePermissions: taskRole,
    executionRolePermissions: executionRole,
    schedules: scheduleSpecs(workflow),
    concurrency: workflow.concurrency,
    stateMap: sortedByName(out.stateMap),
    stats: {
      jobs: workflow.jobs.length,
      states: machines.reduce((sum, m) => sum + countStates(m.asl), 0),
      gates: ctx.flow.gated.size,
      parts: machines.length,
      definitionBytes: main.bytes,
      estimatedHistoryEvents: Math.max(...machines.map((m) => Math.max(m.events, m.itemEvents))),
      transitionsPerRun: machines.reduce((sum, m) => sum + m.transitions, 0),
      // The largest static matrix's items sit in the state while its Map runs.
      estimatedMaxPayloadBytes:
        estimatedPayload(ctx.flow.recorded.size) +
        Math.max(
          0,
          ...workflow.jobs.map((j) => (j.matrix?.kind === 'static' ? itemsBytes(j.matrix.items) : 0)),
        ),
    },
  };
}

/** The workflow's schedules in EventBridge Scheduler form (validated by `normalize`). */
function scheduleSpecs(workflow: Workflow): ScheduleSpec[] {
  return workflow.schedules.flatMap((schedule) => {
    const expression = toEventBridgeCron(schedule.cron);
    if (!expression.ok) return [];
    const { cron, timezone, params } = schedule;
    return [{ cron, expression: expression.value, timezone, params }];
  });
}

/** Validates and compiles a workflow file's text. Never throws on user input. */
export function compileWorkflow(text: string, file: string, options: CompileOptions = {}): CompileResult {
  const validated = validateWorkflow(text, file);
  const { workflow, graph, source } = validated;
  if (workflow === undefined || graph === undefined || source === undefined)
    return { diagnostics: validated.diagnostics };
  const compiled = compile(workflow, graph, source, options);
  const diagnostics: Diagnostic[] = sortDiagnostics([...validated.diagnostics, ...compiled.diagnostics]);
  return compiled.output === undefined
    ? { diagnostics, workflow }
    : { diagnostics, output: compiled.output, workflow };
}
