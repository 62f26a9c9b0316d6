import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type ApprovalCompletion,
  type ApprovalPageView,
  type ApprovalView,
  approvalPage,
  type DecideResult,
  decide,
  getApproval,
  type LinkKey,
  type RefusalCode,
  signLink,
  verifyLink,
} from '../runtime/approvals.js';
import { type Clock, systemClock } from '../runtime/gates.js';
import type { Store } from '../runtime/store.js';
import { readDecisionBody } from './approval-body.js';

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

/** Where a decision's answer or a refusal sends the browser or client: status and stable code. */
const REFUSAL_STATUS: Readonly<Record<RefusalCode, number>> = {
  unknown: 404,
  expired: 410,
  'already-decided': 409,
  'not-expired': 409,
  'duplicate-vote': 409,
  'not-allowed': 403,
  invalid: 400,
};

const ROUTE = /^\/approvals\/([A-Za-z0-9_-]{1,128})$/;
// Who decides when the form leaves the approver empty; refused when the approval names approvers.
const ANONYMOUS = 'anonymous';
const SECURITY_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};
const PAGE_POLICY =
  "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

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
        reply(req, res, 500, problemBody('internal', 'the approval server failed; try again'));
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

/** `/approvals/{id}?exp=..&sig=..`: the path both the server and its clients sign. */
export function signedPath(key: LinkKey, id: string, expiresAt: number): string {
  const sig = signLink(key, id, expiresAt);
  return `/approvals/${encodeURIComponent(id)}?exp=${expiresAt}&sig=${sig}`;
}

interface Context extends ApprovalServerOptions {
  readonly clock: Clock;
}

async function handle(req: IncomingMessage, res: ServerResponse, context: Context): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://approvals.invalid');
  const id = ROUTE.exec(url.pathname)?.[1];
  if (id === undefined) {
    return reply(
      req,
      res,
      404,
      problemBody('not-found', 'no such page; approval links look like /approvals/<id>?exp=…&sig=…'),
    );
  }
  const method = req.method ?? 'GET';
  if (method !== 'GET' && method !== 'HEAD' && method !== 'POST') {
    res.setHeader('allow', 'GET, HEAD, POST');
    return reply(
      req,
      res,
      405,
      problemBody('method-not-allowed', `${method} is not allowed here; use GET or POST`),
    );
  }
  const now = context.clock();
  const link = checkLink(context.key, id, url.searchParams, now);
  if (link !== undefined) return reply(req, res, link.status, problemBody(link.code, link.message));
  const action = `${url.pathname}${url.search}`;
  if (method === 'POST') return post(req, res, context, id, action);
  // GET and HEAD only read.
  const approval = await getApproval(context.store, id);
  if (approval === undefined)
    return reply(req, res, 404, problemBody('unknown', 'there is no approval with this id'));
  if (approval.status === 'pending' && now < approval.expiresAt) {
    return reply(req, res, 200, { page: { kind: 'open', approval, action, now }, json: summary(approval) });
  }
  const expired = approval.status === 'expired' || approval.status === 'pending';
  return reply(req, res, expired ? 410 : 200, {
    page: { kind: 'closed', approval, now },
    json: summary(approval),
  });
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
    return reply(req, res, read.problem.status, problemBody(read.problem.code, read.problem.message));
  }
  const { decision, comment, approver } = read.body;
  const result: DecideResult = await decide(context.store, {
    id,
    decision,
    approver: approver ?? ANONYMOUS,
    ...(comment === undefined ? {} : { comment }),
    now: context.clock(),
  });
  if (result.outcome === 'refused') {
    return reply(req, res, REFUSAL_STATUS[result.code], {
      page: { kind: 'notice', title: 'Not decided', message: result.message, tone: 'error', back: action },
      json: { outcome: 'refused', code: result.code, message: result.message },
    });
  }
  if (result.outcome === 'recorded') {
    const message = `Your approval is recorded: ${result.approvals} of ${result.minApprovals} needed so far.`;
    return reply(req, res, 200, {
      page: { kind: 'notice', title: 'Approval recorded', message, tone: 'ok', back: action },
      json: { outcome: 'recorded', message, approvals: result.approvals, minApprovals: result.minApprovals },
    });
  }
  try {
    await context.onDecided(result.complete);
  } catch {
    const message = `The approval was ${result.outcome}, but the local run could not be told; check the run.`;
    return reply(req, res, 500, problemBody('not-delivered', message));
  }
  const message =
    result.outcome === 'approved'
      ? 'Approved: the run goes on.'
      : 'Rejected: the job fails with Waterflow.Rejected.';
  return reply(req, res, 200, {
    page: {
      kind: 'notice',
      title: result.outcome === 'approved' ? 'Approved' : 'Rejected',
      message,
      tone: 'ok',
      back: action,
    },
    json: { outcome: result.outcome, message },
  });
}

type LinkProblem = {
  readonly status: 403 | 410;
  readonly code: 'bad-signature' | 'link-expired';
  readonly message: string;
};

function checkLink(key: LinkKey, id: string, query: URLSearchParams, now: number): LinkProblem | undefined {
  const exp = query.get('exp') ?? '';
  const sig = query.get('sig') ?? '';
  const forged: LinkProblem = {
    status: 403,
    code: 'bad-signature',
    message: 'this link is incomplete or was altered; open the link exactly as it was sent',
  };
  if (!/^\d{1,15}$/.test(exp) || sig === '') return forged;
  const check = verifyLink(key, id, Number(exp), sig, now);
  if (check.ok) return undefined;
  if (check.reason === 'bad-signature') return forged;
  return { status: 410, code: 'link-expired', message: 'this approval link has expired' };
}

/** What may be shown of an approval to a JSON client. */
function summary(approval: ApprovalView): Record<string, unknown> {
  return {
    id: approval.id,
    runId: approval.runId,
    workflow: approval.workflow,
    job: approval.job,
    message: approval.message,
    approvers: approval.approvers,
    minApprovals: approval.minApprovals,
    approvals: approval.approvals,
    status: approval.status,
    expiresAt: new Date(approval.expiresAt).toISOString(),
  };
}

interface Answer {
  readonly page: ApprovalPageView;
  readonly json: Record<string, unknown>;
}

const LINK_CODES: ReadonlySet<string> = new Set(['bad-signature', 'link-expired', 'unknown', 'not-found']);

function problemBody(code: string, message: string): Answer {
  const title = LINK_CODES.has(code) ? 'This link does not work' : 'Request refused';
  return {
    page: { kind: 'notice', title, message, tone: 'error' },
    json: { outcome: 'error', code, message },
  };
}

function reply(req: IncomingMessage, res: ServerResponse, status: number, answer: Answer): void {
  const json = wantsJson(req);
  const body = json ? `${JSON.stringify(answer.json)}\n` : approvalPage(answer.page);
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    ...(json
      ? { 'content-type': 'application/json; charset=utf-8' }
      : { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': PAGE_POLICY }),
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

/** JSON when asked for, or when a JSON body came without an Accept header; HTML for browsers. */
function wantsJson(req: IncomingMessage): boolean {
  const accept = req.headers.accept ?? '';
  if (accept.includes('application/json')) return true;
  if (accept.includes('text/html')) return false;
  return (req.headers['content-type'] ?? '').startsWith('application/json');
}
