import type { ApprovalRefusal, RefusalCode } from './approval-input.js';
import { type LinkKey, signLink, verifyLink } from './approval-links.js';
import { type ApprovalPageView, approvalPage } from './approval-page.js';
import type { ApprovalView } from './approval-records.js';
import { getApproval } from './approvals.js';
import type { Store } from './store.js';

/**
 * The approval routes' answers, whatever carries them: the local approval server (node:http) and
 * the cloud approval API (API Gateway) render the same status, page and JSON for the same case.
 * `GET /approvals/{id}?exp&sig` shows; `POST` to the same signed address decides.
 */

/** What a route answers: an HTTP status, the page for browsers, the JSON for clients. */
export interface ApprovalAnswer {
  readonly status: number;
  readonly page: ApprovalPageView;
  readonly json: Record<string, unknown>;
}

/** A refusal's HTTP status, by its stable code. */
export const REFUSAL_STATUS: Readonly<Record<RefusalCode, number>> = {
  unknown: 404,
  expired: 410,
  'already-decided': 409,
  'not-expired': 409,
  'duplicate-vote': 409,
  'not-allowed': 403,
  invalid: 400,
};

/** The path of an approval route; ids are base64url (`newApprovalId`). */
export const APPROVAL_ROUTE = /^\/approvals\/([A-Za-z0-9_-]{1,128})$/;

/** Who decides when the form leaves the approver empty; refused when the approval names approvers. */
export const ANONYMOUS = 'anonymous';

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

/** The page's Content-Security-Policy: inline CSS only, no scripts, forms post to the same origin. */
export const PAGE_POLICY =
  "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/** `/approvals/{id}?exp=..&sig=..`: the path both runtimes sign and their clients open. */
export function signedPath(key: LinkKey, id: string, expiresAt: number): string {
  return `/approvals/${encodeURIComponent(id)}${signedQuery(key, id, expiresAt)}`;
}

/** `?exp=..&sig=..` of the link to approval `id`. */
export function signedQuery(key: LinkKey, id: string, expiresAt: number): string {
  return `?exp=${expiresAt}&sig=${signLink(key, id, expiresAt)}`;
}

/** A link that is incomplete, altered or expired, as an answer; undefined when the link holds. */
export function checkLink(
  key: LinkKey,
  id: string,
  exp: string | undefined,
  sig: string | undefined,
  now: number,
): ApprovalAnswer | undefined {
  const forged = problemAnswer(
    403,
    'bad-signature',
    'this link is incomplete or was altered; open the link exactly as it was sent',
  );
  if (exp === undefined || sig === undefined || !/^\d{1,15}$/.test(exp) || sig === '') return forged;
  const check = verifyLink(key, id, Number(exp), sig, now);
  if (check.ok) return undefined;
  if (check.reason === 'bad-signature') return forged;
  return problemAnswer(410, 'link-expired', 'this approval link has expired');
}

/** `GET`: the approval's page, open (with its form posting to `action`) or closed. Never decides. */
export async function showApproval(
  store: Store,
  id: string,
  action: string,
  now: number,
): Promise<ApprovalAnswer> {
  const approval = await getApproval(store, id);
  if (approval === undefined) return problemAnswer(404, 'unknown', 'there is no approval with this id');
  if (approval.status === 'pending' && now < approval.expiresAt) {
    return { status: 200, page: { kind: 'open', approval, action, now }, json: summary(approval) };
  }
  const expired = approval.status === 'expired' || approval.status === 'pending';
  return { status: expired ? 410 : 200, page: { kind: 'closed', approval, now }, json: summary(approval) };
}

/** A decision that was not taken, with a link back to the page. */
export function refusedAnswer(refusal: ApprovalRefusal, back: string): ApprovalAnswer {
  return {
    status: REFUSAL_STATUS[refusal.code],
    page: { kind: 'notice', title: 'Not decided', message: refusal.message, tone: 'error', back },
    json: { outcome: 'refused', code: refusal.code, message: refusal.message },
  };
}

/** An approve vote that counted while more are needed. */
export function recordedAnswer(approvals: number, minApprovals: number, back: string): ApprovalAnswer {
  const message = `Your approval is recorded: ${approvals} of ${minApprovals} needed so far.`;
  return {
    status: 200,
    page: { kind: 'notice', title: 'Approval recorded', message, tone: 'ok', back },
    json: { outcome: 'recorded', message, approvals, minApprovals },
  };
}

/** A decision that settled the approval and reached the waiting task. */
export function decidedAnswer(outcome: 'approved' | 'rejected', back: string): ApprovalAnswer {
  const message =
    outcome === 'approved'
      ? 'Approved: the run goes on.'
      : 'Rejected: the job fails with Waterflow.Rejected.';
  return {
    status: 200,
    page: {
      kind: 'notice',
      title: outcome === 'approved' ? 'Approved' : 'Rejected',
      message,
      tone: 'ok',
      back,
    },
    json: { outcome, message },
  };
}

const LINK_CODES: ReadonlySet<string> = new Set(['bad-signature', 'link-expired', 'unknown', 'not-found']);

/** An error answer: a notice page and `{ outcome: 'error', code, message }`. */
export function problemAnswer(status: number, code: string, message: string): ApprovalAnswer {
  const title = LINK_CODES.has(code) ? 'This link does not work' : 'Request refused';
  return {
    status,
    page: { kind: 'notice', title, message, tone: 'error' },
    json: { outcome: 'error', code, message },
  };
}

/** JSON when asked for, or when a JSON body came without an Accept header; HTML for browsers. */
export function wantsJson(accept: string | undefined, contentType: string | undefined): boolean {
  const accepted = accept ?? '';
  if (accepted.includes('application/json')) return true;
  if (accepted.includes('text/html')) return false;
  return (contentType ?? '').startsWith('application/json');
}

/** The headers and body of an answer, as JSON or as the HTML page. */
export function renderAnswer(
  answer: ApprovalAnswer,
  json: boolean,
): { readonly headers: Record<string, string>; readonly body: string } {
  const body = json ? `${JSON.stringify(answer.json)}\n` : approvalPage(answer.page);
  return {
    headers: {
      ...SECURITY_HEADERS,
      ...(json
        ? { 'content-type': 'application/json; charset=utf-8' }
        : { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': PAGE_POLICY }),
    },
    body,
  };
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
    ...(approval.undelivered === undefined ? {} : { undelivered: approval.undelivered }),
  };
}
