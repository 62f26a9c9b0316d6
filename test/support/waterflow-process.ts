import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { root } from './files.js';

/**
 * `bin/waterflow.js` as a separate process, as a user starts it: for tests of the local runtime
 * that need a second terminal, a signal or a killed process. Each test gets its own
 * `WATERFLOW_HOME` so that runs, logs and the db never mix.
 */

export interface Finished {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface Started {
  readonly child: ChildProcess;
  /** Output so far. */
  readonly output: () => { readonly stdout: string; readonly stderr: string };
  /** Resolves with the first match of `pattern` in stdout or stderr. */
  readonly waitFor: (pattern: RegExp, timeoutMs?: number) => Promise<RegExpMatchArray>;
  readonly done: Promise<Finished>;
}

/** A fresh `WATERFLOW_HOME` for each test of the file, removed after it. */
export function tempHomes(): { readonly current: () => string } {
  let home = '';
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'waterflow-e2e-'));
  });
  afterEach(() => {
    rmSync(home, { recursive: true, force: true });
  });
  return { current: () => home };
}

/** `home` may be relative: to `cwd`, the repository unless given, as a user's `.waterflow` is. */
export function startWaterflow(
  args: ReadonlyArray<string>,
  home: string,
  env: NodeJS.ProcessEnv = {},
  cwd: string = root,
): Started {
  const child = spawn(process.execPath, [join(root, 'bin', 'waterflow.js'), ...args], {
    cwd,
    env: { ...process.env, WATERFLOW_HOME: home, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const listeners = new Set<() => void>();
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    for (const listener of listeners) listener();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    for (const listener of listeners) listener();
  });
  const done = new Promise<Finished>((resolve) => {
    child.once('close', (code, signal) => {
      for (const listener of listeners) listener();
      resolve({ code, signal, stdout, stderr });
    });
  });
  const waitFor = (pattern: RegExp, timeoutMs = 20_000) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const check = () => {
        const match = stdout.match(pattern) ?? stderr.match(pattern);
        if (match !== null) {
          listeners.delete(check);
          clearTimeout(timer);
          resolve(match);
        } else if (child.exitCode !== null || child.signalCode !== null) {
          listeners.delete(check);
          clearTimeout(timer);
          reject(new Error(`waterflow ended before printing ${pattern}:\n${stdout}\n${stderr}`));
        }
      };
      const timer = setTimeout(() => {
        listeners.delete(check);
        reject(new Error(`no ${pattern} within ${timeoutMs} ms:\n${stdout}\n${stderr}`));
      }, timeoutMs);
      listeners.add(check);
      check();
    });
  return { child, output: () => ({ stdout, stderr }), waitFor, done };
}

/** Runs waterflow to its end. */
export function waterflow(
  args: ReadonlyArray<string>,
  home: string,
  env: NodeJS.ProcessEnv = {},
  cwd: string = root,
): Promise<Finished> {
  return startWaterflow(args, home, env, cwd).done;
}

export interface JobJson {
  readonly status: string;
  readonly attempts: number;
  readonly exitCode?: number;
  readonly startedAt?: string;
  readonly endedAt?: string;
  readonly reason?: string;
  readonly reused?: boolean;
}

export interface RunJson {
  readonly runId: string;
  readonly workflow: string;
  readonly status: string;
  readonly params?: { readonly [name: string]: unknown };
  readonly jobs: { readonly [job: string]: JobJson };
}

/** The `--json` record of a finished run, with a readable failure when stdout is not one. */
export function runJsonOf(finished: Finished): RunJson {
  try {
    return JSON.parse(finished.stdout) as RunJson;
  } catch {
    throw new Error(`not a JSON run record (exit ${finished.code}):\n${finished.stdout}\n${finished.stderr}`);
  }
}

/** Milliseconds since the epoch of an ISO time that must be there. */
export function ms(time: string | undefined): number {
  if (time === undefined) throw new Error('a time is missing');
  return Date.parse(time);
}
