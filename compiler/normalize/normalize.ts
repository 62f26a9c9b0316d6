import { DiagnosticSink } from '../diagnostics/sink.js';
import type { Job, Secret, Stage, Workflow } from '../ir.js';
import { kindModule } from '../kinds/registry.js';
import type { RawJob, RawStage, RawWorkflow } from '../language/workflow-schema.js';
import type { SourceMap } from '../parse/source.js';
import { normalizeJobBase } from './job.js';
import { normalizeParams, normalizeSchedules } from './params.js';
import { createContext } from './values.js';

export interface NormalizeResult {
  readonly workflow: Workflow;
  readonly diagnostics: DiagnosticSink['list'];
}

function normalizeSecrets(raw: RawWorkflow['spec']['secrets']): Secret[] {
  return (raw ?? []).map((secret, i) => {
    const [scheme, id] = secret.source.split('://') as [Secret['scheme'], string];
    return { name: secret.name, scheme, id, source: secret.source, path: ['spec', 'secrets', i] };
  });
}

/** Stages with `dependsOn` defaulting to the previous stage (none for the first). */
function normalizeStages(raw: ReadonlyArray<RawStage>): Stage[] {
  return raw.map((stage, i) => {
    // A duplicate name is reported by the graph pass; do not also make it depend on itself.
    const previous = raw[i - 1]?.name === stage.name ? undefined : raw[i - 1]?.name;
    return {
      name: stage.name,
      path: ['spec', 'stages', i],
      dependsOn: stage.dependsOn ?? (previous === undefined ? [] : [previous]),
      onFailure: stage.onFailure ?? 'fail',
      jobs: stage.jobs.map((job) => job.name),
    };
  });
}

/**
 * Applies defaults and turns validated raw data into the IR: durations in seconds, Fargate
 * sizes, env lists, parsed conditions and templates, expanded matrices, job-level edges.
 */
export function normalize(raw: RawWorkflow, source: SourceMap): NormalizeResult {
  const sink = new DiagnosticSink(source);
  const { spec } = raw;
  const secrets = normalizeSecrets(spec.secrets);
  const ctx = createContext(
    sink,
    spec.defaults ?? {},
    raw.metadata.name,
    new Set(secrets.map((s) => s.name)),
  );
  const params = normalizeParams(spec.params, sink);
  const stages = normalizeStages(spec.stages);
  const stageJobs = new Map(stages.map((stage) => [stage.name, stage.jobs]));
  const jobs: Job[] = [];
  spec.stages.forEach((rawStage, s) => {
    const stage = stages[s] as Stage;
    const fromStages = stage.dependsOn.flatMap((name) => stageJobs.get(name) ?? []);
    rawStage.jobs.forEach((rawJob: RawJob, j) => {
      const path = ['spec', 'stages', s, 'jobs', j];
      const base = normalizeJobBase(rawJob, stage, fromStages, path, ctx);
      jobs.push(kindModule(rawJob.type).normalize(rawJob, base, ctx));
    });
  });
  const { description, labels } = raw.metadata;
  const workflow: Workflow = {
    name: raw.metadata.name,
    ...(description === undefined ? {} : { description }),
    labels: labels ?? {},
    params,
    schedules: normalizeSchedules(spec.schedule, params, sink),
    concurrency: { policy: spec.concurrency?.policy ?? 'Allow' },
    ...(spec.timeout === undefined ? {} : { timeoutSeconds: spec.timeout }),
    ...(spec.ttlAfterFinished === undefined ? {} : { ttlAfterFinishedSeconds: spec.ttlAfterFinished }),
    failFast: spec.failFast ?? true,
    env: ctx.env(spec.env, ['spec', 'env']),
    secrets,
    stages,
    jobs,
    ...(spec.onExit === undefined ? {} : { onExit: ctx.action(spec.onExit, ['spec', 'onExit'], 'on-exit') }),
  };
  return { workflow, diagnostics: sink.list };
}
