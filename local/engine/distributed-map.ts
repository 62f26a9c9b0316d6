import type { JsonValue } from '../../compiler/asl/types.js';

/**
 * aws-local-stepfunctions runs inline Maps only: no `ItemReader`, no child executions, no
 * `ResultWriter`, no `ToleratedFailurePercentage`, no Map Run to describe. A distributed Map
 * is rewritten here into what the library runs, with the same effect on the state:
 * - `<map>` becomes a Task that starts the Map Run: with an `ItemReader` (a dynamic matrix) it
 *   reads the items (what the ItemReader reads from S3, answered from the upstream job's local
 *   outputs) into `$.WaterflowItems`; with items in the state (`ItemsPath`, a static matrix) it
 *   only starts counting and leaves the state as it is. Then it goes to
 * - `<map> [items]`, an inline Map over the items, whose result is a Map Run's (`MapRunArn` and
 *   `ResultWriterDetails`) when the original had no `ResultSelector`, and whose `ItemSelector`
 *   also gives each item its index (`WaterflowItem`), so that equal items get distinct names;
 * - with failures tolerated, each item runs inside `<map> [item]`, a one-branch Parallel that
 *   records how the item ended, so that `sfn:describeMapRun` can answer its `ItemCounts`.
 * Any tolerated percentage above 0 is treated as 100 (the compiler emits only 0 and 100); with
 * 0, the first failed item fails the Map with its own error, not
 * `States.ExceedToleratedFailureThreshold`.
 */

type JsonObject = { [key: string]: JsonValue };
type Handler = (input: JsonValue) => Promise<JsonValue>;

export const READ_ITEMS_RESOURCE = 'arn:aws:states:::waterflow:readItems';
export const ITEM_ENDED_RESOURCE = 'arn:aws:states:::waterflow:itemEnded';
export const MAP_RUN_STARTED_RESOURCE = 'arn:aws:states:::waterflow:mapRunStarted';
const DESCRIBE_MAP_RUN = ':sfn:describeMapRun';

/** Where the loader puts the items, and the parameter naming the Map they belong to. */
const ITEMS_PATH = '$.WaterflowItems';
const MAP_PARAMETER = 'WaterflowMap';
/** The field of a rewritten Map's item input that holds the item's index (`$$.Map.Item.Index`). */
export const ITEM_INDEX_FIELD = 'WaterflowItem';

/**
 * Whether a state is the Parallel around one item of a Map that tolerates failed items: its
 * failure is that item's alone (caught and counted), so nothing else running in the Map stops.
 */
export function isToleratedItem(stateName: string): boolean {
  return stateName.endsWith(ITEM_SUFFIX);
}

const ITEM_SUFFIX = ' [item]';

/** The Map Run ARN a rewritten Map returns: its state name, as `describeMapRun` is asked. */
export function localMapRunArn(map: string): string {
  return `arn:aws:states:local:000000000000:mapRun:waterflow/${encodeURIComponent(map)}`;
}

/** Rewrites every distributed Map of `graph`, nested graphs included, in place. */
export function inlineDistributedMaps(graph: JsonObject): void {
  const states = graph.States;
  if (!isObject(states)) return;
  for (const [name, state] of Object.entries(states)) {
    if (!isObject(state)) continue;
    for (const branch of objects(state.Branches)) inlineDistributedMaps(branch);
    const processor = state.ItemProcessor ?? state.Iterator;
    if (isObject(processor)) inlineDistributedMaps(processor);
    if (state.Type !== 'Map' || !isObject(processor) || !isDistributed(state, processor)) continue;
    Object.assign(states, rewrite(name, state, processor));
  }
}

function isDistributed(state: JsonObject, processor: JsonObject): boolean {
  const config = processor.ProcessorConfig;
  return state.ItemReader !== undefined || (isObject(config) && config.Mode === 'DISTRIBUTED');
}

