import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import type { StateMachine as Asl, JsonValue } from '../../compiler/asl/types.js';
import { ITEM_INDEX_FIELD, inlineDistributedMaps } from './distributed-map.js';

/**
 * A copy of compiled ASL that aws-local-stepfunctions runs as Step Functions would: the
 * library's gaps are worked around here, in one place, and never in the compiler.
 * - a Task without `TimeoutSeconds` gives up after 60 s in the library, never in AWS;
 * - `ResultPath: "$"` is stored under a key named `$` (leaving it out means the same);
 * - `SecondsPath` must be an integer in the library (our delay tables hold fractions after
 *   scaling), so such a Wait becomes a Task that sleeps;
 * - a Map item's `matrix` is not in its Task's parameters, so it is passed along for naming,
 *   with its index in a rewritten distributed Map (so that equal dynamic items differ);
 * - a distributed Map becomes an inline one whose items a Task reads (distributed-map.ts).
 * `delayScale` multiplies retry intervals and waits, never job timeouts.
 */

type JsonObject = { [key: string]: JsonValue };

/** What the engine must know about a Task state of the prepared copy. */
export interface PreparedTask {
  readonly name: string;
  /** The Parallel and Map states around it, outermost first. */
  readonly ancestors: ReadonlyArray<string>;
  /** A `Wait` turned into a sleeping Task (input `{ seconds, input }`). */
  readonly sleep: boolean;
  readonly resource: string;
  readonly timeoutSeconds?: number;
}

export interface Prepared {
  readonly definition: StateMachineDefinition;
  readonly tasks: ReadonlyMap<string, PreparedTask>;
}

/** The longest timer Node keeps (2^31 - 1 ms), in seconds; longer ones would fire at once. */
export const MAX_TIMEOUT_SECONDS = 2_000_000;

/** The parameter carrying a Map item's matrix values into a run state's input. */
export const MATRIX_PARAMETER = 'WaterflowMatrix';
/** The parameter carrying the item's index in a distributed Map's items into a run state's input. */
export const ITEM_PARAMETER = 'WaterflowItem';

/** What a graph's Tasks are inside of: no matrix, an inline one, or a rewritten distributed one. */
type MatrixScope = 'none' | 'inline' | 'indexed';

export const SLEEP_RESOURCE = 'arn:aws:states:::waterflow:sleep';

export function prepareForLibrary(asl: Asl, delayScale = 1): Prepared {
  const root = structuredClone(asl) as unknown as JsonObject;
  inlineDistributedMaps(root);
  const tasks = new Map<string, PreparedTask>();
  prepareGraph(root, [], 'none', delayScale, tasks);
  return { definition: root as unknown as StateMachineDefinition, tasks };
}

function prepareGraph(
  graph: JsonObject,
  ancestors: ReadonlyArray<string>,
  matrix: MatrixScope,
  delayScale: number,
  tasks: Map<string, PreparedTask>,
): void {
  const states = graph.States;
  if (!isObject(states)) return;
  for (const [name, state] of Object.entries(states)) {
    if (!isObject(state)) continue;
    if (state.ResultPath === '$') delete state.ResultPath;
    for (const catcher of objects(state.Catch)) if (catcher.ResultPath === '$') delete catcher.ResultPath;
    for (const retrier of objects(state.Retry)) {
      retrier.IntervalSeconds = scaled(numberOr(retrier.IntervalSeconds, 1), delayScale);
      if (typeof retrier.MaxDelaySeconds === 'number')
        retrier.MaxDelaySeconds = scaled(retrier.MaxDelaySeconds, delayScale);
    }
    if (state.Type === 'Task') {
      const timeout = typeof state.TimeoutSeconds === 'number' ? state.TimeoutSeconds : undefined;
      state.TimeoutSeconds = Math.min(timeout ?? MAX_TIMEOUT_SECONDS, MAX_TIMEOUT_SECONDS);
      if (
        matrix !== 'none' &&
        isObject(state.Parameters) &&
        String(state.Resource).includes(':ecs:runTask')
      ) {
        state.Parameters[`${MATRIX_PARAMETER}.$`] = '$.matrix';
        if (matrix === 'indexed') state.Parameters[`${ITEM_PARAMETER}.$`] = `$.${ITEM_INDEX_FIELD}`;
      }
      tasks.set(name, {
        name,
        ancestors,
        sleep: false,
        resource: String(state.Resource),
        ...(timeout === undefined ? {} : { timeoutSeconds: timeout }),
      });
    } else if (state.Type === 'Wait') {
      states[name] = prepareWait(state, delayScale);
      if (states[name]?.Type === 'Task') {
        tasks.set(name, { name, ancestors, sleep: true, resource: SLEEP_RESOURCE });
      }
    } else if (state.Type === 'Parallel') {
      for (const branch of objects(state.Branches))
        prepareGraph(branch, [...ancestors, name], matrix, delayScale, tasks);
    } else if (state.Type === 'Map') {
      const processor = state.ItemProcessor ?? state.Iterator;
      const selector = isObject(state.ItemSelector) ? state.ItemSelector : undefined;
      const scope: MatrixScope =
        selector === undefined || !('matrix.$' in selector)
          ? matrix
          : `${ITEM_INDEX_FIELD}.$` in selector
            ? 'indexed'
            : 'inline';
      if (isObject(processor)) prepareGraph(processor, [...ancestors, name], scope, delayScale, tasks);
    }
  }
}

function prepareWait(state: JsonObject, delayScale: number): JsonObject {
  if (typeof state.Seconds === 'number') return { ...state, Seconds: scaled(state.Seconds, delayScale) };
  if (typeof state.SecondsPath !== 'string') return state;
  const { SecondsPath, Type: _wait, ...rest } = state;
  return {
    ...rest,
    Type: 'Task',
    Resource: SLEEP_RESOURCE,
    Parameters: { 'seconds.$': SecondsPath, 'input.$': '$' },
    TimeoutSeconds: MAX_TIMEOUT_SECONDS,
  };
}

function scaled(seconds: number, scale: number): number {
  return Math.min(seconds * scale, MAX_TIMEOUT_SECONDS);
}

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function objects(value: JsonValue | undefined): JsonObject[] {
  return Array.isArray(value) ? value.filter(isObject) : [];
}

function numberOr(value: JsonValue | undefined, fallback: number): number {
  return typeof value === 'number' ? value : fallback;
}
