import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { Agent, get as httpGet, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoStore, ensureTable } from '../runtime/dynamo-store.js';
import { loopbackCall } from './loopback-dynamo.js';

/** The table the local runtime keeps everything in. */
export const LOCAL_TABLE = 'waterflow';

/**
 * The local store, served by this process (`owner`) or by another CLI process that opened the
 * same directory first. When that process closes, the next request finds the database again
 * (and may serve it itself), so a long run outlives the short command it connected to.
 */
export interface LocalDb {
  readonly store: DynamoStore;
  readonly client: DynamoDBClient;
  /** The server's URL now; it changes when the process that served the database went away. */
  readonly endpoint: string;
  /** True while this process serves the database, false while it uses another process's server. */
  readonly owner: boolean;
  /** Destroys the client; an owner also unpublishes and stops its server. */
  close(): Promise<void>;
}

export interface OpenLocalDbOptions {
  /** How long to wait for another process that holds the database to answer. @default 10_000 */
  readonly waitMs?: number;
}

/** The local database cannot be opened; the message says which path and what to do. */
export class LocalDbError extends Error {
  readonly code: 'WF9201';

  constructor(message: string) {
    super(message);
    this.name = 'Waterflow.LocalDbError';
    this.code = 'WF9201';
  }
}

/** Who serves `<dir>/db`, in `<dir>/db.json`; a file holding only `pid` is a claim being set up. */
interface ServerInfo {
  readonly pid: number;
  readonly port?: number;
}

type InfoRead =
  | { readonly kind: 'found'; readonly info: ServerInfo }
  | { readonly kind: 'gone' }
  | { readonly kind: 'unreadable' };

interface Paths {
  readonly dir: string;
  readonly db: string;
  readonly info: string;
}

/** The server a handle talks to: its own (with what it published) or another process's. */
type Link =
  | { readonly port: number; readonly server: Server; readonly info: ServerInfo }
  | { readonly port: number; readonly server?: undefined };

/** A live owner that does not answer for this long may be a reused pid: check the lock itself. */
const STALE_AFTER_MS = 1_000;

/**
 * Opens the store under `dir` (the `.waterflow` directory): serves `<dir>/db` with dynalite on a
 * loopback port, or connects to the process that already serves it (LevelDB admits one opener).
 */
export async function openLocalDb(dir: string, options: OpenLocalDbOptions = {}): Promise<LocalDb> {
  const paths: Paths = { dir, db: join(dir, 'db'), info: join(dir, 'db.json') };
  try {
    await mkdir(dir, { recursive: true });
  } catch (error) {
    throw new LocalDbError(
      `cannot create ${dir}: ${reason(error)}; check that it is a directory you can write to`,
    );
  }
  const waitMs = options.waitMs ?? 10_000;
  return new LocalDbHandle(paths, waitMs, await locate(paths, waitMs));
}

class LocalDbHandle implements LocalDb {
  readonly store: DynamoStore;
  readonly client: DynamoDBClient;
  readonly #paths: Paths;
  readonly #waitMs: number;
  readonly #agent: Agent;
  #link: Link;
  #relinking: Promise<void> | undefined;
  #closing: Promise<void> | undefined;

