import type { SFNClient } from '@aws-sdk/client-sfn';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { parseDecisionBody } from '../../runtime/approval-body.js';
import { recordUndelivered } from '../../runtime/approval-delivery.js';
import {
  ANONYMOUS,
  type ApprovalAnswer,
  checkLink,
  decidedAnswer,
  problemAnswer,
  recordedAnswer,
  refusedAnswer,
  renderAnswer,
  showApproval,
  wantsJson,
} from '../../runtime/approval-routes.js';
import { decide, type UndeliveredReason } from '../../runtime/approvals.js';
import type { Clock } from '../../runtime/gates.js';
import type { Store } from '../../runtime/store.js';
import type { LinkKeySource } from '../shared/link-key.js';
import { answerTask } from '../shared/task-tokens.js';
import { approverOf } from './identity.js';

/**
 * The approval routes behind API Gateway (REST, Lambda proxy integration), answering as the local
 * approval server does (runtime/approval-routes.ts): `GET /approvals/{id}?exp&sig` shows the page
 * and never decides; `POST` to the same signed address decides, and the decision that settles the
 * approval answers the waiting task with `SendTaskSuccess` or `SendTaskFailure`.
 */

export interface ApprovalApiDeps {
  readonly store: Store;
  readonly sfn: SFNClient;
  readonly linkKey: LinkKeySource;
  readonly clock: Clock;
  /** Told what happened, for logs and metrics; never given the token. */
  readonly observe?: (event: ApprovalApiEvent) => void;
}

/** What a request did, for the handler's logs and metrics. */
export type ApprovalApiEvent =
  | { readonly kind: 'decided'; readonly id: string; readonly outcome: 'approved' | 'rejected' }
  | { readonly kind: 'undelivered'; readonly id: string; readonly reason: UndeliveredReason };

const ID = /^[A-Za-z0-9_-]{1,128}$/;

/** Answers one API Gateway proxy request to `/approvals/{id}`. */
export async function approvalApi(
  event: APIGatewayProxyEvent,
  deps: ApprovalApiDeps,
): Promise<APIGatewayProxyResult> {
  return toResult(event, await route(event, deps));
}

/** The answer to an error this module did not expect: no detail, no token, in the caller's format. */
export function internalError(event: APIGatewayProxyEvent): APIGatewayProxyResult {
  return toResult(event, problemAnswer(500, 'internal', 'the approval service failed; try again'));
}

/** The proxy result of an answer, in the format the caller asked for. */
function toResult(event: APIGatewayProxyEvent, answer: ApprovalAnswer): APIGatewayProxyResult {
  const { headers, body } = renderAnswer(
    answer,
    wantsJson(header(event, 'accept'), header(event, 'content-type')),
  );
  return {
    statusCode: answer.status,
    headers: { ...headers, ...(answer.status === 405 ? { allow: 'GET, HEAD, POST' } : {}) },
    body: event.httpMethod === 'HEAD' ? '' : body,
  };
}

async function route(event: APIGatewayProxyEvent, deps: ApprovalApiDeps): Promise<ApprovalAnswer> {
  const id = event.pathParameters?.id;
  if (id === undefined || !ID.test(id)) {
    return problemAnswer(
      404,
      'not-found',
      'no such page; approval links look like /approvals/<id>?exp=…&sig=…',
    );
  }
  const method = event.httpMethod;
  if (method !== 'GET' && method !== 'HEAD' && method !== 'POST') {
    return problemAnswer(405, 'method-not-allowed', `${method} is not allowed here; use GET or POST`);
  }
  const now = deps.clock();
  // Missing or repeated fields are empty, which `checkLink` refuses as an incomplete link.
  const exp = single(event, 'exp') ?? '';
  const sig = single(event, 'sig') ?? '';
  const link = checkLink(await deps.linkKey(), id, exp, sig, now);
  if (link !== undefined) return link;
  // Relative, so that the form posts back to the page's own address whatever the stage or domain.
  const action = `${encodeURIComponent(id)}?exp=${exp}&sig=${encodeURIComponent(sig)}`;
  if (method === 'POST') return post(event, deps, id, action, now);
  // GET and HEAD only read, whatever the query or body says.
  return showApproval(deps.store, id, action, now);
}

async function post(
  event: APIGatewayProxyEvent,
  deps: ApprovalApiDeps,
  id: string,
  action: string,
  now: number,
): Promise<ApprovalAnswer> {
  const raw = Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');
  const read = parseDecisionBody(header(event, 'content-type'), raw);
  if (!read.ok) return problemAnswer(read.problem.status, read.problem.code, read.problem.message);
  const approver = approverOf(event, read.body.approver);
  if (!approver.ok) return refusedAnswer(approver.refusal, action);
  const result = await decide(deps.store, {
    id,
    decision: read.body.decision,
    approver: approver.name ?? ANONYMOUS,
    ...(read.body.comment === undefined ? {} : { comment: read.body.comment }),
    now,
  });
  if (result.outcome === 'recorded') return recordedAnswer(result.approvals, result.minApprovals, action);
  if (result.outcome === 'refused') return refusedAnswer(result, action);
  const delivery = await answerTask(deps.sfn, result.complete);
  if (delivery.delivered) {
    deps.observe?.({ kind: 'decided', id, outcome: result.outcome });
    return decidedAnswer(result.outcome, action);
  }
  await recordUndelivered(deps.store, id, result.outcome, delivery.reason);
  deps.observe?.({ kind: 'undelivered', id, reason: delivery.reason });
  return undeliveredAnswer(result.outcome, delivery.reason, action);
}

const UNDELIVERED_MESSAGE: Readonly<Record<UndeliveredReason, string>> = {
  'task-timed-out':
    'the run had already stopped waiting (the approval timed out or the run was stopped), so it did not get this decision',
  'task-does-not-exist': 'the run that asked no longer exists, so this decision was not delivered',
  'invalid-token':
    'Step Functions refused the task token of this approval, so this decision was not delivered',
};

function undeliveredAnswer(
  outcome: 'approved' | 'rejected',
  reason: UndeliveredReason,
  back: string,
): ApprovalAnswer {
  const message = `Too late: your decision (${outcome}) was recorded, but ${UNDELIVERED_MESSAGE[reason]}.`;
  return {
    status: 410,
    page: { kind: 'notice', title: 'Too late', message, tone: 'warning', back },
    json: { outcome: 'undelivered', code: reason, message },
  };
}

/** A header's value, whatever its case (API Gateway passes names as the client sent them). */
function header(event: APIGatewayProxyEvent, name: string): string | undefined {
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === name && value !== undefined) return value;
  }
  return undefined;
}

/** A query parameter given exactly once; a repeated one makes the link incomplete. */
function single(event: APIGatewayProxyEvent, name: string): string | undefined {
  const values = event.multiValueQueryStringParameters?.[name];
  if (values !== undefined && values !== null && values.length !== 1) return undefined;
  return event.queryStringParameters?.[name] ?? undefined;
}
