import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type LocalDb, LocalDbError, openLocalDb } from '../../local/db.js';
import { type Child, sourceUrl, spawnScript } from './support/child.js';

const dirs: string[] = [];
const dbs: LocalDb[] = [];
const children: Child[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) child.kill();
  await Promise.all(dbs.splice(0).map((db) => db.close()));
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A fresh `.waterflow` directory, removed after the test. */
async function home(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'waterflow-local-db-'));
  dirs.push(dir);
  return join(dir, '.waterflow');
}

async function open(dir: string): Promise<LocalDb> {
  const db = await openLocalDb(dir);
  dbs.push(db);
  return db;
}

async function serverInfo(dir: string): Promise<unknown> {
  return JSON.parse(await readFile(join(dir, 'db.json'), 'utf8'));
}

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid ?? 0;
}

/**
 * A child process that opens the local database in `dir` and prints `{ owner, endpoint }`, then
 * answers `put SK`, `get SK` and `close` on stdin with one JSON line each.
 */
async function openInChild(dir: string): Promise<Child> {
  const child = await spawnScript(
    join(dir, '..'),
    `
import { createInterface } from 'node:readline';
const { openLocalDb } = await import(${JSON.stringify(sourceUrl('local/db.ts'))});
const db = await openLocalDb(${JSON.stringify(dir)});
console.log(JSON.stringify({ owner: db.owner, endpoint: db.endpoint }));
for await (const line of createInterface({ input: process.stdin })) {
  const [command, sk] = line.split(' ');
  const key = { pk: 'shared', sk };
  if (command === 'put') console.log(JSON.stringify(await db.store.putIfAbsent(key, { by: 'child' })));
  if (command === 'get') console.log(JSON.stringify((await db.store.get(key)) ?? null));
  if (command === 'close') {
    await db.close();
    console.log(JSON.stringify('closed'));
    process.exit(0);
  }
}
`,
  );
  children.push(child);
  return child;
}

