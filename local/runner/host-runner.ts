import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { constants } from 'node:os';
import { join, resolve } from 'node:path';
import type { EcsTaskStateChange } from '../../runtime/job-events.js';
import {
  type EcsTask,
  runningEvent,
  stoppedEvent,
  stoppedTask,
  type TaskEnd,
  type TaskIdentity,
  taskIdentity,
} from './ecs-task.js';
import { lineSplitter } from './lines.js';
import { OUTPUT_FILE } from './outputs.js';

/** One attempt of a container job, as the local runtime hands it to a runner. */
export interface RunAttempt {
  readonly runId: string;
  readonly job: string;
  readonly attempt: number;
  /** Not used by the host runner; the caller warns once that images are ignored. */
  readonly image: string;
  /** The job's commands joined by "\n", already rendered. */
  readonly script: string;
  readonly env: Readonly<Record<string, string>>;
  /** `.waterflow/runs/<runId>/<job>/`: created if missing, kept between attempts. */
  readonly workdir: string;
  readonly timeoutMs?: number;
  /** Time between SIGTERM and SIGKILL when the attempt is stopped. @default 2000 */
  readonly killGraceMs?: number;
  /** Stops the attempt (Ctrl-C, failFast). */
  readonly signal?: AbortSignal;
  readonly onLog?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** RUNNING then STOPPED, as ECS publishes them (runtime/job-events.ts reads them). */
  readonly onEvent?: (detail: EcsTaskStateChange) => void;
}

/** What `ecs:runTask.sync` gives a Task state: the stopped task, or the error and cause it fails with. */
export type AttemptResult =
  | { readonly ok: true; readonly task: EcsTask }
  | { readonly ok: false; readonly error: 'States.TaskFailed' | 'States.Timeout'; readonly cause: string };

/** Grace between SIGTERM and SIGKILL when an attempt is stopped, as `docker stop` and ECS give (stopTimeout). */
export const KILL_GRACE_MS = 2000;

type Stop = { readonly why: 'timeout' | 'abort'; readonly text: string };

