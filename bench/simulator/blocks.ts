import type { JsonValue, MapState, ParallelState } from '../../compiler/asl/types.js';
import { invalidAsl, SimulationError } from './errors.js';
import { HISTORY_EVENTS } from './history.js';
import { requirePath } from './json-path.js';
import { evaluateTemplate } from './payload.js';
import type { Done, Frame, Host } from './types.js';

/** Step Functions runs at most 40 iterations of an inline Map at once, whatever MaxConcurrency says. */
export const INLINE_MAP_LIMIT = 40;
/** A distributed Map runs at most 10,000 child executions at once. */
export const DISTRIBUTED_MAP_LIMIT = 10_000;

/** Runs every branch on `input` at once; `done` gets their outputs, in branch order, when all have ended. */
export function runParallel(
  host: Host,
  state: ParallelState,
  name: string,
  input: JsonValue,
  frame: Frame,
  done: Done,
): void {
  host.record(frame, name, HISTORY_EVENTS.parallel);
  const outputs: JsonValue[] = new Array<JsonValue>(state.Branches.length).fill(null);
  let left = state.Branches.length;
  if (left === 0) {
    host.queue.schedule(0, () => done([]));
    return;
  }
  state.Branches.forEach((branch, index) => {
    host.runGraph(branch, input, frame, (output) => {
      outputs[index] = output;
      if (--left === 0) done(outputs);
    });
  });
}

function mapLimit(state: MapState): number {
  const distributed = state.ItemProcessor.ProcessorConfig?.Mode === 'DISTRIBUTED';
  const cap = distributed ? DISTRIBUTED_MAP_LIMIT : INLINE_MAP_LIMIT;
  const asked = state.MaxConcurrency ?? 0;
  return asked > 0 ? Math.min(asked, cap) : cap;
}

function itemsOf(
  state: MapState,
  name: string,
  input: JsonValue,
  frame: Frame,
  host: Host,
): ReadonlyArray<JsonValue> {
  const where = `Map "${name}"`;
  if (state.ItemReader !== undefined) {
    const parameters = evaluateTemplate(state.ItemReader.Parameters, {
      data: input,
      context: host.contextObject(frame, name),
      where,
    });
    const read = host.options.itemReader;
    if (read === undefined)
      throw new SimulationError('missing-input', `${where} reads its items, but no itemReader was given`);
    return read({ stateName: name, parameters });
  }
  const items = requirePath(state.ItemsPath ?? '$', input, host.contextObject(frame, name), where);
  if (!Array.isArray(items))
    throw invalidAsl(`${where}: ItemsPath ${state.ItemsPath ?? '$'} is not an array`);
  return items;
}

/**
 * Runs the Map's item processor once per item, at most `MaxConcurrency` at once (capped as Step
 * Functions caps it); an inline Map's iterations share the parent's history, a distributed
 * Map's are child executions with their own.
 */
export function runMap(
  host: Host,
  state: MapState,
  name: string,
  input: JsonValue,
  frame: Frame,
  done: Done,
): void {
  const distributed = state.ItemProcessor.ProcessorConfig?.Mode === 'DISTRIBUTED';
  const items = itemsOf(state, name, input, frame, host);
  host.record(frame, name, HISTORY_EVENTS.map + (distributed ? HISTORY_EVENTS.mapRun : 0));
  const outputs: JsonValue[] = new Array<JsonValue>(items.length).fill(null);
  const limit = mapLimit(state);
  let next = 0;
  let running = 0;
  // With a ResultWriter, the items' outputs go to S3 and the Map returns where it wrote them.
  const finish = () => done(state.ResultWriter === undefined ? outputs : writerResult(name, frame));
  const launch = (): void => {
    while (running < limit && next < items.length) {
      const index = next++;
      running++;
      startItem(host, { state, name, input, frame, distributed }, index, items[index] ?? null, (output) => {
        outputs[index] = output;
        running--;
        if (next === items.length && running === 0) finish();
        else launch();
      });
    }
  };
  if (items.length === 0) host.queue.schedule(0, finish);
  else launch();
}

/** What a distributed Map with a ResultWriter returns: its Map Run and the manifest it wrote. */
function writerResult(name: string, frame: Frame): JsonValue {
  const run = `${frame.execution.machineName}/${name}:${frame.execution.name}`;
  return {
    MapRunArn: `arn:aws:states:eu-west-1:123456789012:mapRun:${run}`,
    ResultWriterDetails: { Bucket: 'simulator', Key: `${run}/manifest.json` },
  };
}

interface MapRun {
  readonly state: MapState;
  readonly name: string;
  readonly input: JsonValue;
  readonly frame: Frame;
  readonly distributed: boolean;
}

function startItem(host: Host, run: MapRun, index: number, value: JsonValue, done: Done): void {
  const itemFrame: Frame = { execution: run.frame.execution, mapItem: { Index: index, Value: value } };
  const where = `Map "${run.name}" item ${index}`;
  const selected =
    run.state.ItemSelector === undefined
      ? value
      : evaluateTemplate(run.state.ItemSelector, {
          data: run.input,
          context: host.contextObject(itemFrame, run.name),
          where,
        });
  if (run.distributed) {
    host.startExecution(`${run.name}/${index}`, run.state.ItemProcessor, selected, done);
    return;
  }
  host.record(run.frame, run.name, HISTORY_EVENTS.mapIteration);
  host.runGraph(run.state.ItemProcessor, selected, itemFrame, done);
}
