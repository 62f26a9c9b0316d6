import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runInDocker } from '../../local/runner/docker-runner.js';
import { readOutputs } from '../../local/runner/index.js';
import { dockerAnswers } from '../../local/runners.js';

// Needs a Docker engine: skipped, with the reason printed, on machines without one.
const docker = await dockerAnswers();
if (!docker) console.log('docker runner tests skipped: no Docker engine answered `docker version`');

const dir = mkdtempSync(join(tmpdir(), 'waterflow-docker-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const attempt = (job: string, image: string, script: string) => ({
  runId: 'docker-test',
  job,
  attempt: 1,
  image,
  script,
  env: { GREETING: 'hello' },
  workdir: join(dir, job),
});

describe.skipIf(!docker)('the Docker runner', () => {
  it('runs the commands in the image with the job directory at /work, outputs included', async () => {
    const result = await runInDocker(
      attempt('ok', 'alpine:3.20', 'echo "$GREETING" > made; echo "answer=42" >> "$WATERFLOW_OUTPUT"'),
    );

    expect(result.ok).toBe(true);
    expect(readFileSync(join(dir, 'ok', 'made'), 'utf8')).toBe('hello\n');
    expect(readOutputs(join(dir, 'ok'))).toStrictEqual({ answer: '42' });
  });

  it('returns the exit code as ECS does', async () => {
    const result = await runInDocker(attempt('fails', 'alpine:3.20', 'exit 7'));

    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(JSON.parse(result.cause).Containers[0].ExitCode).toBe(7);
  });

  it('reports an image that cannot be pulled as TaskFailedToStart', async () => {
    const result = await runInDocker(attempt('no-image', 'waterflow.invalid/none:0', 'true'));

    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(JSON.parse(result.cause).StopCode).toBe('TaskFailedToStart');
  });
});
