import { spawn } from 'node:child_process';
import type { JobRunner } from './engine/engine.js';
import { runInDocker } from './runner/docker-runner.js';
import { runOnHost } from './runner/index.js';

/** `auto`: Docker when an engine answers, else the host shell. */
export type RunnerChoice = 'auto' | 'host' | 'docker';

/** Whether `docker version` reaches an engine within `timeoutMs`. */
export function dockerAnswers(timeoutMs = 3000): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn('docker', ['version', '--format', '{{.Server.Version}}'], { stdio: 'ignore' });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve(false);
    }, timeoutMs);
    child.once('error', () => {
      clearTimeout(timer);
      resolve(false);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code === 0);
    });
  });
}

export class RunnerUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunnerUnavailableError';
  }
}

/** The runner for `choice`; warns once when images will not be used. */
export async function pickRunner(choice: RunnerChoice, warn: (text: string) => void): Promise<JobRunner> {
  if (choice === 'host') return runOnHost;
  const docker = await dockerAnswers();
  if (docker) return runInDocker;
  if (choice === 'docker') {
    throw new RunnerUnavailableError('--runner docker: no Docker engine answered (is the daemon running?)');
  }
  warn('waterflow: no Docker engine answered: jobs run in the host shell and their images are not used\n');
  return runOnHost;
}