/** Runs one attempt of a container job with `sh -ec` on the host and returns what ECS `.sync` would. */
export async function runOnHost(attempt: RunAttempt): Promise<AttemptResult> {
  const id = taskIdentity(attempt.runId, attempt.job);
  let logFile: ReturnType<typeof createWriteStream>;
  try {
    mkdirSync(attempt.workdir, { recursive: true });
    writeFileSync(join(attempt.workdir, OUTPUT_FILE), '');
    logFile = createWriteStream(join(attempt.workdir, `attempt-${attempt.attempt}.log`), { flags: 'a' });
    await once(logFile, 'open');
  } catch (error) {
    return failedToStart(attempt, id, error);
  }
  const child = spawn('sh', ['-ec', attempt.script], {
    cwd: attempt.workdir,
    env: attemptEnv(attempt),
    // Its own process group, so that stopping it stops everything it started.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // `once(child, 'spawn')` would reject on 'error'; the error is a result here, not a throw.
  const spawned = await new Promise<Error | undefined>((resolve) => {
    child.once('spawn', () => resolve(undefined));
    child.once('error', resolve);
  });
  if (spawned !== undefined) {
    logFile.end();
    return failedToStart(attempt, id, spawned);
  }
  const startedAt = new Date().toISOString();
  attempt.onEvent?.(runningEvent(id, startedAt));
  const [exitCode, stop] = await supervise(attempt, child, (line, stream) => {
    logFile.write(`${line}\n`);
    attempt.onLog?.(line, stream);
  });
  logFile.end();
  await once(logFile, 'close');
  return finish(attempt, id, { startedAt, exitCode, stop });
}

/** Streams the child's output and stops it on timeout or abort; resolves when its output is closed. */
async function supervise(
  attempt: RunAttempt,
  child: ChildProcess,
  log: (line: string, stream: 'stdout' | 'stderr') => void,
): Promise<[number, Stop | undefined]> {
  const pid = child.pid ?? 0;
  let stop: Stop | undefined;
  let killTimer: NodeJS.Timeout | undefined;
  const stopNow = (next: Stop): void => {
    if (stop !== undefined) return;
    stop = next;
    killGroup(pid, 'SIGTERM');
    killTimer = setTimeout(() => killGroup(pid, 'SIGKILL'), attempt.killGraceMs ?? KILL_GRACE_MS);
  };
  const timeoutMs = attempt.timeoutMs;
  const timer =
    timeoutMs === undefined
      ? undefined
      : setTimeout(() => stopNow({ why: 'timeout', text: `timed out after ${timeoutMs} ms` }), timeoutMs);
  const onAbort = (): void => stopNow({ why: 'abort', text: 'stopped by the caller' });
  attempt.signal?.addEventListener('abort', onAbort, { once: true });
  if (attempt.signal?.aborted === true) onAbort();
  for (const stream of ['stdout', 'stderr'] as const) {
    const lines = lineSplitter((line) => log(line, stream));
    child[stream]?.on('data', (chunk: Buffer) => lines.push(chunk));
    child[stream]?.on('end', () => lines.end());
  }
  // A container ends with its main process: what that process left running in the group goes too.
  child.once('exit', () => killGroup(pid, 'SIGKILL'));
  const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
  clearTimeout(timer);
  clearTimeout(killTimer);
  attempt.signal?.removeEventListener('abort', onAbort);
  // Killed by a signal: the exit code a container reports for it (128 + signal number).
  return [code ?? 128 + (signal === null ? 0 : constants.signals[signal]), stop];
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group has already ended.
  }
}

function finish(
  attempt: RunAttempt,
  id: TaskIdentity,
  run: { readonly startedAt: string; readonly exitCode: number; readonly stop: Stop | undefined },
): AttemptResult {
  const end: TaskEnd = {
    stopCode: run.stop === undefined ? 'EssentialContainerExited' : 'UserInitiated',
    stoppedReason:
      run.stop === undefined ? 'Essential container in task exited' : `Waterflow: job ${run.stop.text}`,
    startedAt: run.startedAt,
    stoppedAt: new Date().toISOString(),
    exitCode: run.exitCode,
  };
  attempt.onEvent?.(stoppedEvent(id, end));
  if (run.stop?.why === 'timeout') {
    return {
      ok: false,
      error: 'States.Timeout',
      cause: `job "${attempt.job}" attempt ${attempt.attempt} ${run.stop.text}`,
    };
  }
  const task = stoppedTask(id, end);
  return run.exitCode === 0 && run.stop === undefined
    ? { ok: true, task }
    : { ok: false, error: 'States.TaskFailed', cause: JSON.stringify(task) };
}

/** The infrastructure failure: the task never ran, so there is no exit code (DESIGN §2, Retry). */
function failedToStart(attempt: RunAttempt, id: TaskIdentity, error: unknown): AttemptResult {
  const message = error instanceof Error ? error.message : String(error);
  const end: TaskEnd = {
    stopCode: 'TaskFailedToStart',
    stoppedReason: `CannotStartContainerError: ${message} (workdir ${attempt.workdir})`,
    stoppedAt: new Date().toISOString(),
  };
  attempt.onEvent?.(stoppedEvent(id, end));
  return { ok: false, error: 'States.TaskFailed', cause: JSON.stringify(stoppedTask(id, end)) };
}

/** A small safe base of the host's environment, the job's env, then Waterflow's own variables. */
function attemptEnv(attempt: RunAttempt): Record<string, string> {
  const base: Record<string, string> = {};
  for (const name of ['PATH', 'HOME', 'LANG']) {
    const value = process.env[name];
    if (value !== undefined) base[name] = value;
  }
  return {
    ...base,
    ...attempt.env,
    // Absolute: the job's shell starts in its workdir, where a relative path would not resolve.
    WATERFLOW_OUTPUT: resolve(attempt.workdir, OUTPUT_FILE),
    WATERFLOW_RUN_ID: attempt.runId,
    WATERFLOW_JOB: attempt.job,
    WATERFLOW_ATTEMPT: String(attempt.attempt),
  };
}
