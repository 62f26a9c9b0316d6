import type { EcsTask } from './ecs-task.js';
import { type AttemptResult, type RunAttempt, runOnHost } from './host-runner.js';
import { OUTPUT_FILE } from './outputs.js';

/**
 * One attempt in a container of the job's image: the host runner supervises a `docker run`
 * whose working directory is the job's directory mounted at /work, so that outputs and
 * artifacts land where the host runner would put them. `docker run` exits 125 when the image
 * cannot be pulled or the container cannot start: that is ECS's `TaskFailedToStart`.
 */
export async function runInDocker(attempt: RunAttempt): Promise<AttemptResult> {
  const name = `waterflow-${attempt.runId}-${attempt.job}-${attempt.attempt}`.replaceAll(
    /[^A-Za-z0-9_.-]/g,
    '-',
  );
  const variables = Object.keys(attempt.env).flatMap((key) => ['-e', key]);
  const args = [
    'docker',
    'run',
    '--rm',
    '--name',
    name,
    '--init',
    '-v',
    `${attempt.workdir}:/work`,
    '-w',
    '/work',
    ...variables,
    '-e',
    `WATERFLOW_OUTPUT=/work/${OUTPUT_FILE}`,
    '-e',
    'WATERFLOW_RUN_ID',
    '-e',
    'WATERFLOW_JOB',
    '-e',
    'WATERFLOW_ATTEMPT',
    '--entrypoint',
    'sh',
    attempt.image,
    '-ec',
    attempt.script,
  ];
  // `exec` so that the process group's signals reach the docker client, which forwards them.
  const script = `exec ${args.map(shellQuote).join(' ')}`;
  const result = await runOnHost({ ...attempt, script });
  if (result.ok || result.error !== 'States.TaskFailed') return result;
  const task = JSON.parse(result.cause) as EcsTask;
  if (task.Containers[0]?.ExitCode !== 125) return result;
  const unplaced: EcsTask = {
    ...task,
    StopCode: 'TaskFailedToStart',
    StoppedReason: `CannotPullContainerError: docker could not start ${attempt.image}`,
    Containers: [{ Name: 'main' }],
  };
  return { ok: false, error: 'States.TaskFailed', cause: JSON.stringify(unplaced) };
}

function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}
