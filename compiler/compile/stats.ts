import type { JsonValue, State, StateGraph, StateMachine } from '../asl/types.js';
import type { StateInfo } from './output.js';

/** Step Functions' hard limits. */
export const LIMITS = { definitionBytes: 1_048_576, historyEvents: 25_000, payloadBytes: 262_144 } as const;

/** Params and run, plus about 48 bytes per kept job result (`{"r":"success","ok":true,...}` and its key). */
export function estimatedPayload(recordedResults: number): number {
  return 256 + recordedResults * 48;
}

/** The bytes a static matrix's items take in the state (`$.mx.<job>`), as JSON. */
export function itemsBytes(items: ReadonlyArray<JsonValue>): number {
  return jsonBytes(items);
}

/** History events one state adds when entered once (Step Functions' execution history). */
function eventsOf(state: State): number {
  switch (state.Type) {
    case 'Task':
      // Entered, Scheduled, Started, (Submitted for .sync and callbacks), Succeeded, Exited.
      return state.Resource.endsWith('.sync') ||
        state.Resource.includes('.sync:') ||
        state.Resource.endsWith('.waitForTaskToken')
        ? 6
        : 5;
    case 'Parallel':
      return 4;
    case 'Map':
      // A distributed Map adds MapRunStarted and MapRunSucceeded; its items are executions of their own.
      return state.ItemProcessor.ProcessorConfig?.Mode === 'DISTRIBUTED' ? 6 : 4;
    default:
      return 2;
  }
}

interface Walk {
  events: number;
  transitions: number;
  /** The largest history of a distributed Map's item (a child execution), 0 when there is none. */
  itemEvents: number;
}

type StateMap = Readonly<Record<string, StateInfo>>;

/** More states than a state machine within Step Functions' size limit can hold. */
const MAX_STEPS = 1_000_000;

/** Follows the path a run takes when every job succeeds at its first attempt. */
function walk(graph: StateGraph, stateMap: StateMap, into: Walk): void {
  let name: string | undefined = graph.StartAt;
  // Item counts of the arrays a Pass put in the state (a static matrix's `<job> items`), by path.
  let arrays: Map<string, number> | undefined;
  // A success path meets each state once; the bound only stops a loop the compiler never makes
  // (a set of the names met, per branch, cost a tenth of the walk).
  for (let steps = 0; name !== undefined && steps < MAX_STEPS; steps++) {
    const state: State | undefined = graph.States[name];
    if (state === undefined) return;
    into.events += eventsOf(state);
    into.transitions += 1;
    if (state.Type === 'Pass' && Array.isArray(state.Result) && typeof state.ResultPath === 'string') {
      arrays ??= new Map();
      arrays.set(state.ResultPath, state.Result.length);
    }
    if (state.Type === 'Parallel') for (const branch of state.Branches) walk(branch, stateMap, into);
    if (state.Type === 'Map') {
      // Each iteration starts as MapIterationStarted and ends as MapIterationSucceeded; a
      // distributed Map's item is an execution of its own (ExecutionStarted, ExecutionSucceeded).
      const item = { events: 2, transitions: 0, itemEvents: 0 };
      walk(state.ItemProcessor, stateMap, item);
      if (state.ItemProcessor.ProcessorConfig?.Mode === 'DISTRIBUTED') {
        // However many items there are, each has its own history: one item's is what counts.
        into.itemEvents = Math.max(into.itemEvents, item.events, item.itemEvents);
      } else {
        // Inline items share this history; an item count not known here counts as one.
        const items = arrays?.get(state.ItemsPath ?? '$') ?? 1;
        into.events += items * item.events;
        into.transitions += items * item.transitions;
        into.itemEvents = Math.max(into.itemEvents, item.itemEvents);
      }
    }
    if (state.Type === 'Choice') {
      // A condition check runs its job; the final status check succeeds.
      name = stateMap[name]?.role === 'check' ? state.Choices[0]?.Next : state.Default;
    } else if (state.Type === 'Succeed' || state.Type === 'Fail') {
      name = undefined;
    } else {
      name = state.Next;
    }
  }
}

/**
 * History events one item of an inline Map whose states are `processor` adds to its execution
 * when it succeeds: MapIterationStarted, MapIterationSucceeded and its states' own.
 */
export function inlineItemEvents(processor: StateGraph, stateMap: StateMap): number {
  const item = { events: 2, transitions: 0, itemEvents: 0 };
  walk(processor, stateMap, item);
  return item.events;
}

/** Every state of a graph and its nested graphs. */
export function countStates(graph: StateGraph): number {
  let count = 0;
  for (const name in graph.States) {
    const state = graph.States[name] as State;
    count += 1;
    if (state.Type === 'Parallel') for (const branch of state.Branches) count += countStates(branch);
    if (state.Type === 'Map') count += countStates(state.ItemProcessor);
  }
  return count;
}

/**
 * History events and transitions of a successful run, execution start and end included; the
 * items of a distributed Map are child executions, counted apart in `itemEvents`.
 */
export function successRun(machine: StateMachine, stateMap: StateMap): Walk {
  const result = { events: 2, transitions: 0, itemEvents: 0 };
  walk(machine, stateMap, result);
  return result;
}