function rewrite(name: string, state: JsonObject, processor: JsonObject): JsonObject {
  const {
    ItemReader: reader,
    ResultWriter: _writer,
    ToleratedFailurePercentage: tolerated,
    ToleratedFailureCount: _count,
    Label: _label,
    ItemBatcher: _batcher,
    ...map
  } = state;
  const inline: JsonObject = {
    ...map,
    ...(isObject(map.ItemSelector)
      ? { ItemSelector: { ...map.ItemSelector, [`${ITEM_INDEX_FIELD}.$`]: '$$.Map.Item.Index' } }
      : {}),
    ItemProcessor: itemProcessor(name, processor, typeof tolerated === 'number' && tolerated > 0),
    ...(map.ResultSelector === undefined
      ? {
          ResultSelector: {
            MapRunArn: localMapRunArn(name),
            ResultWriterDetails: { Bucket: 'local', Key: `${name}/manifest.json` },
          },
        }
      : {}),
  };
  const itemsName = `${name} [items]`;
  const { Next, End, Catch, ResultPath: _r, ResultSelector: _s, OutputPath: _o, Retry: _t, ...rest } = inline;
  const start: JsonObject = isObject(reader)
    ? {
        Type: 'Task',
        Resource: READ_ITEMS_RESOURCE,
        Parameters: { ...(isObject(reader.Parameters) ? reader.Parameters : {}), [MAP_PARAMETER]: name },
        ResultPath: ITEMS_PATH,
        ...(Catch === undefined ? {} : { Catch }),
        Next: itemsName,
      }
    : {
        Type: 'Task',
        Resource: MAP_RUN_STARTED_RESOURCE,
        Parameters: { [MAP_PARAMETER]: name },
        ResultPath: null,
        Next: itemsName,
      };
  return {
    [name]: start,
    [itemsName]: {
      ...rest,
      ...(inline.ResultSelector === undefined ? {} : { ResultSelector: inline.ResultSelector }),
      ...(inline.ResultPath === undefined ? {} : { ResultPath: inline.ResultPath }),
      ...(inline.OutputPath === undefined ? {} : { OutputPath: inline.OutputPath }),
      ...(Catch === undefined ? {} : { Catch }),
      ...(isObject(reader) ? { ItemsPath: ITEMS_PATH } : {}),
      ...(Next === undefined ? { End: End ?? true } : { Next }),
    },
  };
}

/** The item's states, inline; with failures tolerated, inside a Parallel that counts them. */
function itemProcessor(map: string, processor: JsonObject, tolerated: boolean): JsonObject {
  const { ProcessorConfig: _config, ...graph } = processor;
  if (!tolerated) return { ...graph, ProcessorConfig: { Mode: 'INLINE' } };
  const [item, passed, failed] = [`${map}${ITEM_SUFFIX}`, `${map} [item passed]`, `${map} [item failed]`];
  const ended = (outcome: boolean): JsonObject => ({
    Type: 'Task',
    Resource: ITEM_ENDED_RESOURCE,
    Parameters: { [MAP_PARAMETER]: map, failed: outcome },
    ResultPath: null,
    End: true,
  });
  return {
    ProcessorConfig: { Mode: 'INLINE' },
    StartAt: item,
    States: {
      [item]: {
        Type: 'Parallel',
        Branches: [graph],
        ResultPath: null,
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: null, Next: failed }],
        Next: passed,
      },
      [passed]: ended(false),
      [failed]: ended(true),
    },
  };
}

/** The items a dynamic matrix reads could not be read: `States.ItemReaderFailed`, as in AWS. */
export class ItemReaderFailed extends Error {
  override readonly name = 'States.ItemReaderFailed';
}

/** What a loader read: the items, or why there are none. */
export type ItemsRead =
  | { readonly map: string; readonly items: ReadonlyArray<JsonValue> }
  | { readonly map: string; readonly error: string };

export interface MapRunsOptions {
  /** An output a job wrote (`$WATERFLOW_OUTPUT`); undefined when it wrote none by that name. */
  readonly readOutput: (job: string, output: string) => string | undefined;
  /** Told of every read, e.g. to record the fan-out in the run record. */
  readonly onItems?: (read: ItemsRead) => void | Promise<void>;
}

