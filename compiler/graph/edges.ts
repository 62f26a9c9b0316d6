/** What edge resolution reads of a job: its name and its direct dependencies. */
interface EdgeJob {
  readonly name: string;
  readonly upstream: ReadonlyArray<string>;
}

/**
 * The job edges by index, resolved once for the cycle check and the graph: each lookup of a
 * name hashes a string, and at 10,000 jobs every pass looking names up again showed.
 */
export interface JobEdges {
  /** Job name to index; the last job wins where names repeat. */
  readonly index: ReadonlyMap<string, number>;
  /** Whether every job has its own name, so that names and indexes match one to one. */
  readonly unique: boolean;
  /** Job `i`'s dependencies are `deps[start[i]]` up to `deps[start[i + 1]]`, in `upstream` order. */
  readonly start: Int32Array;
  /** Existing jobs only, and never the job itself. */
  readonly deps: Int32Array;
}

/** Resolves every job's `upstream` names to indexes, leaving out unknown names and the job itself. */
export function resolveEdges(jobs: ReadonlyArray<EdgeJob>): JobEdges {
  const index = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < jobs.length; i++) {
    const job = jobs[i] as EdgeJob;
    index.set(job.name, i);
    total += job.upstream.length;
  }
  const start = new Int32Array(jobs.length + 1);
  const deps = new Int32Array(total);
  let count = 0;
  for (let i = 0; i < jobs.length; i++) {
    const job = jobs[i] as EdgeJob;
    for (const name of job.upstream) {
      const dep = index.get(name);
      if (dep !== undefined && name !== job.name) deps[count++] = dep;
    }
    start[i + 1] = count;
  }
  return { index, unique: index.size === jobs.length, start, deps: deps.subarray(0, count) };
}
