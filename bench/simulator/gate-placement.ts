import type { JsonValue, State, StateGraph } from '../../compiler/asl/types.js';
import type { CompileOutput } from '../../compiler/compile/output.js';
import { type DagJob, topologicalOrder } from './dag.js';

/**
 * Where the exact lowering's entered gates wait, and whether some other place could hide their
 * latency. It explains the DAGs where the exact lowering ends after the stage barrier, whose only
 * extra latency is the gates'.
 */
export interface GatePlacement {
  /**
   * Gates of the critical path's jobs whose gated upstream ends last of the job's parents, or
   * less than g before the last nested one (recorded runtimes, no latency): g, or part of it,
   * follows the gated upstream's end wherever the gate waits.
   */
  readonly onCriticalEdge: number;
  /**
   * Gates of the critical path's jobs whose nested parent ends at least g after their gated
   * upstreams: the gate waits after that parent, so its g adds to the path; waiting beside it
   * (in a Parallel state of its own, one transition more) would hide g.
   */
  readonly afterNestedParent: number;
  /**
   * Entered gates that follow a Task in their graph: making each wait beside that task instead
   * takes one more Parallel state, one more transition per run. Gates that start their branch
   * are not counted (hoisting one out of its Parallel, beside a task, would cost more), so this
   * is the least such a lowering would add.
   */
  readonly afterTask: number;
}

/** Every graph of the output: the machine's, its parts', and their nested branches and items. */
function* graphs(output: CompileOutput): Generator<StateGraph> {
  const pending: StateGraph[] = [output.asl, ...output.children.map((child) => child.asl)];
  for (let graph = pending.pop(); graph !== undefined; graph = pending.pop()) {
    yield graph;
    for (const state of Object.values(graph.States)) {
      if (state.Type === 'Parallel') pending.push(...state.Branches);
      if (state.Type === 'Map') pending.push(state.ItemProcessor);
    }
  }
}

interface GateState {
  readonly state: State;
  /** The state whose `Next` it is, if any: none when the gate starts its branch. */
  readonly after: State | undefined;
}

/** The gate state of each gated job, and the state before it. */
function gateStates(output: CompileOutput): Map<string, GateState> {
  const found = new Map<string, GateState>();
  for (const graph of graphs(output)) {
    const before = new Map<string, State>();
    for (const state of Object.values(graph.States))
      if ('Next' in state && state.Next !== undefined) before.set(state.Next, state);
    for (const [name, state] of Object.entries(graph.States)) {
      const info = Object.hasOwn(output.stateMap, name) ? output.stateMap[name] : undefined;
      if (info?.role === 'gate' && info.job !== undefined)
        found.set(info.job, { state, after: before.get(name) });
    }
  }
  return found;
}

/** The upstream jobs a gate state waits for (`Parameters.Payload.upstream`). */
function upstreamOf(state: State): string[] {
  const parameters = 'Parameters' in state ? state.Parameters : undefined;
  const payload: JsonValue | undefined = parameters?.Payload;
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) return [];
  const upstream = payload.upstream;
  return Array.isArray(upstream) ? upstream.filter((u): u is string => typeof u === 'string') : [];
}

/** When each job ends with no latency: the longest path of runtimes to it, its own included. */
function finishTimes(jobs: ReadonlyArray<DagJob>): Map<string, number> {
  const finish = new Map<string, number>();
  for (const job of topologicalOrder(jobs)) {
    const start = job.parents.reduce((latest, parent) => Math.max(latest, finish.get(parent) ?? 0), 0);
    finish.set(job.id, start + job.runtimeSeconds);
  }
  return finish;
}

/** Classifies the entered gates: those of the jobs on `path`, and all of them by what precedes them. */
export function gatePlacement(
  jobs: ReadonlyArray<DagJob>,
  path: ReadonlyArray<string>,
  entered: ReadonlySet<string>,
  output: CompileOutput,
  gateLatency: number,
): GatePlacement {
  const gates = gateStates(output);
  const finish = finishTimes(jobs);
  const byId = new Map(jobs.map((job) => [job.id, job]));
  const latest = (ids: ReadonlyArray<string>) =>
    ids.reduce((end, id) => Math.max(end, finish.get(id) ?? 0), Number.NEGATIVE_INFINITY);
  let onCriticalEdge = 0;
  let afterNestedParent = 0;
  for (const id of path) {
    const gate = gates.get(id);
    if (gate === undefined || !entered.has(id)) continue;
    const gated = new Set(upstreamOf(gate.state));
    const nested = (byId.get(id)?.parents ?? []).filter((parent) => !gated.has(parent));
    if (latest([...gated]) + gateLatency > latest(nested)) onCriticalEdge++;
    else afterNestedParent++;
  }
  let afterTask = 0;
  for (const [job, { after }] of gates) if (entered.has(job) && after?.Type === 'Task') afterTask++;
  return { onCriticalEdge, afterNestedParent, afterTask };
}
