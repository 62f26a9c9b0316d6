import type { JsonValue } from '../asl/types.js';
import type { ContainerSpec, VolumeSpec } from '../compile/output.js';
import type { ContainerJob, Workflow } from '../ir.js';
import { jsonOutputsOf } from '../lower/dynamic-matrix.js';
import {
  ARTIFACTS_ENV,
  ARTIFACTS_FROM_ENV,
  INIT_SCRIPT,
  OUTPUT_ARRAYS_ENV,
  OUTPUTS_ENV,
  UPLOADER_SCRIPT,
} from './sidecar-scripts.js';

/**
 * How a container job's outputs and artifacts travel through S3 (docs/compilation.md, "Outputs
 * and artifacts in AWS"): a task-scoped volume shared by `init` (downloads `artifactsFrom`),
 * `main` (the job) and `uploader` (uploads `$WATERFLOW_OUTPUT` and the artifacts).
 */

export const MAIN = 'main';
export const INIT = 'init';
export const UPLOADER = 'uploader';

/** The shared volume, where every container of the task mounts it. */
export const VOLUME = 'waterflow';
export const VOLUME_PATH = '/waterflow';
/** The job's working directory on the volume. */
export const WORK_DIR = `${VOLUME_PATH}/work`;
/** `$WATERFLOW_OUTPUT` of a job with sidecars: the local runtime's file name, in the working directory. */
export const OUTPUT_FILE = `${WORK_DIR}/.waterflow-output`;
/** `$WATERFLOW_OUTPUT` of a job without: writable by any user, read by nobody. */
export const DISCARDED_OUTPUT_FILE = '/tmp/.waterflow-output';

/** The sidecar image, a definition substitution; see DEFAULT_SIDECAR_IMAGE. */
export const SIDECAR_IMAGE_SUBSTITUTION = 'SidecarImage';
/** What the platform supplies as `${SidecarImage}` unless configured otherwise: a public image with sh and the AWS CLI. */
export const DEFAULT_SIDECAR_IMAGE = 'public.ecr.aws/aws-cli/aws-cli:2.32.9';

/** Which sidecars a job's task has. */
export interface Sidecars {
  /** Prepares the working directory and downloads `artifactsFrom`; present with any sidecar. */
  readonly init: boolean;
  /** Uploads outputs and artifacts after the job: when it declares either. */
  readonly uploader: boolean;
}

/** The sidecars of `job`, or undefined when it needs none (no outputs, artifacts or artifactsFrom). */
export function sidecarsOf(job: ContainerJob): Sidecars | undefined {
  const uploader = job.outputs.length > 0 || job.artifacts.length > 0;
  // Init also for jobs without artifactsFrom: the volume belongs to root, and an image that
  // runs as another user could not write its outputs without it.
  if (!uploader && job.artifactsFrom.length === 0) return undefined;
  return { init: true, uploader };
}

/** Substitution placeholders the sidecar containers need. */
export interface SidecarPlaceholders {
  readonly image: string;
  readonly bucket: string;
}

interface MainContainer {
  readonly image: string;
  readonly workflow: string;
  readonly secrets: ContainerSpec['secrets'];
}

/** The containers and volumes of a job's task. */
export function taskContainers(
  main: MainContainer,
  sidecars: Sidecars | undefined,
  placeholders: () => SidecarPlaceholders,
): { containers: ContainerSpec[]; volumes: VolumeSpec[] } {
  const workflowEnv = { name: 'WATERFLOW_WORKFLOW', value: main.workflow };
  if (sidecars === undefined) {
    const alone: ContainerSpec = {
      name: MAIN,
      image: main.image,
      essential: true,
      environment: [workflowEnv, { name: 'WATERFLOW_OUTPUT', value: DISCARDED_OUTPUT_FILE }],
      secrets: main.secrets,
      mountPoints: [],
      dependsOn: [],
    };
    return { containers: [alone], volumes: [] };
  }
  const { image, bucket } = placeholders();
  const mount = [{ sourceVolume: VOLUME, containerPath: VOLUME_PATH }];
  const sidecarEnv = [
    { name: 'WATERFLOW_BUCKET', value: bucket },
    { name: 'WATERFLOW_DIR', value: WORK_DIR },
    { name: 'WATERFLOW_OUTPUT', value: OUTPUT_FILE },
  ];
  const sidecar = (name: string, script: string, dependsOn: ContainerSpec['dependsOn']): ContainerSpec => ({
    name,
    image,
    // The image's own entry point is `aws`.
    essential: name === UPLOADER,
    entryPoint: ['sh', '-c'],
    command: [script],
    environment: sidecarEnv,
    secrets: [],
    mountPoints: mount,
    dependsOn,
  });
  const containers: ContainerSpec[] = [];
  if (sidecars.init) containers.push(sidecar(INIT, INIT_SCRIPT, []));
  containers.push({
    name: MAIN,
    image: main.image,
    // ECS refuses COMPLETE or SUCCESS on an essential container, and an essential main would
    // stop the task, uploader included, the moment it exits.
    essential: !sidecars.uploader,
    workingDirectory: WORK_DIR,
    environment: [workflowEnv, { name: 'WATERFLOW_OUTPUT', value: OUTPUT_FILE }],
    secrets: main.secrets,
    mountPoints: mount,
    dependsOn: sidecars.init ? [{ containerName: INIT, condition: 'SUCCESS' }] : [],
  });
  if (sidecars.uploader)
    containers.push(sidecar(UPLOADER, UPLOADER_SCRIPT, [{ containerName: MAIN, condition: 'COMPLETE' }]));
  return { containers, volumes: [{ name: VOLUME }] };
}

const RUN_ID: JsonValue = { Name: 'WATERFLOW_RUN_ID', 'Value.$': '$.run.id' };

/** The run task's container overrides for the sidecars: the run id and the job's lists. */
export function sidecarOverrides(workflow: Workflow, job: ContainerJob, sidecars: Sidecars): JsonValue[] {
  const overrides: JsonValue[] = [];
  if (sidecars.init) {
    const from = job.artifactsFrom.flatMap((f) => {
      const producer = workflow.jobs.find((j) => j.name === f.job);
      return f.artifacts.flatMap((name) => {
        const artifact = producer?.artifacts.find((a) => a.name === name);
        return artifact === undefined ? [] : [`${f.job}/${name}=${artifact.path}`];
      });
    });
    // Without artifacts to fetch, init only opens the working directory: it needs no run id.
    if (from.length > 0)
      overrides.push({
        Name: INIT,
        Environment: [RUN_ID, { Name: ARTIFACTS_FROM_ENV, Value: from.join('\n') }],
      });
  }
  if (sidecars.uploader) {
    // The outputs a dynamic matrix reads: the uploader also writes them as JSON arrays of their own.
    const arrays = jsonOutputsOf(workflow, job.name);
    const lists: Array<[string, string]> = [
      [OUTPUTS_ENV, job.outputs.join(',')],
      [ARTIFACTS_ENV, job.artifacts.map((a) => `${a.name}=${a.path}`).join('\n')],
      [OUTPUT_ARRAYS_ENV, arrays.join(',')],
    ];
    overrides.push({
      Name: UPLOADER,
      Environment: [
        RUN_ID,
        { Name: 'WATERFLOW_JOB', Value: job.name },
        ...lists.filter(([, value]) => value !== '').map(([name, value]) => ({ Name: name, Value: value })),
      ],
    });
  }
  return overrides;
}
