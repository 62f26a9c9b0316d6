import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { z } from 'zod';
import type { DagJob } from '../../bench/simulator/dag.js';
import { root } from './files.js';

/** One job of a WfCommons DAG: its task id, its measured runtime and the ids it waits for. */
export type WfJob = DagJob;

/** A WfCommons trace reduced to its job DAG (see `shared/corpus/README.md`). */
export interface WfInstance {
  readonly name: string;
  readonly jobs: ReadonlyArray<WfJob>;
}

/** A corpus DAG as a Waterflow workflow, with each job's runtime for the simulator. */
export interface CorpusWorkflow {
  readonly yaml: string;
  /** Measured runtime in seconds (not rounded, unlike the `sleep` command), by job name. */
  readonly runtimes: ReadonlyMap<string, number>;
}

/** The WfInstances corpus beside the repository (`../shared/corpus/wfinstances`), if present. */
export const wfInstancesDir: string | undefined = ((dir) => (existsSync(dir) ? dir : undefined))(
  join(root, '..', 'shared', 'corpus', 'wfinstances'),
);

/** Why corpus tests skip, for a `console.log` beside `describe.skipIf`. */
export const corpusMissingReason = `skipped: no WfInstances corpus at ${join(root, '..', 'shared', 'corpus', 'wfinstances')} (it sits beside the repository on the team's machines, not in a clone)`;

const instanceFile = z.object({
  name: z.string(),
  jobs: z.array(
    z.object({ id: z.string(), runtimeSeconds: z.number().nonnegative(), parents: z.array(z.string()) }),
  ),
});

/** Every corpus instance, sorted by file name; undefined when the corpus is absent. */
export function loadInstances(dir: string | undefined = wfInstancesDir): WfInstance[] | undefined {
  if (dir === undefined) return undefined;
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json') && file !== 'index.json')
    .sort()
    .map((file) => instanceFile.parse(JSON.parse(readFileSync(join(dir, file), 'utf8'))));
}

/** The instance as `waterflow.io/v1` YAML; see `instanceToWorkflow`. */
export function instanceToWorkflowYaml(instance: WfInstance): string {
  return instanceToWorkflow(instance).yaml;
}

/**
 * One stage with one `alpine:3.20` container job per DAG job: named from its id, `needs` from its
 * parents, running `sleep <runtime rounded to whole seconds>`.
 */
export function instanceToWorkflow(instance: WfInstance): CorpusWorkflow {
  const names = jobNames(instance.jobs.map((job) => job.id));
  const nameOf = (id: string): string => {
    const name = names.get(id);
    if (name === undefined) throw new Error(`instance ${instance.name}: unknown parent "${id}"`);
    return name;
  };
  const runtimes = new Map<string, number>();
  const jobs = instance.jobs.map((job) => {
    const name = nameOf(job.id);
    runtimes.set(name, job.runtimeSeconds);
    return {
      name,
      container: 'alpine:3.20',
      commands: [`sleep ${Math.round(job.runtimeSeconds)}`],
      ...(job.parents.length > 0 ? { needs: job.parents.map(nameOf) } : {}),
    };
  });
  const yaml = stringify({
    apiVersion: 'waterflow.io/v1',
    kind: 'Workflow',
    metadata: { name: workflowName(instance.name), description: `WfCommons DAG ${instance.name}` },
    spec: { stages: [{ name: 'dag', jobs }] },
  });
  return { yaml, runtimes };
}

const MAX_NAME = 64;

/**
 * Job names (`^[A-Za-z_][A-Za-z0-9_-]{0,63}$`), unique, by id. Long dotted Nextflow ids keep their
 * last segments (`NFCORE_SAREK.SAREK.PREPARE_GENOME.BWAMEM1_INDEX_6` -> `SAREK_PREPARE_GENOME_...`),
 * which tell the jobs apart; the leading pipeline name does not.
 */
function jobNames(ids: ReadonlyArray<string>): Map<string, string> {
  const taken = new Set<string>();
  const names = new Map<string, string>();
  for (const id of ids) {
    const segments = id.split('.');
    while (segments.length > 1 && segments.join('_').length > MAX_NAME) segments.shift();
    let base = segments.join('_').replace(/[^A-Za-z0-9_-]/g, '_');
    if (!/^[A-Za-z_]/.test(base)) base = `_${base}`;
    base = base.slice(-MAX_NAME).replace(/^[^A-Za-z_]/, '_');
    let name = base;
    for (let n = 2; taken.has(name); n++) name = `${base.slice(0, MAX_NAME - `-${n}`.length)}-${n}`;
    taken.add(name);
    names.set(id, name);
  }
  return names;
}

/** A workflow name (`^[a-z][a-z0-9-]{0,62}$`): `1000genome-...` becomes `wf-1000genome-...`. */
function workflowName(instance: string): string {
  const name = instance.toLowerCase().replace(/[^a-z0-9-]/g, '-');
  return (/^[a-z]/.test(name) ? name : `wf-${name}`).slice(0, 63);
}
