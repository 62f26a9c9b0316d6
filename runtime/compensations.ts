import type { JsonValue } from '../compiler/asl/types.js';
import type { RunEvent } from './run-record.js';

/**
 * Which jobs a failed run compensates, and in which order (DESIGN §2: the jobs that had
 * succeeded, in reverse completion order). Both runtimes answer the `compensations` state with
 * these functions: the local engine from its event log, the cloud's runs function from the
 * execution's history (docs/compilation.md, "Compensation and onExit").
 */

/** What the `compensations` state sends. */
export interface CompensationsRequest {
  readonly runId: string;
  /** Each job with a `compensate` action: the upstream jobs its action reads, with the outputs read of each. */
  readonly jobs: { readonly [job: string]: { readonly [upstream: string]: ReadonlyArray<string> } };
}

/** An upstream job's result as a compensation reads it: `needs.<job>.result` and `.outputs.*`. */
export interface UpstreamResult {
  readonly r: 'success' | 'failure' | 'skipped' | 'cancelled';
  readonly o: { readonly [name: string]: string };
}

/** One job to compensate, with what its action reads (the run's state lost `$.jobs`). */
export interface Compensation {
  readonly job: string;
  readonly needs: { readonly [upstream: string]: UpstreamResult };
}

/** A `compensations` request that cannot be right; `code` is stable. */
export class CompensationsError extends Error {
  readonly code: 'WF9003';

  constructor(message: string) {
    super(message);
    this.name = 'Waterflow.CompensationsError';
    this.code = 'WF9003';
  }
}

type JsonObject = { readonly [key: string]: JsonValue };

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads the `compensations` state's payload. */
export function parseCompensationsRequest(payload: JsonValue): CompensationsRequest {
  if (!isObject(payload) || typeof payload.runId !== 'string' || !isObject(payload.jobs)) {
    throw new CompensationsError('a compensations request needs "runId" (a string) and "jobs" (an object)');
  }
  const jobs: Record<string, Record<string, string[]>> = {};
  for (const [job, reads] of Object.entries(payload.jobs)) {
    if (!isObject(reads)) throw new CompensationsError(`job "${job}": what it reads must be an object`);
    const read: Record<string, string[]> = {};
    for (const [upstream, outputs] of Object.entries(reads)) {
      if (!Array.isArray(outputs) || !outputs.every((o) => typeof o === 'string')) {
        throw new CompensationsError(
          `job "${job}": the outputs it reads of "${upstream}" must be a list of names`,
        );
      }
      read[upstream] = outputs as string[];
    }
    jobs[job] = read;
  }
  return { runId: payload.runId, jobs };
}

/** The last `job-ended` status of each record entry, and where in the log it stands. */
function lastEnds(events: ReadonlyArray<RunEvent>): Map<string, { status: string; at: number }> {
  const ends = new Map<string, { status: string; at: number }>();
  events.forEach((event, at) => {
    if (event.kind === 'job-ended') ends.set(event.job, { status: event.status, at });
  });
  return ends;
}

/**
 * The jobs among `candidates` that succeeded, newest completion first. A job succeeded when the
 * last `job-ended` event of each of its record entries (the job, or each of its matrix items)
 * says so; it completed with the latest of those events. `events` are in the order they
 * happened (a run record's log, an execution's history).
 */
export function compensationOrder(
  events: ReadonlyArray<RunEvent>,
  candidates: ReadonlyArray<string>,
  entriesOf: (job: string) => ReadonlyArray<string>,
): string[] {
  const ends = lastEnds(events);
  const done: Array<{ job: string; at: number }> = [];
  for (const job of candidates) {
    const entries = entriesOf(job).map((entry) => ends.get(entry));
    if (entries.length === 0 || entries.some((end) => end?.status !== 'succeeded')) continue;
    done.push({ job, at: Math.max(...entries.map((end) => end?.at ?? -1)) });
  }
  return done.sort((a, b) => b.at - a.at).map(({ job }) => job);
}

const RESULTS: { readonly [status: string]: UpstreamResult['r'] } = {
  succeeded: 'success',
  failed: 'failure',
  cancelled: 'cancelled',
};

/**
 * The answer to a `compensations` request: the jobs to compensate in order, each with the
 * results and outputs of the upstream jobs its action reads. A declared output the job did not
 * write reads as "", as everywhere else.
 */
export function compensations(
  request: CompensationsRequest,
  events: ReadonlyArray<RunEvent>,
  entriesOf: (job: string) => ReadonlyArray<string>,
  outputsOf: (job: string) => { readonly [name: string]: string },
): Compensation[] {
  const ends = lastEnds(events);
  const resultOf = (job: string): UpstreamResult['r'] => {
    const statuses = entriesOf(job).map((entry) => ends.get(entry)?.status ?? 'skipped');
    const worst = statuses.find((s) => s !== 'succeeded') ?? 'succeeded';
    return RESULTS[worst] ?? 'skipped';
  };
  return compensationOrder(events, Object.keys(request.jobs), entriesOf).map((job) => {
    const needs: Record<string, UpstreamResult> = {};
    for (const [upstream, names] of Object.entries(request.jobs[job] ?? {})) {
      const written = names.length === 0 ? {} : outputsOf(upstream);
      const o: Record<string, string> = {};
      for (const name of names) o[name] = written[name] ?? '';
      needs[upstream] = { r: resultOf(upstream), o };
    }
    return { job, needs };
  });
}
