import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ANONYMOUS,
  APPROVAL_ROUTE,
  type ApprovalAnswer,
  checkLink,
  decidedAnswer,
  problemAnswer,
  recordedAnswer,
  refusedAnswer,
  renderAnswer,
  showApproval,
  signedPath,
  wantsJson,
} from '../runtime/approval-routes.js';
import {
  type ApprovalCompletion,
  type DecideResult,
  decide,
  type LinkKey,
  signLink,
} from '../runtime/approvals.js';
import { type Clock, systemClock } from '../runtime/gates.js';
import type { Store } from '../runtime/store.js';
import { readDecisionBody } from './approval-body.js';

export { signedPath } from '../runtime/approval-routes.js';

/**
 * The local approval server: the routes of the cloud API's approvals (DESIGN §4) on 127.0.0.1,
 * over the same runtime functions. `GET /approvals/{id}?exp&sig` shows the page and never
 * decides; `POST` to the same signed address decides, and the completion goes to `onDecided`
 * (the local runtime settles the waiting task with it).
 */

export interface ApprovalServerOptions {
  readonly store: Store;
  /** The HMAC key links are signed with (at least 16 bytes). */
  readonly key: LinkKey;
  /** @default 0 (a free port) */
  readonly port?: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** Called once per settled approval with the token to answer. */
  readonly onDecided: (complete: ApprovalCompletion) => void | Promise<void>;
  /** @default systemClock */
  readonly clock?: Clock;
  /** How long a link made by `url(id)` without an expiry stays valid. @default 604800 (7 days) */
  readonly linkTtlSeconds?: number;
}

export interface ApprovalServer {
  readonly port: number;
  /** The signed link to approval `id`, valid until `expiresAt` (default: now + `linkTtlSeconds`). */
  url(id: string, expiresAt?: number): string;
  close(): Promise<void>;
}

/** Starts the approval server; resolves once it listens. */
export async function startApprovalServer(options: ApprovalServerOptions): Promise<ApprovalServer> {
  const host = options.host ?? '127.0.0.1';
  const clock = options.clock ?? systemClock;
  const linkTtlMs = (options.linkTtlSeconds ?? 604_800) * 1000;
  // Fail at start, not at the first link, when the key is too short.
  signLink(options.key, 'check', 0);
  const context: Context = { ...options, clock };
  const server: Server = createServer((req, res) => {
    handle(req, res, context).catch(() => {
      // Whatever failed, the answer says nothing about it: no stack, no token.
      if (!res.headersSent)
        reply(req, res, problemAnswer(500, 'internal', 'the approval server failed; try again'));
      else res.destroy();
    });
  });
  server.listen(options.port ?? 0, host);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  const origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    port,
    url(id, expiresAt = Math.floor(clock() + linkTtlMs)) {
      return `${origin}${signedPath(options.key, id, expiresAt)}`;
    },
    close() {
      // Idempotent: a session and its cleanup may both close the server.
      closing ??= new Promise((resolve, reject) => {
        server.close((error) => (error === undefined ? resolve() : reject(error)));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

interface Context extends ApprovalServerOptions {
  readonly clock: Clock;
}

async function handle(req: IncomingMessage, res: ServerResponse, context: Context): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://approvals.invalid');
  const id = APPROVAL_ROUTE.exec(url.pathname)?.[1];
  if (id === undefined) {
    return reply(
      req,
      res,
      problemAnswer(404, 'not-found', 'no such page; approval links look like /approvals/<id>?exp=…&sig=…'),
    );
  }
  const method = req.method ?? 'GET';
  if (method !== 'GET' && method !== 'HEAD' && method !== 'POST') {
    res.setHeader('allow', 'GET, HEAD, POST');
    return reply(
      req,
      res,
      problemAnswer(405, 'method-not-allowed', `${method} is not allowed here; use GET or POST`),
    );
  }
  const now = context.clock();
  const query = url.searchParams;
  const link = checkLink(context.key, id, query.get('exp') ?? undefined, query.get('sig') ?? undefined, now);
  if (link !== undefined) return reply(req, res, link);
  const action = `${url.pathname}${url.search}`;
  if (method === 'POST') return post(req, res, context, id, action);
  // GET and HEAD only read.
  return reply(req, res, await showApproval(context.store, id, action, now));
}

async function post(
  req: IncomingMessage,
  res: ServerResponse,
  context: Context,
  id: string,
  action: string,
): Promise<void> {
  const read = await readDecisionBody(req);
  if (!read.ok) {
    if (read.problem.close === true) res.setHeader('connection', 'close');
    return reply(req, res, problemAnswer(read.problem.status, read.problem.code, read.problem.message));
  }
  const { decision, comment, approver } = read.body;
  const result: DecideResult = await decide(context.store, {
    id,
    decision,
    approver: approver ?? ANONYMOUS,
    ...(comment === undefined ? {} : { comment }),
    now: context.clock(),
  });
  if (result.outcome === 'refused') return reply(req, res, refusedAnswer(result, action));
  if (result.outcome === 'recorded') {
    return reply(req, res, recordedAnswer(result.approvals, result.minApprovals, action));
  }
  try {
    await context.onDecided(result.complete);
  } catch {
    const message = `The approval was ${result.outcome}, but the local run could not be told; check the run.`;
    return reply(req, res, problemAnswer(500, 'not-delivered', message));
  }
  return reply(req, res, decidedAnswer(result.outcome, action));
}

function reply(req: IncomingMessage, res: ServerResponse, answer: ApprovalAnswer): void {
  const { headers, body } = renderAnswer(answer, wantsJson(req.headers.accept, req.headers['content-type']));
  res.writeHead(answer.status, { ...headers, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
