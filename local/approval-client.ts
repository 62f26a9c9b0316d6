import { type Decision, findApproval, type LinkKey } from '../runtime/approvals.js';
import type { Store } from '../runtime/store.js';
import { signedPath } from './approval-server.js';

/**
 * What `waterflow approve|reject RUN JOB` does: find the job's pending approval through the run's
 * index, sign its link as the local runtime does, and post the decision to the running local
 * approval server, so that the decision takes the same path as a click in the page.
 */

export interface ApproveLocallyOptions {
  readonly store: Store;
  /** The local approval server, e.g. `http://127.0.0.1:8765`. */
  readonly baseUrl: string;
  readonly key: LinkKey;
  readonly runId: string;
  readonly job: string;
  readonly decision: Decision;
  readonly comment?: string;
  readonly approver?: string;
  /** How long to wait for the server. @default 10000 */
  readonly timeoutMs?: number;
}

export type ApproveLocallyResult =
  | { readonly kind: 'decided'; readonly outcome: 'approved' | 'rejected'; readonly message: string }
  | {
      readonly kind: 'recorded';
      readonly approvals: number;
      readonly minApprovals: number;
      readonly message: string;
    }
  /** The server refused: the approval's refusal codes, or the link's (`bad-signature`, `link-expired`...). */
  | { readonly kind: 'refused'; readonly code: string; readonly message: string }
  | { readonly kind: 'no-pending'; readonly message: string }
  | { readonly kind: 'unreachable'; readonly message: string };

/** Decides the pending approval of `job` in run `runId` through the local approval server. */
export async function approveLocally(options: ApproveLocallyOptions): Promise<ApproveLocallyResult> {
  const approval = await findApproval(options.store, options.runId, options.job);
  const where = `job "${options.job}" of run ${options.runId}`;
  if (approval === undefined) return { kind: 'no-pending', message: `${where} has no approval to decide` };
  if (approval.status !== 'pending') {
    return { kind: 'no-pending', message: `the approval of ${where} is already ${approval.status}` };
  }
  const base = options.baseUrl.replace(/\/+$/, '');
  const body = {
    decision: options.decision,
    ...(options.comment === undefined ? {} : { comment: options.comment }),
    ...(options.approver === undefined ? {} : { approver: options.approver }),
  };
  let response: Response;
  try {
    response = await fetch(`${base}${signedPath(options.key, approval.id, approval.expiresAt)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
  } catch (error) {
    return {
      kind: 'unreachable',
      message: `no approval server answers at ${base} (${reason(error)}); is the run still going?`,
    };
  }
  return interpret(response, base);
}

async function interpret(response: Response, base: string): Promise<ApproveLocallyResult> {
  let answer: Record<string, unknown>;
  try {
    const parsed: unknown = await response.json();
    if (typeof parsed !== 'object' || parsed === null) throw new TypeError('not an object');
    answer = parsed as Record<string, unknown>;
  } catch {
    return {
      kind: 'refused',
      code: 'bad-response',
      message: `the server at ${base} answered ${response.status} without a readable result`,
    };
  }
  const message =
    typeof answer.message === 'string' ? answer.message : `the server answered ${response.status}`;
  const { outcome } = answer;
  if (response.ok && (outcome === 'approved' || outcome === 'rejected'))
    return { kind: 'decided', outcome, message };
  if (response.ok && outcome === 'recorded') {
    const approvals = typeof answer.approvals === 'number' ? answer.approvals : 0;
    const minApprovals = typeof answer.minApprovals === 'number' ? answer.minApprovals : 0;
    return { kind: 'recorded', approvals, minApprovals, message };
  }
  const code = typeof answer.code === 'string' ? answer.code : `http-${response.status}`;
  return { kind: 'refused', code, message };
}

function reason(error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError') return 'no answer in time';
  const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  if (typeof cause?.code === 'string') return cause.code;
  return error instanceof Error ? error.message : String(error);
}
