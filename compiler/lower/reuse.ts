import type { PassState } from '../asl/types.js';
import type { Job, JsonValue } from '../ir.js';
import { type Fragment, type LowerContext, stateRecord, transition } from './context.js';

/**
 * The result a rerun takes over for a job that succeeded in the earlier run, as the state holds
 * a job's result (docs/compilation.md, "The state data"); `o` holds its outputs.
 */
export interface ReusedResult {
  readonly r: 'success';
  readonly ok: true;
  readonly x?: number;
  readonly o?: { readonly [output: string]: JsonValue };
}

/**
 * A reused job: one `Pass` in place of its run states (a matrix job's whole Map included), named
 * as its run state, that writes the earlier result where the job's result goes and goes on as
 * after a success. No ECS task runs, so the recorder releases nothing: `successNext` must be the
 * job's own `done` state when it has gated dependants.
 */
export function lowerReused(
  ctx: LowerContext,
  job: Job,
  reused: ReusedResult,
  resultPath: string | null,
  successNext: string | undefined,
): Fragment {
  const name = ctx.names.take(job.name);
  ctx.out.stateMap[name] = { job: job.name, role: 'run', kind: job.kind, reused: true };
  const state: PassState =
    resultPath === null
      ? { Type: 'Pass', ResultPath: null, ...transition(successNext) }
      : { Type: 'Pass', Result: reusedResult(reused), ResultPath: resultPath, ...transition(successNext) };
  return { start: name, states: stateRecord([name, state]) };
}

/** The result as plain JSON, fields in the order a run writes them. */
export function reusedResult(reused: ReusedResult): JsonValue {
  return {
    r: reused.r,
    ok: reused.ok,
    ...(reused.x === undefined ? {} : { x: reused.x }),
    ...(reused.o === undefined ? {} : { o: { ...reused.o } }),
  };
}
