import type { JsonValue, PayloadTemplate, State, StateGraph } from '../asl/types.js';
import type {
  PermissionSpec,
  StateInfo,
  StateMachineOutput,
  SubstitutionSpec,
  TaskDefinitionSpec,
} from '../compile/output.js';
import type { DiagnosticSink } from '../diagnostics/sink.js';
import type { Workflow } from '../ir.js';
import type { ExprResolver } from './expressions.js';
import type { KeyAllocator, NameAllocator } from './names.js';
import type { NodeGraph } from './nodes.js';
import type { Plan } from './plan.js';
import type { ReusedResult } from './reuse.js';

/** States built for a piece of the graph, entered at `start`. */
export interface Fragment {
  readonly start: string;
  readonly states: Readonly<Record<string, State>>;
}

/** What the data flow needs, decided once for the whole graph before states are built. */
export interface FlowFacts {
  /** Nodes whose result is written to `$.jobs.<key>`. */
  readonly recorded: ReadonlySet<string>;
  /** Nodes that decide whether they run (their own `if`, or an upstream that may not be ok). */
  readonly checked: ReadonlySet<string>;
  /** Gated upstream node names of each node. */
  readonly gated: ReadonlyMap<string, ReadonlyArray<string>>;
  /** Nodes with gated dependants: they release them when they end. */
  readonly releases: ReadonlySet<string>;
  /** Gated nodes whose gate writes the upstream results to `$.gates.<key>`. */
  readonly gateOutputs: ReadonlySet<string>;
}

/** Collects the side outputs of lowering: task definitions, substitutions, IAM, the state map. */
export interface LowerOutputs {
  readonly taskDefinitions: Map<string, TaskDefinitionSpec>;
  /** Task definition substitutions by their content, so that jobs sharing one hash it once. */
  readonly taskDefinitionsByContent: Map<string, string>;
  readonly substitutions: Map<string, SubstitutionSpec>;
  readonly permissions: Map<string, PermissionSpec>;
  readonly stateMap: Record<string, StateInfo>;
  /** Keys of the jobs with a retry loop: their counters start at `{ n: 0 }`. */
  readonly counters: Set<string>;
  /** Whether a container task needs the awsvpc configuration at `$.net`. */
  usesNetwork: boolean;
  /** Child state machines of a split workflow, in the order their parts were lowered. */
  readonly children: StateMachineOutput[];
  /** Templates that carry the run's fixed fields, and where from (`carried`). */
  readonly carried: Array<{ readonly base: string; readonly template: Record<string, JsonValue> }>;
}

export interface LowerContext {
  readonly workflow: Workflow;
  readonly nodes: NodeGraph;
  readonly plan: Plan;
  readonly flow: FlowFacts;
  readonly names: NameAllocator;
  readonly keys: KeyAllocator;
  readonly sink: DiagnosticSink;
  readonly out: LowerOutputs;
  /** A rerun's reused jobs and their earlier results: each is lowered as one `Pass` (reuse.ts). */
  readonly reuse?: ReadonlyMap<string, ReusedResult>;
  /** The name the machine is deployed under, when not the workflow's: parts are named after it. */
  readonly machine?: string;
  /** Where each node's lowering is written down, so that a later lowering can reuse it. */
  readonly record?: Map<number, LoweredNode>;
  /** Nodes an earlier lowering of the same workflow built (see `lowerBlock`), and its state map. */
  readonly replay?: {
    readonly nodes: ReadonlyMap<number, LoweredNode>;
    readonly stateMap: Readonly<Record<string, StateInfo>>;
  };
}

/**
 * A node as one lowering built it: a split lowers the workflow a second time, and the states
 * of a node that continues to the same state come out the same; reusing them halves the work.
 */
export interface LoweredNode {
  readonly next: string | undefined;
  readonly fragment: Fragment;
  /** Every name the node took (the earlier state map has the entries of those that name a state). */
  readonly names: ReadonlyArray<string>;
}

