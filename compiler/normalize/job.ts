import type { DocPath, Stage } from '../ir.js';
import type { RawJobCommon, RawRunnable } from '../language/job-common.js';
import { insertOrdered } from '../ordered.js';
import { normalizeCondition, SUCCESS } from './condition.js';
import type { JobBase, NormalizeContext } from './context.js';
import { normalizeMatrix } from './matrix.js';
import { NO_RETRY, normalizeRetry } from './retry.js';

/** The fields a kind may or may not have, read from any validated job. */
type RawAnyJob = RawJobCommon & Partial<RawRunnable>;

/** Up to this many needs, duplicates are found by scanning. */
const SMALL = 16;

/**
 * `needs` joined with `fromStages` (the jobs of the stages the job's stage depends on), without
 * duplicates, the job itself only when it needs itself (the graph pass reports that), sorted.
 */
function joinUpstream(
  name: string,
  needs: ReadonlyArray<string>,
  fromStages: ReadonlyArray<string>,
): string[] {
  if (fromStages.length === 0 && needs.length <= SMALL) {
    // A few needs: a scan of the list is cheaper than a set.
    const upstream: string[] = [];
    for (const need of needs) insertOrdered(upstream, need, true);
    return upstream;
  }
  const seen = new Set<string>(needs);
  const upstream = [...seen];
  for (const job of fromStages) {
    if (job === name || seen.has(job)) continue;
    seen.add(job);
    upstream.push(job);
  }
  return upstream.sort();
}

/**
 * The kind-independent part of a job. `upstream` joins the job's `needs` with `fromStages`, the
 * jobs of the stages its stage depends on (the same for every job of the stage, so the caller
 * gathers them once); names are checked later by the graph pass. Paths are built only for the
 * fields a job has: at 10,000 jobs the unused ones were a good part of the garbage.
 */
export function normalizeJobBase(
  raw: RawAnyJob,
  stage: Stage,
  fromStages: ReadonlyArray<string>,
  path: DocPath,
  ctx: NormalizeContext,
): JobBase {
  const needs = raw.needs ?? [];
  const upstream = joinUpstream(raw.name, needs, fromStages);
  const condition = raw.if ?? raw.when;
  const conditionKey = raw.if === undefined && raw.when !== undefined ? 'when' : 'if';
  const timeout = raw.timeout ?? ctx.defaults.timeout;
  const matrix = raw.matrix === undefined ? undefined : normalizeMatrix(raw.matrix, [...path, 'matrix'], ctx);
  const retry = raw.retry ?? ctx.defaults.retry;
  return {
    name: raw.name,
    stage: stage.name,
    path,
    needs,
    upstream,
    condition:
      condition === undefined ? SUCCESS : normalizeCondition(condition, [...path, conditionKey], ctx.sink),
    continueOnFailure: raw.continueOnFailure ?? stage.onFailure === 'continue',
    ...(timeout === undefined ? {} : { timeoutSeconds: timeout }),
    retry:
      retry === undefined
        ? NO_RETRY
        : normalizeRetry(
            retry,
            raw.retry === undefined ? ['spec', 'defaults', 'retry'] : [...path, 'retry'],
            ctx.sink,
          ),
    env: raw.env === undefined ? [] : ctx.env(raw.env, [...path, 'env']),
    ...(matrix === undefined ? {} : { matrix }),
    outputs: raw.outputs ?? [],
    artifacts: raw.artifacts ?? [],
    artifactsFrom: raw.artifactsFrom ?? [],
    ...(raw.compensate === undefined
      ? {}
      : { compensate: ctx.action(raw.compensate, [...path, 'compensate'], `${raw.name}-compensate`) }),
  };
}