  constructor(paths: Paths, waitMs: number, link: Link) {
    this.#paths = paths;
    this.#waitMs = waitMs;
    this.#link = link;
    this.client = localDbClient(endpointOf(link.port));
    // Every command goes straight to the server (loopback-dynamo.ts), before the SDK's own
    // serialize, sign, retry and parse steps; a refused connection finds the server again.
    const agent = new Agent({ keepAlive: true });
    this.#agent = agent;
    this.client.middlewareStack.add(
      (_next, context) => async (args) => {
        const target = (context.commandName ?? '').replace(/Command$/, '');
        const send = (port: number) => loopbackCall(agent, port, target, args.input);
        const port = this.#link.port;
        let output: object;
        try {
          output = await send(port);
        } catch (error) {
          // Refused: the request never arrived, so sending it to the server found now is safe.
          if (errorCode(error) !== 'ECONNREFUSED' || !(await this.#relink(port))) throw error;
          output = await send(this.#link.port);
        }
        return { output: { $metadata: {}, ...output } as never, response: {} };
      },
      { step: 'initialize', name: 'waterflowLoopback', priority: 'high' },
    );
    this.store = new DynamoStore({ client: this.client, tableName: LOCAL_TABLE });
  }

  get endpoint(): string {
    return endpointOf(this.#link.port);
  }

  get owner(): boolean {
    return this.#link.server !== undefined;
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    await this.#relinking?.catch(() => undefined);
    this.client.destroy();
    this.#agent.destroy();
    const link = this.#link;
    if (link.server === undefined) return;
    // Unpublish first, so that no new opener connects to a server that is going away.
    await removeInfo(this.#paths, link.info);
    try {
      await closeServer(link.server);
    } catch (error) {
      throw new LocalDbError(`cannot close the local database ${this.#paths.db} cleanly: ${reason(error)}`);
    }
  }

  /** Finds the database again after the server on `port` refused; true when the link changed. */
  async #relink(port: number): Promise<boolean> {
    if (this.#closing !== undefined || this.#link.server !== undefined) return false;
    if (this.#link.port === port) {
      this.#relinking ??= locate(this.#paths, this.#waitMs)
        .then((link) => {
          this.#link = link;
        })
        .finally(() => {
          this.#relinking = undefined;
        });
      await this.#relinking;
    }
    return this.#link.port !== port;
  }
}

/** Serves the database, or finds the process that serves it, waiting up to `waitMs` for one. */
async function locate(paths: Paths, waitMs: number): Promise<Link> {
  const deadline = Date.now() + waitMs;
  let silentSince: number | undefined;
  let holder: number | undefined;
  for (let delay = 10; ; delay = Math.min(delay * 2, 200)) {
    if (await claim(paths)) {
      const served = await serve(paths);
      if (served !== 'locked') return served;
    } else {
      const read = await readInfo(paths.info);
      if (read.kind === 'gone') continue;
      if (read.kind === 'found') {
        holder = read.info.pid;
        if (!isAlive(read.info.pid)) {
          await removeInfo(paths, undefined);
          continue;
        }
        if (read.info.port !== undefined && (await answers(read.info.port))) return { port: read.info.port };
      }
      silentSince ??= Date.now();
      if (Date.now() - silentSince >= STALE_AFTER_MS && (await lockState(paths.db)) === 'free') {
        await removeInfo(paths, undefined);
        silentSince = undefined;
        continue;
      }
    }
    if (Date.now() >= deadline) {
      throw new LocalDbError(
        `the local database ${paths.db} is held by another process${holder === undefined ? '' : ` (pid ${holder})`} ` +
          `that did not answer within ${waitMs / 1_000} s; wait for it to finish or stop it, then try again`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

/** Takes `db.json` for this process unless another one holds it; true when taken. */
async function claim(paths: Paths): Promise<boolean> {
  try {
    await writeFile(paths.info, JSON.stringify({ pid: process.pid }), { flag: 'wx' });
    return true;
  } catch (error) {
    if (errorCode(error) === 'EEXIST') return false;
    throw new LocalDbError(
      `cannot write ${paths.info}: ${reason(error)}; check that ${paths.dir} is writable`,
    );
  }
}

/** Serves the database from this process; 'locked' when another process still holds LevelDB. */
async function serve(paths: Paths): Promise<Link | 'locked'> {
  let server: Server | undefined;
  try {
    // The probe turns corruption into a clear error; once dynalite has the path, a failed open
    // only shows as an uncaught exception on its first request.
    if ((await lockState(paths.db)) === 'locked') {
      await removeInfo(paths, { pid: process.pid });
      return 'locked';
    }
    server = await startDynalite(paths.db);
    const port = (server.address() as AddressInfo).port;
    const setup = localDbClient(endpointOf(port));
    try {
      await ensureTable(setup, LOCAL_TABLE, { timeoutMs: 10_000 });
    } finally {
      setup.destroy();
    }
    const info: ServerInfo = { pid: process.pid, port };
    const temp = `${paths.info}.${randomUUID()}.tmp`;
    await writeFile(temp, JSON.stringify(info));
    await rename(temp, paths.info);
    return { port, server, info };
  } catch (error) {
    if (server !== undefined) await closeServer(server).catch(() => undefined);
    await removeInfo(paths, { pid: process.pid }).catch(() => undefined);
    if (error instanceof LocalDbError) throw error;
    throw new LocalDbError(`cannot start the local database ${paths.db}: ${reason(error)}`);
  }
}

function endpointOf(port: number): string {
  return `http://127.0.0.1:${port}`;
}

/**
 * A client for a DynamoDB-API server on loopback. Every setting the SDK would otherwise take from
 * `AWS_*` variables or `~/.aws` files is given here, so that no profile, key or region reaches it.
 */
export function localDbClient(endpoint: string): DynamoDBClient {
  // The SDK warns on Node < 22 that it will need a newer Node for AWS updates; the local
  // store talks to no AWS service, so the warning would only confuse CLI users.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  return new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    defaultsMode: 'standard',
    maxAttempts: 3,
    retryMode: 'standard',
    useFipsEndpoint: false,
    useDualstackEndpoint: false,
    accountIdEndpointMode: 'disabled',
    endpointDiscoveryEnabled: false,
    authSchemePreference: [],
    userAgentAppId: 'waterflow-local',
    disableClockSkewCorrection: true,
  });
}

type Dynalite = (options: {
  readonly path: string;
  readonly createTableMs: number;
  readonly deleteTableMs: number;
  readonly updateTableMs: number;
}) => Server;

interface LevelDb {
  open(): Promise<void>;
  close(): Promise<void>;
}

interface LevelFailure {
  readonly code?: string;
  readonly cause?: { readonly code?: string; readonly message?: string };
}

// Loaded on first use: a process that only connects never needs LevelDB's native module.
const requireHere = createRequire(import.meta.url);

async function startDynalite(path: string): Promise<Server> {
  const dynalite = requireHere('dynalite') as Dynalite;
  const server = dynalite({ path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

/**
 * Whether LevelDB at `path` can be opened now: opens and closes it with dynalite's own copy of
 * `level`, so that the lock taken is the one dynalite takes. Corruption becomes a LocalDbError.
 */
async function lockState(path: string): Promise<'free' | 'locked'> {
  const fromDynalite = createRequire(requireHere.resolve('dynalite'));
  const { Level } = fromDynalite('level') as { Level: new (path: string) => LevelDb };
  const db = new Level(path);
  try {
    await db.open();
  } catch (error) {
    const failure = error as LevelFailure;
    const cause = failure.cause?.code;
    if (cause === 'LEVEL_LOCKED') return 'locked';
    const detail = failure.cause?.message ?? reason(error);
    if (cause === 'LEVEL_CORRUPTION') {
      throw new LocalDbError(
        `the local database ${path} is corrupted (${detail}); move it aside or delete it to start with ` +
          'an empty one (the runs recorded there are then lost)',
      );
    }
    throw new LocalDbError(
      `cannot open the local database ${path} (${detail}); it must be a LevelDB directory you can ` +
        'write to: fix its permissions, or move it aside or delete it to start with an empty one',
    );
  }
  await db.close();
  return 'free';
}

async function readInfo(path: string): Promise<InfoRead> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    return errorCode(error) === 'ENOENT' ? { kind: 'gone' } : { kind: 'unreadable' };
  }
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null) return { kind: 'unreadable' };
    const { pid, port } = value as { pid?: unknown; port?: unknown };
    // pid 0 or below would signal a process group, not a process.
    if (!Number.isInteger(pid) || (pid as number) <= 0) return { kind: 'unreadable' };
    if (port !== undefined && !Number.isInteger(port)) return { kind: 'unreadable' };
    return {
      kind: 'found',
      info: port === undefined ? { pid: pid as number } : { pid: pid as number, port: port as number },
    };
  } catch {
    // Also a claim caught between its creation and its first write.
    return { kind: 'unreadable' };
  }
}

/** Removes `db.json`; with `only`, only while it still names that pid (and port). */
async function removeInfo(paths: Paths, only: ServerInfo | undefined): Promise<void> {
  if (only !== undefined) {
    const read = await readInfo(paths.info);
    if (read.kind !== 'found' || read.info.pid !== only.pid || read.info.port !== only.port) return;
  }
  try {
    await rm(paths.info, { force: true });
  } catch (error) {
    throw new LocalDbError(
      `cannot remove the stale ${paths.info}: ${reason(error)}; delete it and try again`,
    );
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return errorCode(error) === 'EPERM';
  }
}

/** True when a dynalite server answers its health check on `port`. */
function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    // No agent: a pooled keep-alive socket would outlive the check.
    const request = httpGet(
      { host: '127.0.0.1', port, path: '/', timeout: 1_000, agent: false },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          body += chunk;
        });
        response.on('end', () => resolve(response.statusCode === 200 && body.startsWith('healthy:')));
        response.on('error', () => resolve(false));
      },
    );
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(false));
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error === undefined || error === null ? resolve() : reject(error)));
    // Keep-alive connections of other processes' clients would hold the server open.
    server.closeIdleConnections();
  });
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
