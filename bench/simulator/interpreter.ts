import type {
  JsonValue,
  MapState,
  ParallelState,
  PassState,
  PayloadTemplate,
  State,
  StateGraph,
  TaskState,
  WaitState,
} from '../../compiler/asl/types.js';
import { runMap, runParallel } from './blocks.js';
import { chooseNext } from './choice.js';
import { invalidAsl } from './errors.js';
import { EventQueue } from './event-queue.js';
import { GateBoard } from './gates.js';
import { HISTORY_EVENTS, taskEvents } from './history.js';
import { applyResultPath, requirePath, selectPath } from './json-path.js';
import { evaluateTemplate } from './payload.js';
import { startTask } from './tasks.js';
import type { Done, ExecutionRecord, Frame, Host, JobTiming, SimulateOptions } from './types.js';

/** The virtual date of time 0, so that `$$.State.EnteredTime` is deterministic. */
const EPOCH = Date.UTC(2026, 0, 1);

function isObject(value: JsonValue | undefined): value is { [key: string]: JsonValue } {
  return value !== null && value !== undefined && typeof value === 'object' && !Array.isArray(value);
}

/** A state that may reshape its result: Task, Parallel, Map. */
interface Resulting {
  readonly ResultSelector?: PayloadTemplate;
  readonly ResultPath?: string | null;
  readonly OutputPath?: string | null;
}

/** Interprets ASL states on the event queue's virtual clock; `simulate()` drives it. */
export class Interpreter implements Host {
  readonly queue = new EventQueue();
  readonly gates = new GateBoard();
  readonly executions: ExecutionRecord[] = [];
  readonly jobs = new Map<string, { start: number; end: number }>();
  readonly states = new Map<string, { entered: number; events: number }>();
  transitions = 0;
  /** The largest state input or raw result seen, in UTF-8 bytes of its JSON. */
  maxPayloadBytes = 0;
  failure: { readonly error: string; readonly cause: string; readonly time: number } | undefined;
  readonly releasedOnSuccess: ReadonlySet<string>;
  private tokens = 0;

  constructor(readonly options: SimulateOptions) {
    const released = Object.values(options.stateMap).filter((info) => info.releasedOnSuccess === true);
    this.releasedOnSuccess = new Set(released.flatMap((info) => (info.job === undefined ? [] : [info.job])));
  }

  startExecution(machineName: string, graph: StateGraph, input: JsonValue, done: Done): void {
    // The top-level execution is named after the run id, as the submit handler names it.
    const run = isObject(input) ? input.run : undefined;
    const runId = isObject(run) ? run.id : undefined;
    const name =
      this.executions.length === 0 && typeof runId === 'string'
        ? runId
        : `${machineName}-${this.executions.length}`;
    const execution: ExecutionRecord = { name, machineName, input, historyEvents: HISTORY_EVENTS.execution };
    this.executions.push(execution);
    this.runGraph(graph, input, { execution }, done);
  }

  runGraph(graph: StateGraph, input: JsonValue, frame: Frame, done: Done): void {
    this.enter(graph, graph.StartAt, input, frame, done);
  }

  record(frame: Frame, stateName: string, events: number): void {
    frame.execution.historyEvents += events;
    this.count(stateName).events += events;
  }

  /** The counters of a state, created on first use. */
  count(stateName: string): { entered: number; events: number } {
    let counts = this.states.get(stateName);
    if (counts === undefined) {
      counts = { entered: 0, events: 0 };
      this.states.set(stateName, counts);
    }
    return counts;
  }

  jobEvent(job: string, kind: 'start' | 'end'): void {
    if (this.failure !== undefined) return;
    const now = this.queue.now;
    const timing = this.jobs.get(job);
    if (timing === undefined) this.jobs.set(job, { start: now, end: kind === 'end' ? now : Number.NaN });
    else if (kind === 'end') timing.end = now;
  }

  contextObject(frame: Frame, stateName: string, token?: string): JsonValue {
    const { execution } = frame;
    const machineId = `arn:aws:states:eu-west-1:123456789012:stateMachine:${execution.machineName}`;
    return {
      Execution: {
        Id: `arn:aws:states:eu-west-1:123456789012:execution:${execution.machineName}:${execution.name}`,
        Name: execution.name,
        Input: execution.input,
        StartTime: new Date(EPOCH).toISOString(),
        RoleArn: 'arn:aws:iam::123456789012:role/waterflow-simulator',
      },
      StateMachine: { Id: machineId, Name: execution.machineName },
      State: {
        Name: stateName,
        EnteredTime: new Date(EPOCH + this.queue.now * 1000).toISOString(),
        RetryCount: 0,
      },
      ...(token === undefined ? {} : { Task: { Token: token } }),
      ...(frame.mapItem === undefined ? {} : { Map: { Item: frame.mapItem } }),
    };
  }

  private enter(graph: StateGraph, name: string, input: JsonValue, frame: Frame, done: Done): void {
    this.queue.schedule(0, () => this.step(graph, name, input, frame, done));
  }

  private step(graph: StateGraph, name: string, input: JsonValue, frame: Frame, done: Done): void {
    if (this.failure !== undefined) return;
    const state = Object.hasOwn(graph.States, name) ? graph.States[name] : undefined;
    if (state === undefined)
      throw invalidAsl(`state "${name}" does not exist (from ${graph.StartAt}'s graph)`);
    this.transitions++;
    this.count(name).entered++;
    this.payload(input);
    const next: Done = (output) => {
      if ('Next' in state && typeof state.Next === 'string')
        this.enter(graph, state.Next, output, frame, done);
      else done(output);
    };
    this.dispatch(state, name, input, frame, { graph, next, done });
  }

