import type { Job, Stage } from '../ir.js';

/** What the structural graph checks read: names, paths and edges, nothing else. */
export interface GraphSkeleton {
  readonly stages: ReadonlyArray<Pick<Stage, 'name' | 'path' | 'dependsOn' | 'jobs'>>;
  readonly jobs: ReadonlyArray<Pick<Job, 'name' | 'path' | 'needs' | 'upstream' | 'stage'>>;
}

type Mapping = Record<string, unknown>;

function mapping(value: unknown): Mapping | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Mapping)
    : undefined;
}

function names(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/**
 * The graph skeleton of data that failed the shape checks, read leniently: whatever has the
 * right type is kept, so that name and cycle problems are reported alongside shape problems.
 */
export function skeletonFromData(data: unknown): GraphSkeleton {
  const rawStages = list(mapping(mapping(data)?.spec)?.stages);
  const stages: Array<GraphSkeleton['stages'][number]> = [];
  const jobs: Array<GraphSkeleton['jobs'][number]> = [];
  rawStages.forEach((raw, s) => {
    const stage = mapping(raw);
    if (stage === undefined || typeof stage.name !== 'string') return;
    const stageName = stage.name;
    const previous = mapping(rawStages[s - 1])?.name;
    const dependsOn =
      stage.dependsOn === undefined
        ? typeof previous === 'string' && previous !== stage.name
          ? [previous]
          : ([] as string[])
        : names(stage.dependsOn);
    const stageJobs: string[] = [];
    list(stage.jobs).forEach((rawJob, j) => {
      const job = mapping(rawJob);
      // A nameless job still makes the stage non-empty; its own problem is reported by shape.
      if (job === undefined || typeof job.name !== 'string') {
        stageJobs.push('');
        return;
      }
      stageJobs.push(job.name);
      const path = ['spec', 'stages', s, 'jobs', j];
      jobs.push({ name: job.name, path, needs: names(job.needs), upstream: [], stage: stageName });
    });
    stages.push({ name: stage.name, path: ['spec', 'stages', s], dependsOn, jobs: stageJobs });
  });
  const stageJobs = new Map(stages.map((stage) => [stage.name, stage.jobs]));
  const dependsOn = new Map(stages.map((stage) => [stage.name, stage.dependsOn]));
  return {
    stages,
    jobs: jobs.map((job) => ({
      ...job,
      upstream: [
        ...new Set([
          ...job.needs,
          ...(dependsOn.get(job.stage) ?? []).flatMap((d) => stageJobs.get(d) ?? []),
        ]),
      ],
    })),
  };
}
