import type { DocPath, Stage } from '../ir.js';
import type { RawJobCommon, RawRunnable } from '../language/job-common.js';
import { normalizeCondition } from './condition.js';
import type { JobBase, NormalizeContext } from './context.js';
import { normalizeMatrix } from './matrix.js';
import { NO_RETRY, normalizeRetry } from './retry.js';

/** The fields a kind may or may not have, read from any validated job. */
type RawAnyJob = RawJobCommon & Partial<RawRunnable>;

/**
 * The kind-independent part of a job. `upstream` joins the job's `needs` with the jobs of the
 * stages its stage depends on; names are checked later by the graph pass.
 */
export function normalizeJobBase(
  raw: RawAnyJob,
  stage: Stage,
  stageJobs: ReadonlyMap<string, ReadonlyArray<string>>,
  path: DocPath,
  ctx: NormalizeContext,
): JobBase {
  const needs = raw.needs ?? [];
  const fromStages = stage.dependsOn.flatMap((name) => stageJobs.get(name) ?? []);
  const upstream = [...new Set([...needs, ...fromStages])]
    .filter((name) => name !== raw.name || needs.includes(name))
    .sort();
  const conditionKey = raw.if === undefined && raw.when !== undefined ? 'when' : 'if';
  const timeout = raw.timeout ?? ctx.defaults.timeout;
  const matrix = normalizeMatrix(raw.matrix, [...path, 'matrix'], ctx);
  const retry = raw.retry ?? ctx.defaults.retry;
  const retryPath = raw.retry === undefined ? ['spec', 'defaults', 'retry'] : [...path, 'retry'];
  return {
    name: raw.name,
    stage: stage.name,
    path,
    needs,
    upstream,
    condition: normalizeCondition(raw.if ?? raw.when, [...path, conditionKey], ctx.sink),
    continueOnFailure: raw.continueOnFailure ?? stage.onFailure === 'continue',
    ...(timeout === undefined ? {} : { timeoutSeconds: timeout }),
    retry: retry === undefined ? NO_RETRY : normalizeRetry(retry, retryPath, ctx.sink),
    env: ctx.env(raw.env, [...path, 'env']),
    ...(matrix === undefined ? {} : { matrix }),
    outputs: raw.outputs ?? [],
    artifacts: raw.artifacts ?? [],
    artifactsFrom: raw.artifactsFrom ?? [],
    ...(raw.compensate === undefined
      ? {}
      : { compensate: ctx.action(raw.compensate, [...path, 'compensate'], `${raw.name}-compensate`) }),
  };
}
