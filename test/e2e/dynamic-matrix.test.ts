import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jobDirName } from '../../local/engine/engine.js';
import { runJsonOf, tempHomes, waterflow } from '../support/waterflow-process.js';

// `waterflow run` of a dynamic matrix end to end with the host runner: a real process, real
// shells, the dynalite store on disk.

const homes = tempHomes();

const run = (file: string) => waterflow(['run', file, '--runner', 'host', '--json'], homes.current());

const items = ['each (name=a, n=1)', 'each (name=b, n=2)', 'each (name=c, n=3)'];

describe('waterflow run of a dynamic matrix (host runner)', () => {
  it('runs one item per element of the upstream output, each with its own matrix values', async () => {
    // Act
    const finished = await run('test/fixtures/run/matrix-dynamic.yaml');
    const record = runJsonOf(finished);
    const status = runJsonOf(await waterflow(['status', record.runId, '--json'], homes.current()));

    // Assess
    expect(finished.code).toBe(0);
    for (const [i, item] of items.entries()) {
      expect(status.jobs[item]?.status).toBe('succeeded');
      const seen = readFileSync(
        join(homes.current(), 'runs', record.runId, jobDirName(item), 'seen.txt'),
        'utf8',
      );
      expect(seen.trim()).toBe(`item ${['a', 'b', 'c'][i]} number ${i + 1}`);
    }
    expect(status.jobs.each).toMatchObject({ status: 'succeeded', reason: 'fanned out to 3 items' });
    expect(status.jobs.after?.status).toBe('succeeded');
  });

  it('fails the matrix job with a clear reason when fromJson is not a JSON array', async () => {
    // Act
    const finished = await run('test/fixtures/run/matrix-dynamic-bad.yaml');
    const record = runJsonOf(finished);

    // Assess
    expect(finished.code).toBe(1);
    expect(record.status).toBe('failed');
    expect(record.jobs.each).toMatchObject({
      status: 'failed',
      reason: 'matrix.fromJson: needs.split.outputs.items is not JSON: "a,b,c"',
    });
    expect(record.jobs.after?.status).not.toBe('succeeded');
  });
});

describe('waterflow run of matrices with a distributed Map (host runner)', () => {
  it('runs every item of a static matrix above 40 at once as an entry of its own', async () => {
    // Act
    const finished = await run('test/fixtures/run/matrix-distributed.yaml');
    const record = runJsonOf(finished);
    const status = runJsonOf(await waterflow(['status', record.runId, '--json'], homes.current()));

    // Assess
    expect(finished.code).toBe(0);
    const names = [1, 2, 3].flatMap((n) => ['linux', 'alpine'].map((os) => ({ n, os })));
    for (const { n, os } of names) {
      const item = `each (n=${n}, os=${os})`;
      expect(status.jobs[item]).toMatchObject({ status: 'succeeded', attempts: 1 });
      const seen = readFileSync(
        join(homes.current(), 'runs', record.runId, jobDirName(item), 'seen.txt'),
        'utf8',
      );
      expect(seen.trim()).toBe(`n ${n} on ${os}`);
    }
    expect(Object.keys(status.jobs).sort()).toStrictEqual(
      ['after', ...names.map(({ n, os }) => `each (n=${n}, os=${os})`)].sort(),
    );
    expect(status.jobs.after?.status).toBe('succeeded');
  });

  it('names equal items of a dynamic matrix apart, in item order: <job> (<value>) #2', async () => {
    // Act
    const finished = await run('test/fixtures/run/matrix-dynamic-duplicates.yaml');
    const record = runJsonOf(finished);
    const status = runJsonOf(await waterflow(['status', record.runId, '--json'], homes.current()));

    // Assess
    expect(finished.code).toBe(0);
    for (const item of ['each (a)', 'each (b)', 'each (a) #2', 'each (a) #3']) {
      expect(status.jobs[item]).toMatchObject({ status: 'succeeded', attempts: 1 });
      const seen = readFileSync(
        join(homes.current(), 'runs', record.runId, jobDirName(item), 'seen.txt'),
        'utf8',
      );
      expect(seen.trim()).toBe(`item ${item.includes('(b)') ? 'b' : 'a'} attempt 1`);
    }
    expect(status.jobs.each).toMatchObject({ status: 'succeeded', reason: 'fanned out to 4 items' });
  });
});

describe('waterflow rerun of a dynamic matrix (host runner)', () => {
  it('takes over the items that succeeded and runs the failed one again', async () => {
    // Prepare: item b fails, a and c succeed (failFast: false), and the matrix job is the last.
    const first = runJsonOf(
      await waterflow(
        [
          'run',
          'test/fixtures/run/matrix-dynamic-rerun.yaml',
          '--runner',
          'host',
          '--json',
          '-p',
          'broken=b',
        ],
        homes.current(),
      ),
    );

    // Act
    const rerun = await waterflow(
      ['rerun', first.runId, '--runner', 'host', '--json', '-p', 'broken=none'],
      homes.current(),
    );
    const record = runJsonOf(rerun);

    // Assess
    expect(first.status).toBe('failed');
    expect(first.jobs['each (b)']?.status).toBe('failed');
    expect(rerun.code).toBe(0);
    expect(record.jobs['each (a)']).toMatchObject({ status: 'succeeded', reused: true });
    expect(record.jobs['each (c)']).toMatchObject({ status: 'succeeded', reused: true });
    expect(record.jobs['each (b)']).toMatchObject({ status: 'succeeded', attempts: 1 });
    expect(record.jobs['each (b)']?.reused).toBeUndefined();
    // The last job's success state is not a failure record: the matrix job's own entry succeeded.
    expect(record.jobs.each).toMatchObject({ status: 'succeeded', reason: 'fanned out to 3 items' });
  });
});
