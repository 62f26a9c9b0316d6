import type { Job, Workflow } from '../ir.js';
import type { Fragment, RunRequest } from './context.js';
import { type DistributedParts, lowerDistributedMatrix } from './distributed-matrix.js';

/** The upstream output a dynamic matrix fans out over: `${{ needs.<job>.outputs.<name> }}`. */
export interface MatrixSource {
  readonly job: string;
  readonly output: string;
}

/** The output a `fromJson` names, when it is exactly one `needs.<job>.outputs.<name>`. */
export function matrixSource(job: Job): MatrixSource | undefined {
  if (job.matrix?.kind !== 'dynamic') return undefined;
  const parts = job.matrix.from.parts.filter((part) => part.kind !== 'text' || part.text.trim() !== '');
  const [only] = parts;
  if (parts.length !== 1 || only?.kind !== 'expr' || only.expr.kind !== 'name') return undefined;
  const [root, upstream, field, output, ...rest] = only.expr.path;
  if (root !== 'needs' || field !== 'outputs' || rest.length > 0) return undefined;
  if (typeof upstream !== 'string' || typeof output !== 'string') return undefined;
  return { job: upstream, output };
}

/** Per workflow: the outputs each job must also write as JSON objects. Asked once per job. */
const jsonOutputs = new WeakMap<Workflow, ReadonlyMap<string, ReadonlyArray<string>>>();

/** The outputs of `job` that a dynamic matrix reads: its uploader writes them as JSON objects. */
export function jsonOutputsOf(workflow: Workflow, job: string): ReadonlyArray<string> {
  let byJob = jsonOutputs.get(workflow);
  if (byJob === undefined) {
    const sets = new Map<string, Set<string>>();
    for (const reader of workflow.jobs) {
      const source = matrixSource(reader);
      if (source !== undefined) sets.set(source.job, (sets.get(source.job) ?? new Set()).add(source.output));
    }
    byJob = new Map([...sets].map(([name, outputs]) => [name, [...outputs].sort()]));
    jsonOutputs.set(workflow, byJob);
  }
  return byJob.get(job) ?? [];
}

/** The S3 key of an output written as a JSON object of its own, as a `States.Format` call. */
function outputKey(source: MatrixSource): string {
  return `States.Format('runs/{}/${source.job}/outputs/${source.output}.json', $.run.id)`;
}

/**
 * A dynamic matrix: a distributed `Map` (distributed-matrix.ts) whose `ItemReader` reads the
 * JSON array the upstream job's uploader wrote to S3, so that the items never sit in the state.
 */
export function lowerDynamicMatrix(
  job: Job,
  request: RunRequest,
  source: MatrixSource,
  parts: DistributedParts,
): Fragment {
  if (job.matrix?.kind !== 'dynamic') throw new RangeError(`job "${job.name}" has no dynamic matrix`);
  return lowerDistributedMatrix(job, request, { kind: 'reader', key: outputKey(source) }, parts);
}
