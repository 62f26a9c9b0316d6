import type { JsonValue, StateGraph, StateMachine, TaskState } from '../../compiler/asl/types.js';
import type { StateInfo } from '../../compiler/compile/output.js';
import type { EventQueue } from './event-queue.js';
import type { GateBoard } from './gates.js';

/** What `simulate` needs besides the state machine. */
export interface SimulateOptions {
  /** Every state of every machine, by name: `compile()`'s `stateMap`. */
  readonly stateMap: { readonly [stateName: string]: StateInfo };
  /** Child state machines started by `part` states, by name. @default none */
  readonly children?: ReadonlyMap<string, StateMachine>;
  /** How long a job's work takes, in seconds. */
  readonly durations: (job: string) => number;
  /** S: seconds from asking ECS for a task to its container running. @default 0 */
  readonly taskStartLatency?: number;
  /** g: seconds a gate takes to answer once it may, and a release or other Lambda call takes. @default 0 */
  readonly gateLatency?: number;
  /** The execution input. @default `{ params: {}, run: { id: 'sim-run' }, jobs: {} }` */
  readonly input?: JsonValue;
  /** Overrides the static result of a Task (before its ResultSelector), e.g. a job's outputs. @default by resource */
  readonly taskResult?: (target: TaskTarget) => JsonValue | undefined;
  /** The items a Map's `ItemReader` reads (a dynamic matrix's upstream output). @default none: an error */
  readonly itemReader?: (target: ItemReaderTarget) => ReadonlyArray<JsonValue>;
}

/** A Map about to read its items, with its `ItemReader.Parameters` evaluated. */
export interface ItemReaderTarget {
  readonly stateName: string;
  readonly parameters: JsonValue;
}

/** A Task about to produce its result. */
export interface TaskTarget {
  readonly stateName: string;
  readonly state: TaskState;
  readonly info: StateInfo | undefined;
}

/** When a job's work ran: `start` is when its run state was entered, `end` when it ended. */
export interface JobTiming {
  readonly start: number;
  readonly end: number;
}

/** What one state cost in a run (a state in a Map counts once per item). */
export interface StateCounts {
  readonly entered: number;
  readonly events: number;
}

/** What happened in a simulated run. */
export interface SimulationResult {
  readonly status: 'SUCCEEDED' | 'FAILED';
  /** The error and cause of a `Fail` state, when the run failed. */
  readonly failure?: { readonly error: string; readonly cause: string };
  /** When the top-level execution ended, in seconds from its start. */
  readonly makespan: number;
  readonly jobs: ReadonlyMap<string, JobTiming>;
  /** History events of every execution (the top-level one and its children). */
  readonly historyEvents: number;
  /** The largest history of one execution: the figure Step Functions' 25,000-event quota applies to. */
  readonly maxExecutionHistoryEvents: number;
  /**
   * The largest state input, output or raw result (UTF-8 bytes of its JSON) of any state: the
   * figure Step Functions' 256 KiB payload quota applies to.
   */
  readonly maxPayloadBytes: number;
  /** History events of the top-level execution alone (children, such as distributed Map items, apart). */
  readonly mainHistoryEvents: number;
  readonly executions: number;
  /** States entered, in every execution: what Standard workflows are billed on. */
  readonly transitions: number;
  /** How often each state was entered and the history events it wrote, by state name. */
  readonly states: ReadonlyMap<string, StateCounts>;
  /** The top-level execution's output. */
  readonly output: JsonValue;
}

/** One execution (the top-level one, or a child started by a `part` state). */
export interface ExecutionRecord {
  readonly name: string;
  readonly machineName: string;
  readonly input: JsonValue;
  historyEvents: number;
}

/** Where a state runs: its execution, and the Map item it works on, if any. */
export interface Frame {
  readonly execution: ExecutionRecord;
  readonly mapItem?: { readonly Index: number; readonly Value: JsonValue };
}

/** Called with a state's or a graph's output when it ends. */
export type Done = (output: JsonValue) => void;

/** What Parallel, Map and Task semantics need from the interpreter. */
export interface Host {
  readonly queue: EventQueue;
  readonly gates: GateBoard;
  /** Jobs the recorder releases when their run Task succeeds (`releasedOnSuccess` in the state map). */
  readonly releasedOnSuccess: ReadonlySet<string>;
  readonly options: SimulateOptions;
  runGraph(graph: StateGraph, input: JsonValue, frame: Frame, done: Done): void;
  /** Adds history events of a state to the frame's execution. */
  record(frame: Frame, stateName: string, events: number): void;
  /** The context object (`$$`) seen by a state. */
  contextObject(frame: Frame, stateName: string, token?: string): JsonValue;
  /** Runs a graph to completion as an execution of its own (a child machine, a distributed Map item). */
  startExecution(machineName: string, graph: StateGraph, input: JsonValue, done: Done): void;
  /** Notes the start or the end of a job's work. */
  jobEvent(job: string, kind: 'start' | 'end'): void;
}