describe('openLocalDb', () => {
  it('serves a fresh directory and publishes its pid and port until it closes', async () => {
    // Prepare
    const dir = await home();

    // Act
    const db = await openLocalDb(dir);
    const published = await serverInfo(dir);
    const written = await db.store.putIfAbsent({ pk: 'p', sk: 's' }, { v: 1 });
    await db.close();

    // Assess
    expect(db.owner).toBe(true);
    expect(db.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(published).toStrictEqual({ pid: process.pid, port: Number(new URL(db.endpoint).port) });
    expect(written).toBe(true);
    expect((await readdir(dir)).sort()).toStrictEqual(['db']);
  });

  it('keeps the data on disk across a close and a reopen', async () => {
    // Prepare
    const dir = await home();
    const first = await openLocalDb(dir);
    await first.store.putIfAbsent({ pk: 'run#1', sk: 'snapshot' }, { status: 'succeeded' });
    await first.store.addAndGet({ pk: 'run#1', sk: 'count' }, 'n', 2);
    await first.close();

    // Act
    const second = await open(dir);

    // Assess
    expect(second.owner).toBe(true);
    expect(await second.store.query('run#1', '')).toStrictEqual([
      { key: { pk: 'run#1', sk: 'count' }, item: { n: 2 } },
      { key: { pk: 'run#1', sk: 'snapshot' }, item: { status: 'succeeded' } },
    ]);
  });

  it('shares the server with a second opener in the same process, whose close leaves it running', async () => {
    // Prepare
    const dir = await home();
    const owner = await open(dir);

    // Act
    const second = await openLocalDb(dir);
    await second.store.putIfAbsent({ pk: 'p', sk: 'from-second' }, { v: 2 });
    await second.close();

    // Assess
    expect(second.owner).toBe(false);
    expect(second.endpoint).toBe(owner.endpoint);
    expect(await owner.store.get({ pk: 'p', sk: 'from-second' })).toStrictEqual({ v: 2 });
    expect(await serverInfo(dir)).toStrictEqual({
      pid: process.pid,
      port: Number(new URL(owner.endpoint).port),
    });
  });

  it('makes exactly one of several concurrent openers the owner', async () => {
    // Prepare
    const dir = await home();

    // Act
    const opened = await Promise.all(Array.from({ length: 4 }, () => open(dir)));

    // Assess
    expect(opened.filter((db) => db.owner)).toHaveLength(1);
    expect(new Set(opened.map((db) => db.endpoint)).size).toBe(1);
  });

  it('connects to the database that another process serves', async () => {
    // Prepare
    const dir = await home();
    const child = await openInChild(dir);
    const served = (await child.next()) as { owner: boolean; endpoint: string };
    child.send('put from-child');
    await child.next();

    // Act
    const db = await open(dir);
    const fromChild = await db.store.get({ pk: 'shared', sk: 'from-child' });
    await db.store.putIfAbsent({ pk: 'shared', sk: 'from-parent' }, { by: 'parent' });
    child.send('get from-parent');
    const seenByChild = await child.next();
    child.send('close');
    await child.next();

    // Assess
    expect(served.owner).toBe(true);
    expect(db.owner).toBe(false);
    expect(db.endpoint).toBe(served.endpoint);
    expect(fromChild).toStrictEqual({ by: 'child' });
    expect(seenByChild).toStrictEqual({ by: 'parent' });
    expect(await child.exited).toBe(0);
    expect(await readdir(dir)).not.toContain('db.json');
  });

  it('serves the database to another process that opens it second', async () => {
    // Prepare
    const dir = await home();
    const db = await open(dir);

    // Act
    const child = await openInChild(dir);
    const opened = (await child.next()) as { owner: boolean; endpoint: string };
    child.send('put from-child');
    const written = await child.next();
    child.send('close');
    await child.next();

    // Assess
    expect(opened).toStrictEqual({ owner: false, endpoint: db.endpoint });
    expect(written).toBe(true);
    expect(await db.store.get({ pk: 'shared', sk: 'from-child' })).toStrictEqual({ by: 'child' });
    expect(await serverInfo(dir)).toStrictEqual({
      pid: process.pid,
      port: Number(new URL(db.endpoint).port),
    });
  });

  it('serves the database itself once the process it connected to has closed', async () => {
    // Prepare
    const dir = await home();
    const child = await openInChild(dir);
    await child.next();
    const db = await open(dir);
    await db.store.putIfAbsent({ pk: 'shared', sk: 'before' }, { by: 'parent' });
    child.send('close');
    await child.next();
    await child.exited;

    // Act
    const before = await db.store.get({ pk: 'shared', sk: 'before' });
    const written = await db.store.putIfAbsent({ pk: 'shared', sk: 'after' }, { by: 'parent' });

    // Assess
    expect([before, written]).toStrictEqual([{ by: 'parent' }, true]);
    expect(db.owner).toBe(true);
    expect(await serverInfo(dir)).toStrictEqual({
      pid: process.pid,
      port: Number(new URL(db.endpoint).port),
    });
  });

  it('moves every client of a closed owner to one new owner', async () => {
    // Prepare
    const dir = await home();
    const first = await openLocalDb(dir);
    const clients = [await open(dir), await open(dir), await open(dir)];
    await first.store.putIfAbsent({ pk: 'p', sk: 's' }, { v: 1 });
    await first.close();

    // Act
    const read = await Promise.all(clients.map((db) => db.store.get({ pk: 'p', sk: 's' })));

    // Assess
    expect(read).toStrictEqual([{ v: 1 }, { v: 1 }, { v: 1 }]);
    expect(clients.filter((db) => db.owner)).toHaveLength(1);
    expect(new Set(clients.map((db) => db.endpoint)).size).toBe(1);
  });

  it('lets processes that open at once agree on one owner', async () => {
    // Prepare
    const dir = await home();
    await mkdir(dir, { recursive: true });

    // Act
    const opening = await Promise.all([openInChild(dir), openInChild(dir), openInChild(dir)]);
    const opened = (await Promise.all(opening.map((child) => child.next()))) as Array<{
      owner: boolean;
      endpoint: string;
    }>;

    // Assess
    expect(opened.filter((db) => db.owner)).toHaveLength(1);
    expect(new Set(opened.map((db) => db.endpoint)).size).toBe(1);
  });

  it('removes a db.json left by a dead process and serves the database itself', async () => {
    // Prepare
    const dir = await home();
    const first = await openLocalDb(dir);
    await first.store.putIfAbsent({ pk: 'p', sk: 's' }, { kept: true });
    await first.close();
    await writeFile(join(dir, 'db.json'), JSON.stringify({ pid: await deadPid(), port: 1 }));

    // Act
    const db = await open(dir);

    // Assess
    expect(db.owner).toBe(true);
    expect(await serverInfo(dir)).toStrictEqual({
      pid: process.pid,
      port: Number(new URL(db.endpoint).port),
    });
    expect(await db.store.get({ pk: 'p', sk: 's' })).toStrictEqual({ kept: true });
  });

  it('takes over from a db.json whose live pid does not answer once the database is free', async () => {
    // Prepare: a pid reused after a crash looks alive; this process's own pid is such a one.
    const dir = await home();
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'db.json'), JSON.stringify({ pid: process.pid, port: 9 }));

    // Act
    const db = await open(dir);

    // Assess
    expect(db.owner).toBe(true);
  });

  it('gives up with a clear error while another process holds the database and does not answer', async () => {
    // Prepare
    const dir = await home();
    await mkdir(dir, { recursive: true });
    const holder = await spawnScript(
      join(dir, '..'),
      `
import { createRequire } from 'node:module';
const fromDynalite = createRequire(createRequire(${JSON.stringify(sourceUrl('package.json'))}).resolve('dynalite'));
const { Level } = fromDynalite('level');
await new Level(${JSON.stringify(join(dir, 'db'))}).open();
console.log(JSON.stringify('holding'));
setInterval(() => {}, 1000);
`,
    );
    children.push(holder);
    await holder.next();

    // Act
    const opening = openLocalDb(dir, { waitMs: 300 });

    // Assess
    await expect(opening).rejects.toThrow(LocalDbError);
    await expect(opening).rejects.toThrow(
      `the local database ${join(dir, 'db')} is held by another process that did not answer within 0.3 s; ` +
        'wait for it to finish or stop it, then try again',
    );
    expect(await readdir(dir)).not.toContain('db.json');
  });

  it('reports a corrupted database with its path and what to do', async () => {
    // Prepare
    const dir = await home();
    const first = await openLocalDb(dir);
    await first.store.putIfAbsent({ pk: 'p', sk: 's' }, {});
    await first.close();
    const db = join(dir, 'db');
    for (const file of await readdir(db)) {
      if (file.startsWith('MANIFEST-')) await writeFile(join(db, file), Buffer.alloc(200, 0xff));
    }

    // Act
    const opening = openLocalDb(dir);

    // Assess
    await expect(opening).rejects.toThrow(LocalDbError);
    await expect(opening).rejects.toThrow(
      new RegExp(`^the local database ${db} is corrupted \\(Corruption: .+\\); move it aside or delete it`),
    );
    expect(await readdir(dir)).not.toContain('db.json');
  });

  it('reports a database path that is not a directory', async () => {
    // Prepare
    const dir = await home();
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'db'), 'not a database');

    // Act
    const opening = openLocalDb(dir);

    // Assess
    await expect(opening).rejects.toThrow(
      new RegExp(
        `^cannot open the local database ${join(dir, 'db')} \\(.+\\); it must be a LevelDB directory`,
      ),
    );
  });

  it('reports a home directory that cannot be created', async () => {
    // Prepare
    const dir = await home();
    await mkdir(join(dir, '..'), { recursive: true });
    await writeFile(dir, 'a file where the directory should be');

    // Act
    const opening = openLocalDb(join(dir, 'inner'));

    // Assess
    await expect(opening).rejects.toThrow(LocalDbError);
    await expect(opening).rejects.toThrow(new RegExp(`^cannot create ${join(dir, 'inner')}: ENOTDIR`));
  });

  it('reads no AWS configuration or credentials and ignores AWS_* settings', async () => {
    // Prepare: settings that break or redirect a default client, and files it would read.
    const dir = await home();
    const aws = join(dir, '..', 'aws-home');
    await mkdir(join(aws, '.aws'), { recursive: true });
    await writeFile(join(aws, '.aws', 'config'), '[profile hostile]\nregion = nowhere\nmax_attempts = x\n');
    await writeFile(join(aws, '.aws', 'credentials'), '[hostile]\naws_access_key_id = AKIAREAL\n');
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: aws,
      AWS_PROFILE: 'hostile',
      AWS_CONFIG_FILE: join(aws, '.aws', 'config'),
      AWS_SHARED_CREDENTIALS_FILE: join(aws, '.aws', 'credentials'),
      AWS_REGION: 'nowhere-1',
      AWS_ACCESS_KEY_ID: 'AKIAREAL',
      AWS_SECRET_ACCESS_KEY: 'real',
      AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
      AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9',
      AWS_MAX_ATTEMPTS: 'many',
      AWS_RETRY_MODE: 'bogus',
      AWS_DEFAULTS_MODE: 'bogus',
      AWS_USE_FIPS_ENDPOINT: 'true',
      AWS_USE_DUALSTACK_ENDPOINT: 'true',
      AWS_ACCOUNT_ID_ENDPOINT_MODE: 'bogus',
      AWS_ENABLE_ENDPOINT_DISCOVERY: 'true',
    };
    const child = await spawnScript(
      join(dir, '..'),
      `
import fs from 'node:fs';
import fsp from 'node:fs/promises';
const reads = [];
const watch = (target, name) => {
  const original = target[name];
  target[name] = function (path, ...rest) {
    if (String(path).includes('.aws')) reads.push(name + ' ' + String(path));
    return original.call(this, path, ...rest);
  };
};
for (const name of ['readFile', 'readFileSync', 'open', 'openSync', 'existsSync', 'stat', 'statSync']) watch(fs, name);
for (const name of ['readFile', 'open', 'stat', 'access']) watch(fsp, name);
const { openLocalDb } = await import(${JSON.stringify(sourceUrl('local/db.ts'))});
const db = await openLocalDb(${JSON.stringify(dir)});
await db.store.putIfAbsent({ pk: 'p', sk: 's' }, { v: 1 });
const item = await db.store.get({ pk: 'p', sk: 's' });
await db.close();
console.log(JSON.stringify({ item, reads }));
`,
      env,
    );
    children.push(child);

    // Act
    const report = await child.next();

    // Assess
    expect(report).toStrictEqual({ item: { v: 1 }, reads: [] });
    expect(await child.exited).toBe(0);
  });
});
