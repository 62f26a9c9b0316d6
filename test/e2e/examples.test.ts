import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root } from '../support/files.js';
import { runJsonOf, startWaterflow, tempHomes, waterflow } from '../support/waterflow-process.js';

// Every example runs end to end with the host runner, as a new user would run it; approvals are
// given from a second process as the first approver the example names.

const examples = readdirSync(join(root, 'examples'))
  .filter((file) => file.endsWith('.yaml'))
  .sort();

// What a user would supply for the examples' secrets on a laptop (see docs/local.md).
const secrets = { WATERFLOW_SECRET_DB_CREDENTIALS: '{"username":"app","password":"local-only"}' };

const homes = tempHomes();

describe('every example runs locally', () => {
  it.each(examples)('%s succeeds', async (file) => {
    const text = readFileSync(join(root, 'examples', file), 'utf8');
    const approver = text.match(/approvers: \[([^,\]]+)/)?.[1]?.trim();
    const started = startWaterflow(
      ['run', `examples/${file}`, '--runner', 'host', '--json'],
      homes.current(),
      secrets,
    );
    const approvals = (text.match(/type: approval/g) ?? []).length;
    for (let i = 0; i < approvals; i++) {
      const [, runId, job] = (await started.waitFor(
        /waterflow approve (\S+) (\S+)(?![\s\S]*waterflow approve)/,
      )) as unknown as [string, string, string];
      const approved = await waterflow(['approve', runId, job, '--as', approver ?? 'me'], homes.current());
      expect(approved.code, approved.stderr).toBe(0);
    }
    const finished = await started.done;
    const record = runJsonOf(finished);

    expect(record.status, finished.stderr).toBe('succeeded');
    expect(finished.code).toBe(0);
    // A job may fail on purpose (continueOnFailure); none may be left unfinished.
    const unfinished = Object.entries(record.jobs).filter(
      ([, job]) => !['succeeded', 'skipped', 'failed'].includes(job.status),
    );
    expect(unfinished).toStrictEqual([]);
    expect(
      Object.values(record.jobs)
        .filter((job) => job.status === 'failed')
        .every((job) => /continueOnFailure/.test(job.reason ?? '')),
    ).toBe(true);
  });
});