/**
 * Answers the Tasks `inlineDistributedMaps` adds and `sfn:describeMapRun`: items come from the
 * key the uploader writes in AWS, `runs/<runId>/<job>/outputs/<name>.json` (docs/compilation.md),
 * looked up in the job's local outputs.
 */
export class MapRuns {
  readonly #options: MapRunsOptions;
  readonly #counts = new Map<string, { succeeded: number; failed: number }>();

  constructor(options: MapRunsOptions) {
    this.#options = options;
  }

  /** The handler of a Task with this resource, or undefined when it is not one of ours. */
  handler(resource: string): Handler | undefined {
    if (resource === READ_ITEMS_RESOURCE) return (input) => this.#read(objectOf(input));
    if (resource === ITEM_ENDED_RESOURCE) return async (input) => this.#ended(objectOf(input));
    if (resource === MAP_RUN_STARTED_RESOURCE) return async (input) => this.#started(objectOf(input));
    if (resource.endsWith(DESCRIBE_MAP_RUN)) return async (input) => this.#describe(objectOf(input));
    return undefined;
  }

  /** A Map Run over items in the state starts: its counts start at 0. */
  #started(parameters: JsonObject): JsonValue {
    this.#counts.set(String(parameters[MAP_PARAMETER] ?? ''), { succeeded: 0, failed: 0 });
    return {};
  }

  async #read(parameters: JsonObject): Promise<JsonValue> {
    const map = String(parameters[MAP_PARAMETER] ?? '');
    this.#counts.set(map, { succeeded: 0, failed: 0 });
    let items: JsonValue[];
    try {
      items = this.#items(String(parameters.Key ?? ''));
    } catch (error) {
      if (!(error instanceof ItemReaderFailed)) throw error;
      await this.#options.onItems?.({ map, error: error.message });
      throw error;
    }
    await this.#options.onItems?.({ map, items });
    return items;
  }

  #items(key: string): JsonValue[] {
    const found = /^runs\/[^/]+\/(.+)\/outputs\/([^/]+)\.json$/.exec(key);
    if (found === null) throw new ItemReaderFailed(`no local source for the S3 key "${key}"`);
    const [, job = '', output = ''] = found;
    const text = this.#options.readOutput(job, output);
    const where = `needs.${job}.outputs.${output}`;
    if (text === undefined)
      throw new ItemReaderFailed(`matrix.fromJson: job "${job}" wrote no output "${output}"`);
    let value: JsonValue;
    try {
      value = JSON.parse(text) as JsonValue;
    } catch {
      throw new ItemReaderFailed(`matrix.fromJson: ${where} is not JSON: ${excerpt(text)}`);
    }
    if (!Array.isArray(value))
      throw new ItemReaderFailed(`matrix.fromJson: ${where} is not a JSON array: ${excerpt(text)}`);
    return value;
  }

  #ended(parameters: JsonObject): JsonValue {
    const counts = this.#counts.get(String(parameters[MAP_PARAMETER] ?? ''));
    if (counts !== undefined) {
      if (parameters.failed === true) counts.failed++;
      else counts.succeeded++;
    }
    return {};
  }

  #describe(parameters: JsonObject): JsonValue {
    const arn = String(parameters.MapRunArn ?? '');
    const map = [...this.#counts.keys()].find((name) => localMapRunArn(name) === arn);
    const counts = (map === undefined ? undefined : this.#counts.get(map)) ?? { succeeded: 0, failed: 0 };
    return {
      MapRunArn: arn,
      Status: 'SUCCEEDED',
      ItemCounts: {
        Pending: 0,
        Running: 0,
        Succeeded: counts.succeeded,
        Failed: counts.failed,
        TimedOut: 0,
        Aborted: 0,
        Total: counts.succeeded + counts.failed,
      },
    };
  }
}

function excerpt(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}...` : text);
}

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function objectOf(value: JsonValue): JsonObject {
  return isObject(value) ? value : {};
}

function objects(value: JsonValue | undefined): JsonObject[] {
  return Array.isArray(value) ? value.filter(isObject) : [];
}