  private dispatch(state: State, name: string, input: JsonValue, frame: Frame, flow: Flow): void {
    const where = `state "${name}"`;
    switch (state.Type) {
      case 'Task':
        this.task(state, name, input, frame, flow.next);
        break;
      case 'Pass':
        this.record(frame, name, HISTORY_EVENTS.simple);
        flow.next(this.pass(state, name, input, frame));
        break;
      case 'Wait':
        this.record(frame, name, HISTORY_EVENTS.simple);
        this.wait(state, name, input, frame, flow.next);
        break;
      case 'Choice': {
        this.record(frame, name, HISTORY_EVENTS.simple);
        const data = selectPath(input, state.InputPath, where);
        const target = chooseNext(state, { data, context: this.contextObject(frame, name), where });
        this.enter(flow.graph, target, selectPath(data, state.OutputPath, where), frame, flow.done);
        break;
      }
      case 'Succeed':
        this.record(frame, name, HISTORY_EVENTS.simple);
        flow.done(selectPath(selectPath(input, state.InputPath, where), state.OutputPath, where));
        break;
      case 'Fail':
        this.record(frame, name, HISTORY_EVENTS.fail);
        this.failure = {
          error: state.Error ?? 'States.Fail',
          cause: state.Cause ?? '',
          time: this.queue.now,
        };
        break;
      case 'Parallel':
      case 'Map':
        this.block(state, name, input, frame, flow.next);
        break;
    }
  }

  /** A Parallel or a Map: InputPath, Parameters, the branches or items, then the result fields. */
  private block(
    state: ParallelState | MapState,
    name: string,
    input: JsonValue,
    frame: Frame,
    next: Done,
  ): void {
    const selected = selectPath(input, state.InputPath, `state "${name}"`);
    const template = state.Type === 'Parallel' ? state.Parameters : undefined;
    const effective = this.parameters(template, name, selected, frame);
    const finish = (outputs: JsonValue) => next(this.result(state, name, input, outputs, frame));
    if (state.Type === 'Parallel') runParallel(this, state, name, effective, frame, finish);
    else runMap(this, state, name, effective, frame, finish);
  }

  private task(state: TaskState, name: string, input: JsonValue, frame: Frame, next: Done): void {
    const token = state.Resource.endsWith('.waitForTaskToken') ? `token-${this.tokens++}` : undefined;
    const where = `state "${name}"`;
    const effective = selectPath(input, state.InputPath, where);
    const parameters =
      state.Parameters === undefined
        ? effective
        : evaluateTemplate(state.Parameters, {
            data: effective,
            context: this.contextObject(frame, name, token),
            where,
          });
    this.record(frame, name, taskEvents(state.Resource));
    const info = Object.hasOwn(this.options.stateMap, name) ? this.options.stateMap[name] : undefined;
    startTask(this, {
      stateName: name,
      state,
      info,
      parameters,
      finish: (raw) => next(this.result(state, name, input, raw, frame)),
    });
  }

  private pass(state: PassState, name: string, input: JsonValue, frame: Frame): JsonValue {
    const where = `state "${name}"`;
    const effective = selectPath(input, state.InputPath, where);
    const result =
      state.Parameters !== undefined
        ? evaluateTemplate(state.Parameters, {
            data: effective,
            context: this.contextObject(frame, name),
            where,
          })
        : (state.Result ?? effective);
    return selectPath(applyResultPath(input, result, state.ResultPath), state.OutputPath, where);
  }

  private wait(state: WaitState, name: string, input: JsonValue, frame: Frame, next: Done): void {
    const where = `state "${name}"`;
    const effective = selectPath(input, state.InputPath, where);
    const seconds =
      state.SecondsPath === undefined
        ? state.Seconds
        : requirePath(state.SecondsPath, effective, this.contextObject(frame, name), where);
    if (typeof seconds !== 'number' || seconds < 0)
      throw invalidAsl(`${where}: Wait needs a number of seconds`);
    this.queue.schedule(seconds, () => next(selectPath(input, state.OutputPath, where)));
  }

  /** InputPath, then Parameters: the input a Parallel's branches or a Map's items see. */
  private parameters(
    template: PayloadTemplate | undefined,
    name: string,
    input: JsonValue,
    frame: Frame,
  ): JsonValue {
    if (template === undefined) return input;
    const where = `state "${name}"`;
    return evaluateTemplate(template, { data: input, context: this.contextObject(frame, name), where });
  }

  /** Notes the size of a payload Step Functions would hold (a state's input, a raw result). */
  private payload(value: JsonValue): void {
    const bytes = Buffer.byteLength(JSON.stringify(value) ?? 'null', 'utf8');
    if (bytes > this.maxPayloadBytes) this.maxPayloadBytes = bytes;
  }

  /** ResultSelector, ResultPath (into the state's own input), then OutputPath. */
  private result(state: Resulting, name: string, input: JsonValue, raw: JsonValue, frame: Frame): JsonValue {
    const where = `state "${name}"`;
    // The raw result counts too: an inline Map's array of item outputs is limited before its ResultSelector.
    this.payload(raw);
    const selected =
      state.ResultSelector === undefined
        ? raw
        : evaluateTemplate(state.ResultSelector, {
            data: raw,
            context: this.contextObject(frame, name),
            where,
          });
    return selectPath(applyResultPath(input, selected, state.ResultPath), state.OutputPath, where);
  }

  /** Job timings, with jobs that never ended left out. */
  timings(): Map<string, JobTiming> {
    const out = new Map<string, JobTiming>();
    for (const [job, timing] of this.jobs) if (!Number.isNaN(timing.end)) out.set(job, { ...timing });
    return out;
  }
}

interface Flow {
  readonly graph: StateGraph;
  readonly next: Done;
  readonly done: Done;
}
