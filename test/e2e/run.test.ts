import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root } from '../support/files.js';
import {
  type Finished,
  ms,
  runJsonOf,
  startWaterflow,
  tempHomes,
  waterflow,
} from '../support/waterflow-process.js';

// `waterflow run` end to end with the host runner: a real process, real shells, the dynalite
// store on disk. Durations are real; delays are scaled down with --delay-scale where named.

const homes = tempHomes();

const run = (file: string, ...args: string[]) =>
  waterflow(['run', file, '--runner', 'host', '--json', ...args], homes.current());

/** Whether `pid` runs: a zombie (ended, not yet reaped by an init that never reaps) does not. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, 'utf8') : '';
  return !/^\d+ \(.*\) Z/.test(stat);
}

async function fileAppears(path: string, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!existsSync(path) || readFileSync(path, 'utf8').trim() === '') {
    if (Date.now() > until) throw new Error(`${path} did not appear within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function jobDir(runId: string, job: string): string {
  return join(homes.current(), 'runs', runId, job);
}

describe('waterflow run (host runner)', () => {
  it('runs hello with a relative home, as the README runs it with the default .waterflow', async () => {
    // The temporary directory is the working directory; the home is relative to it.
    const hello = join(root, 'examples', 'hello.yaml');
    const finished = await waterflow(
      ['run', hello, '--runner', 'host', '--json'],
      'home',
      {},
      homes.current(),
    );
    const record = runJsonOf(finished);

    expect(record.status).toBe('succeeded');
    expect(finished.stderr).not.toContain('cannot create');
    expect(existsSync(join(homes.current(), 'home', 'runs', record.runId, 'greet'))).toBe(true);
  });

  it('runs hello, passes an output to the next job and keeps each job log', async () => {
    const finished = await run('examples/hello.yaml', '--param', 'name=Ada');
    const record = runJsonOf(finished);
    const logs = await waterflow(['logs', record.runId, 'reply'], homes.current());

    expect(finished.code).toBe(0);
    expect(record.status).toBe('succeeded');
    expect(
      Object.fromEntries(Object.entries(record.jobs).map(([name, job]) => [name, job.status])),
    ).toStrictEqual({
      greet: 'succeeded',
      'host-info': 'succeeded',
      reply: 'succeeded',
    });
    expect(finished.stderr).toContain('[greet] Hello, Ada!');
    expect(logs.stdout).toContain("[reply] greet said 'Hello, Ada'");
  });

  it('runs two independent 1 s jobs at the same time', async () => {
    const record = runJsonOf(await run('test/fixtures/run/parallel.yaml'));
    const { one, two } = record.jobs as Record<string, { startedAt: string; endedAt: string }>;
    const wall =
      Math.max(ms(one?.endedAt), ms(two?.endedAt)) - Math.min(ms(one?.startedAt), ms(two?.startedAt));

    expect(record.status).toBe('succeeded');
    expect(wall).toBeLessThan(1800);
    expect(ms(two?.startedAt)).toBeLessThan(ms(one?.endedAt));
  });

  it('starts c of the N shape when a ends, not when b ends', async () => {
    const record = runJsonOf(await run('test/fixtures/run/n-shape.yaml'));
    const { a, b, c, d } = record.jobs;

    expect(record.status).toBe('succeeded');
    expect(ms(c?.startedAt)).toBeGreaterThanOrEqual(ms(a?.endedAt));
    expect(ms(c?.startedAt)).toBeLessThan(ms(b?.endedAt));
    expect(ms(c?.startedAt) - ms(a?.endedAt)).toBeLessThan(500);
    expect(ms(d?.startedAt)).toBeGreaterThanOrEqual(ms(b?.endedAt));
  });

  it('retries failed attempts after their (scaled) delays: fixed 0.5 s, linear 0.5 s then 1 s', async () => {
    const record = runJsonOf(await run('test/fixtures/run/retries.yaml', '--delay-scale', '0.05'));
    const starts = (job: string) =>
      readFileSync(join(jobDir(record.runId, job), 'attempt-times'), 'utf8')
        .trim()
        .split('\n')
        .map((line) => Number(line) / 1e6);
    const gaps = (times: number[]) => times.slice(1).map((time, i) => time - (times[i] as number));

    expect(record.status).toBe('succeeded');
    expect(record.jobs.flaky).toMatchObject({ status: 'succeeded', attempts: 3 });
    expect(record.jobs.linear).toMatchObject({ status: 'succeeded', attempts: 3 });
    const fixed = gaps(starts('flaky'));
    const linear = gaps(starts('linear'));
    expect(fixed.every((gap) => gap >= 500)).toBe(true);
    expect(linear[0]).toBeGreaterThanOrEqual(500);
    expect(linear[1]).toBeGreaterThanOrEqual(1000);
  });

  it('stops a job at its timeout, with every process it started', async () => {
    const finished = await run('test/fixtures/run/timeout.yaml');
    const record = runJsonOf(finished);
    const pid = (file: string) => Number(readFileSync(join(jobDir(record.runId, 'slow'), file), 'utf8'));

    expect(finished.code).toBe(1);
    expect(record.jobs.slow).toMatchObject({ status: 'failed' });
    expect(record.jobs.slow?.reason).toMatch(/timed out/);
    expect(ms(record.jobs.slow?.endedAt) - ms(record.jobs.slow?.startedAt)).toBeLessThan(5000);
    expect(alive(pid('shell.pid'))).toBe(false);
    expect(alive(pid('child.pid'))).toBe(false);
  });

  it('applies exit-code rules: Ignore succeeds at once, FailJob is never retried', async () => {
    const record = runJsonOf(await run('test/fixtures/run/exit-codes.yaml', '--delay-scale', '0.01'));

    expect(record.status).toBe('failed');
    expect(record.jobs.ignored).toMatchObject({ status: 'succeeded', attempts: 1, exitCode: 3 });
    expect(record.jobs.fatal).toMatchObject({ status: 'failed', attempts: 1, exitCode: 42 });
  });

  it('stops the other jobs when one fails with failFast', async () => {
    const started = Date.now();
    const finished = await run('test/fixtures/run/fail-fast.yaml');
    const record = runJsonOf(finished);

    expect(finished.code).toBe(1);
    expect(record.status).toBe('failed');
    expect(record.jobs.broken).toMatchObject({ status: 'failed', exitCode: 1 });
    expect(record.jobs.long?.status).toBe('cancelled');
    expect(record.jobs.after?.status).toBe('skipped');
    expect(finished.stderr).not.toContain('[long] finished');
    expect(Date.now() - started).toBeLessThan(8000);
  });

  it('lets independent jobs finish with failFast false, and skips the dependants', async () => {
    const record = runJsonOf(await run('test/fixtures/run/keep-going.yaml'));

    expect(record.status).toBe('failed');
    expect(record.jobs.broken?.status).toBe('failed');
    expect(record.jobs.long?.status).toBe('succeeded');
    expect(record.jobs.after?.status).toBe('skipped');
  });

  it('reruns a failed run as a new run that reuses the jobs that succeeded', async () => {
    const first = runJsonOf(await run('test/fixtures/run/rerun.yaml'));
    const flag = join(homes.current(), 'flag');
    writeFileSync(flag, '');
    const second = runJsonOf(
      await waterflow(
        ['rerun', first.runId, '--runner', 'host', '--json', '--param', `flag=${flag}`],
        homes.current(),
      ),
    );
    const third = runJsonOf(
      await waterflow(
        ['rerun', second.runId, '--from', 'first', '--runner', 'host', '--json'],
        homes.current(),
      ),
    );
    const stamp = (runId: string, job: string) => readFileSync(join(jobDir(runId, job), 'made-at'), 'utf8');

    expect(first.status).toBe('failed');
    expect(first.jobs.second?.status).toBe('failed');
    expect(second.runId).not.toBe(first.runId);
    expect(second.status).toBe('succeeded');
    expect(second.jobs.first).toMatchObject({ status: 'succeeded', reused: true });
    expect(second.jobs.second).toMatchObject({ status: 'succeeded', attempts: 1 });
    expect(stamp(second.runId, 'second')).toBe(stamp(first.runId, 'first'));
    expect(third.jobs.first?.reused).toBeUndefined();
    expect(third.jobs.first?.attempts).toBe(1);
    expect(third.status).toBe('succeeded');
  });

  it('lists runs newest first and shows a run as status --json shows it', async () => {
    const a = runJsonOf(await run('test/fixtures/run/parallel.yaml'));
    const b = runJsonOf(await run('examples/hello.yaml'));
    const runs = JSON.parse((await waterflow(['runs', '--json'], homes.current())).stdout) as Array<{
      runId: string;
    }>;
    const status = JSON.parse((await waterflow(['status', a.runId, '--json'], homes.current())).stdout);

    expect(runs.map((r) => r.runId)).toStrictEqual([b.runId, a.runId]);
    expect(status).toStrictEqual(a);
  });

  it.skipIf(!existsSync('/proc/self'))('exits 2 at once when the run home cannot be made', async () => {
    const finished = await waterflow(['run', 'examples/hello.yaml'], '/proc/waterflow-home');

    expect(finished.code).toBe(2);
    expect(finished.stderr).toBe(
      'waterflow: cannot make the run home /proc/waterflow-home (WATERFLOW_HOME): ENOENT\n',
    );
  });

  it('exits 2 saying why it cannot read the workflow file', async () => {
    const missing = await run('no/such.yaml');
    const directory = await run('examples');

    expect([missing.code, directory.code]).toStrictEqual([2, 2]);
    expect(missing.stderr).toBe('waterflow: no/such.yaml: cannot read the file: no such file\n');
    expect(directory.stderr).toBe('waterflow: examples: cannot read the file: is a directory\n');
  });

  it('exits 2 with a clear message for a bad param or an invalid file, recording nothing', async () => {
    const badParam = await run('examples/hello.yaml', '--param', 'nmae=Ada');
    const invalid = await run('test/fixtures/invalid/unknown-need.yaml');
    const runs = JSON.parse((await waterflow(['runs', '--json'], homes.current())).stdout);

    expect(badParam.code).toBe(2);
    expect(badParam.stderr).toContain('unknown param "nmae"');
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toContain('WF2003');
    expect(`${badParam.stderr}${invalid.stderr}`).not.toMatch(/\n\s+at /);
    expect(runs).toStrictEqual([]);
  });
});

describe('approvals in a local run', () => {
  const startApprovalRun = () => {
    const started = startWaterflow(
      ['run', 'test/fixtures/run/approval.yaml', '--runner', 'host', '--json'],
      homes.current(),
    );
    return started;
  };

  it('never decides on GET, and approves from a second process with waterflow approve', async () => {
    const started = startApprovalRun();
    const match = await started.waitFor(
      /approve: approve or reject at (\S+) or with: waterflow approve (\S+) approve/,
    );
    const [link, runId] = [match[1] as string, match[2] as string];
    for (let i = 0; i < 3; i++) expect((await fetch(link)).status).toBe(200);
    const waiting = JSON.parse((await waterflow(['status', runId, '--json'], homes.current())).stdout);
    const approve = await waterflow(['approve', runId, 'approve', '--comment', 'ship it'], homes.current());
    const finished: Finished = await started.done;
    const record = runJsonOf(finished);

    expect(waiting.jobs.approve.status).toBe('waiting');
    expect(approve.code).toBe(0);
    expect(finished.code).toBe(0);
    expect(record.jobs.approve?.status).toBe('succeeded');
    expect(record.jobs.deploy?.status).toBe('succeeded');
  });

  it('tells a terminal user who is not an approver how to decide as one; two approvers meet minApprovals: 2', async () => {
    const started = startWaterflow(
      ['run', 'test/fixtures/approval/workflow.yaml', '--runner', 'host', '--json'],
      homes.current(),
    );
    const [, runId] = (await started.waitFor(/waterflow approve (\S+) approve/)) as unknown as [
      string,
      string,
    ];
    const decide = (...args: string[]) =>
      waterflow(['approve', runId, 'approve', ...args], homes.current(), { USER: 'mallory' });
    const mallory = await decide();
    const alice = await decide('--as', 'alice@example.com');
    const bob = await decide('--as', 'bob@example.com');
    const record = runJsonOf(await started.done);

    expect(mallory.code).toBe(1);
    expect(mallory.stderr).toContain(
      'mallory may not decide this approval; it is for alice@example.com, bob@example.com',
    );
    expect(mallory.stderr).toContain('--as <approver>');
    expect([alice.code, bob.code]).toStrictEqual([0, 0]);
    expect(record.jobs.approve?.status).toBe('succeeded');
    expect(record.jobs.deploy?.status).toBe('succeeded');
  });

  it('rejects by HTTP POST to the link, failing the run and skipping what needs the approval', async () => {
    const started = startApprovalRun();
    const [, link] = (await started.waitFor(/approve: approve or reject at (\S+)/)) as unknown as [
      string,
      string,
    ];
    const response = await fetch(link, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ decision: 'reject', comment: 'not today' }),
    });
    const finished = await started.done;
    const record = runJsonOf(finished);

    expect(response.status).toBe(200);
    expect(finished.code).toBe(1);
    expect(record.jobs.approve?.status).toBe('failed');
    expect(record.jobs.deploy?.status).toBe('skipped');
  });
});

describe('an approval nobody answers', () => {
  it('applies onTimeout: approve when its timeout passes, before the dependants start', async () => {
    const record = runJsonOf(await run('test/fixtures/run/approval-timeout.yaml'));

    expect(record.status).toBe('succeeded');
    expect(record.jobs['wait-ok']).toMatchObject({
      status: 'succeeded',
      reason: 'approved when it timed out (onTimeout: approve)',
    });
    expect(ms(record.jobs.after?.startedAt)).toBeGreaterThanOrEqual(ms(record.jobs['wait-ok']?.endedAt));
  });
});

describe('a run that is stopped', () => {
  it('records Ctrl-C as cancelled and stops the running jobs', async () => {
    const started = startWaterflow(
      ['run', 'test/fixtures/run/fail-fast.yaml', '--runner', 'host', '--json'],
      homes.current(),
    );
    await started.waitFor(/long: running/);
    started.child.kill('SIGINT');
    const finished = await started.done;
    const record = runJsonOf(finished);

    expect(finished.code).toBe(130);
    expect(record.status).toBe('cancelled');
    expect(record.jobs.long?.status).toBe('cancelled');
  });

  it('shows a run whose process was killed (kill -9) as interrupted, and rerun completes it', async () => {
    const started = startWaterflow(
      ['run', 'test/fixtures/run/crash.yaml', '--runner', 'host'],
      homes.current(),
    );
    const [, runId] = (await started.waitFor(/run (\S+) of crash started/)) as unknown as [string, string];
    await fileAppears(join(jobDir(runId, 'second'), 'child.pid'));
    started.child.kill('SIGKILL');
    await started.done;
    const status = runJsonOf(await waterflow(['status', runId, '--json'], homes.current()));
    const rerun = await waterflow(['rerun', runId, '--runner', 'host', '--json'], homes.current());
    const completed = runJsonOf(rerun);
    const runs = JSON.parse((await waterflow(['runs', '--json'], homes.current())).stdout) as Array<{
      runId: string;
      status: string;
    }>;

    expect(status.status).toBe('interrupted');
    expect(status.jobs.first?.status).toBe('succeeded');
    expect(status.jobs.second?.status).toBe('cancelled');
    expect(rerun.code).toBe(0);
    expect(completed.jobs.first).toMatchObject({ status: 'succeeded', reused: true });
    expect(completed.jobs.second).toMatchObject({ status: 'succeeded', attempts: 1 });
    expect(runs).toStrictEqual([
      expect.objectContaining({ runId: completed.runId, status: 'succeeded' }),
      expect.objectContaining({ runId, status: 'interrupted' }),
    ]);
  });
});

describe('waterflow run of a matrix (host runner)', () => {
  it('runs each of its 6 items, never more than maxParallel 2 at once', async () => {
    const finished = await run('test/fixtures/run/matrix-max-parallel.yaml');
    const record = runJsonOf(finished);
    const items = Object.entries(record.jobs).filter(([name]) => name.startsWith('shard ('));
    // At each item's start, how many items had started and not yet ended.
    const overlaps = items.map(([, item]) => {
      const at = ms(item.startedAt);
      return items.filter(([, other]) => ms(other.startedAt) <= at && ms(other.endedAt) > at).length;
    });

    expect(record.status).toBe('succeeded');
    expect(items.map(([name]) => name).sort()).toStrictEqual([1, 2, 3, 4, 5, 6].map((n) => `shard (n=${n})`));
    expect(items.every(([, item]) => item.status === 'succeeded')).toBe(true);
    expect(Math.max(...overlaps)).toBe(2);
    for (const n of [1, 2, 3, 4, 5, 6]) expect(finished.stderr).toContain(`shard ${n}`);
  });
});

describe('waterflow run of a workflow with conditions (host runner)', () => {
  it('runs the branch whose condition holds and skips the other, with its dependants', async () => {
    const staging = runJsonOf(await run('test/fixtures/run/conditions.yaml'));
    const production = runJsonOf(
      await run('test/fixtures/run/conditions.yaml', '--param', 'environment=production'),
    );
    const statuses = (record: typeof staging) =>
      Object.fromEntries(Object.entries(record.jobs).map(([name, job]) => [name, job.status]));

    expect(staging.status).toBe('succeeded');
    expect(statuses(staging)).toStrictEqual({
      build: 'succeeded',
      'deploy-prod': 'skipped',
      'deploy-staging': 'succeeded',
      smoke: 'skipped',
      report: 'succeeded',
    });
    expect(production.status).toBe('succeeded');
    expect(statuses(production)).toStrictEqual({
      build: 'succeeded',
      'deploy-prod': 'succeeded',
      'deploy-staging': 'skipped',
      smoke: 'succeeded',
      report: 'succeeded',
    });
  });
});

describe('waterflow run of a workflow with a nested workflow job (host runner)', () => {
  it('runs the nested workflow found beside the file as a run of its own, with the params its with gives', async () => {
    const finished = await run('test/fixtures/run/nested/release.yaml');
    const record = runJsonOf(finished);
    const child = runJsonOf(await waterflow(['status', `${record.runId}-deploy`, '--json'], homes.current()));

    expect(finished.code).toBe(0);
    expect(record.jobs.deploy).toMatchObject({
      status: 'succeeded',
      reason: `nested run ${record.runId}-deploy succeeded`,
    });
    expect(ms(record.jobs.announce?.startedAt)).toBeGreaterThanOrEqual(ms(record.jobs.deploy?.endedAt));
    expect(child).toMatchObject({ workflow: 'deploy-service', status: 'succeeded' });
    expect(child.params).toStrictEqual({ version: '1.4.2', outcome: 'ok', replicas: 3 });
    expect(finished.stderr).toContain('[deploy] [roll-out] deploying 1.4.2 to 3 replicas');
  });

  it("fails the nested job, and the run, with the nested run's reason when the nested run fails", async () => {
    const finished = await run('test/fixtures/run/nested/release.yaml', '--param', 'outcome=broken');
    const record = runJsonOf(finished);

    expect(finished.code).toBe(1);
    expect(record.status).toBe('failed');
    expect(record.jobs.deploy).toMatchObject({
      status: 'failed',
      reason: `nested run ${record.runId}-deploy failed: job roll-out failed: exit code 1`,
    });
    expect(record.jobs.announce?.status).toBe('skipped');
  });

  it('refuses to start, with exit code 2, when the nested workflow is not beside the file', async () => {
    const finished = await run('test/fixtures/run/nested/missing.yaml');

    expect(finished.code).toBe(2);
    expect(finished.stderr).toContain(
      'job "deploy" runs workflow "no-such-workflow", but test/fixtures/run/nested has no no-such-workflow.yaml',
    );
    expect(finished.stdout).toBe('');
  });
});