/** What a job kind gets to build the states that do the job's work. */
export interface RunRequest {
  readonly ctx: LowerContext;
  /** The job's key in `$.jobs`, `$.a` and `$.gates`. */
  readonly key: string;
  /** A unique state name for the job (`suffix` empty) or one of its helper states. */
  readonly stateName: (suffix?: string) => string;
  /** Where to go when the job succeeded; undefined ends the branch. */
  readonly successNext: string | undefined;
  /** Where to go when the job failed for good; undefined fails the run with the job's error. */
  readonly failureNext: string | undefined;
  /** Where the job's result `{ r, ok, x?, o? }` is written, or null when nothing reads it. */
  readonly resultPath: string | null;
  readonly resolver: ExprResolver;
  /** Registers the job's attempt counter (initialised when the run starts); returns its path. */
  readonly counter: () => string;
}

/**
 * An empty record for keys that are unique names: states by name, counters by job key. V8
 * gives an object that gets keys one by one a new hidden class per key, which unique names
 * never share: about five times the cost of the hash insert of a dictionary-mode object, and a
 * third of the lowering's time. Deleting a property other than the last one added switches an
 * object to dictionary mode, so the record starts there. Its content, key order and prototype
 * are those of `{}`.
 */
export function uniqueKeyRecord<T>(): Record<string, T> {
  const record: Record<string, unknown> = { first: 0, last: 0 };
  delete record.first;
  delete record.last;
  return record as Record<string, T>;
}

/** A record of states by name, from entries in order. */
export function stateRecord(...entries: ReadonlyArray<readonly [string, State]>): Record<string, State> {
  const states = uniqueKeyRecord<State>();
  for (const [name, state] of entries) states[name] = state;
  return states;
}

/**
 * Copies states into `into`, in order, and returns it. A loop instead of `Object.assign`, which
 * takes its slow path for records in dictionary mode (see `uniqueKeyRecord`) at twice the cost.
 */
export function addStates(
  into: Record<string, State>,
  ...from: ReadonlyArray<Readonly<Record<string, State>> | undefined>
): Record<string, State> {
  for (const states of from) {
    if (states === undefined) continue;
    for (const name in states) into[name] = states[name] as State;
  }
  return into;
}

/** What a reserved name holds until its state is built; never left in a finished record. */
const RESERVED: State = Object.freeze({ Type: 'Fail', Error: 'Waterflow.Reserved' }) as State;

/**
 * Keeps `name`'s place in `states` for a state built later: a record lists its keys in the
 * order they were first set, so a state that must come first need not be copied to the front.
 */
export function reserve(states: Record<string, State>, name: string): void {
  states[name] = RESERVED;
}

/** `Next` or `End` for a state. */
export function transition(next: string | undefined): { Next: string } | { End: true } {
  return next === undefined ? { End: true } : { Next: next };
}

/** A nested graph of states from a fragment. */
export function graphOf(fragment: Fragment): StateGraph {
  return { StartAt: fragment.start, States: fragment.states };
}

/**
 * The parts of the state every state may read, copied from `base` when a state is rebuilt,
 * then `fields`. Whether the workflow has `net` and `a` is only known once every job is
 * lowered, so the template is kept to be completed then (`completeCarried`).
 */
export function carried(ctx: LowerContext, base: string, fields: PayloadTemplate = {}): PayloadTemplate {
  return keepCarried(ctx, base, {
    'params.$': `${base}.params`,
    'run.$': `${base}.run`,
    ...(ctx.out.usesNetwork ? { 'net.$': `${base}.net` } : {}),
    ...(ctx.out.counters.size > 0 ? { 'a.$': `${base}.a` } : {}),
    ...fields,
  });
}

/** Keeps a template that carries the run's fixed fields from `base`, to be completed after lowering. */
export function keepCarried(
  ctx: LowerContext,
  base: string,
  template: Record<string, JsonValue>,
): PayloadTemplate {
  ctx.out.carried.push({ base, template });
  return template;
}