/**
 * Sizes of states already measured, by state object; a split measures most states twice. A Map
 * for the one compile, not a WeakMap, whose ephemeron table cost more than the sizes it saved.
 */
export type SizeCache = Map<object, number>;

/**
 * Bytes of a string as JSON text. Printable ASCII other than `"` and `\\` is written as it is,
 * between quotes; a string with anything else is written out to be counted. A loop, not a
 * regex: state strings are short, and the regex call cost more than the characters.
 */
function stringBytes(text: string): number {
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c)
      return Buffer.byteLength(JSON.stringify(text), 'utf8');
  }
  return length + 2;
}

/** Bytes of member names, which a definition repeats thousands of times (`Type`, `Next`, ...). */
const keyBytes = new Map<string, number>();

/** Past this many names (user-made keys), the cache starts again rather than grow. */
const MAX_KEYS = 4096;

function memberBytes(key: string): number {
  let size = keyBytes.get(key);
  if (size === undefined) {
    if (keyBytes.size >= MAX_KEYS) keyBytes.clear();
    size = stringBytes(key);
    keyBytes.set(key, size);
  }
  return size;
}

/**
 * Bytes of a JSON value's compact text, as UTF-8: `JSON.stringify`'s length without writing
 * the text, which allocated a string per state and was a tenth of a compile's time.
 */
export function jsonBytes(value: unknown): number {
  switch (typeof value) {
    case 'string':
      return stringBytes(value);
    case 'number':
      return Buffer.byteLength(JSON.stringify(value) ?? 'null', 'utf8');
    case 'boolean':
      return value ? 4 : 5;
    case 'object':
      break;
    default:
      return 0;
  }
  if (value === null) return 4;
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function')
    return Buffer.byteLength(JSON.stringify(value), 'utf8');
  if (Array.isArray(value)) {
    let bytes = 2;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      // An array writes what an object would skip as null.
      const size = jsonBytes(item);
      bytes += (i > 0 ? 1 : 0) + (size === 0 ? 4 : size);
    }
    return bytes;
  }
  let bytes = 2;
  let first = true;
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    const size = jsonBytes((value as Record<string, unknown>)[key]);
    // undefined, functions and symbols: JSON.stringify leaves the member out.
    if (size === 0) continue;
    bytes += (first ? 0 : 1) + memberBytes(key) + 1 + size;
    first = false;
  }
  return bytes;
}

/**
 * Bytes of `{"name":state,...}`: each state measured once and remembered. `names`, when the
 * caller knows them, lists the record's keys (and maybe names that are not among them): a
 * record in dictionary mode (see `uniqueKeyRecord`) is slow to enumerate.
 */
export function statesBytes(
  states: Readonly<Record<string, State>>,
  cache: SizeCache,
  names?: ReadonlyArray<string>,
): number {
  let bytes = 2;
  let count = 0;
  const add = (name: string, state: State): void => {
    let size = cache.get(state);
    if (size === undefined) {
      size = stateBytes(state, cache);
      cache.set(state, size);
    }
    bytes += (count > 0 ? 1 : 0) + stringBytes(name) + 1 + size;
    count++;
  };
  if (names === undefined) for (const name in states) add(name, states[name] as State);
  else
    for (const name of names) {
      const state = states[name];
      if (state !== undefined) add(name, state);
    }
  return bytes;
}

/** A state's bytes; a Parallel's or Map's nested states through the cache. */
function stateBytes(state: State, cache: SizeCache): number {
  if (state.Type !== 'Parallel' && state.Type !== 'Map') return jsonBytes(state);
  let bytes = 2;
  let first = true;
  for (const [key, value] of Object.entries(state)) {
    if (value === undefined) continue;
    let size: number;
    if (key === 'Branches')
      size =
        2 + (value as StateGraph[]).reduce((sum, g, i) => sum + (i > 0 ? 1 : 0) + graphBytes(g, cache), 0);
    else if (key === 'ItemProcessor') size = graphBytes(value as StateGraph, cache);
    else size = jsonBytes(value);
    bytes += (first ? 0 : 1) + memberBytes(key) + 1 + size;
    first = false;
  }
  return bytes;
}

/** A graph's bytes: its fields as `JSON.stringify` writes them, its states through the cache. */
function graphBytes(graph: StateGraph, cache: SizeCache): number {
  let bytes = 2;
  let first = true;
  for (const [key, value] of Object.entries(graph)) {
    if (value === undefined) continue;
    const size = key === 'States' ? statesBytes(value as Record<string, State>, cache) : jsonBytes(value);
    bytes += (first ? 0 : 1) + memberBytes(key) + 1 + size;
    first = false;
  }
  return bytes;
}

/**
 * Definition size in bytes as Step Functions counts it (the compact JSON, as UTF-8), equal to
 * `JSON.stringify`'s without writing the whole text: a split workflow is measured whole, then
 * in parts made mostly of the same state objects, which `cache` measures once.
 */
export function definitionBytes(machine: StateMachine, cache: SizeCache = new Map()): number {
  return graphBytes(machine, cache);
}
