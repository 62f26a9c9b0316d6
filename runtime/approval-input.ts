import type { Decision, OnTimeout } from './approval-records.js';
import { ApprovalError } from './approval-records.js';

/** The approval task's payload (docs/compilation.md, "One job"), without `action`. */
export interface ApprovalRequest {
  readonly token: string;
  readonly runId: string;
  readonly workflow?: string;
  readonly job: string;
  readonly message: string;
  /** @default [] (anyone holding the link) */
  readonly approvers?: ReadonlyArray<string>;
  /** @default 1 */
  readonly minApprovals?: number;
  readonly timeoutSeconds: number;
  /** @default 'reject' */
  readonly onTimeout?: OnTimeout;
}

/** Why a decision was not taken; `code` is stable, `message` is for the person who tried. */
export type RefusalCode =
  | 'unknown'
  | 'already-decided'
  | 'expired'
  | 'not-expired'
  | 'not-allowed'
  | 'duplicate-vote'
  | 'invalid';

export interface ApprovalRefusal {
  readonly outcome: 'refused';
  readonly code: RefusalCode;
  readonly message: string;
}

export interface DecideInput {
  readonly id: string;
  readonly decision: Decision;
  /** Who decides; compared with `approvers` without regard to case. */
  readonly approver: string;
  readonly comment?: string;
  readonly now: number;
}

/** Who may decide when named among the approvers: anyone holding the link. */
export const ANYONE = '*';
const MAX_APPROVER_LENGTH = 256;
const MAX_COMMENT_LENGTH = 4000;

export function refuse(code: RefusalCode, message: string): ApprovalRefusal {
  return { outcome: 'refused', code, message };
}

/** A decision's own problems, before any read: a refusal, never a throw. */
export function checkDecision(input: DecideInput): ApprovalRefusal | undefined {
  const decision: unknown = input.decision;
  if (decision !== 'approve' && decision !== 'reject') {
    return refuse('invalid', 'the decision must be "approve" or "reject"');
  }
  const approver: unknown = input.approver;
  if (typeof approver !== 'string' || approver.trim() === '') {
    return refuse('invalid', 'say who decides: the approver is empty');
  }
  if (approver.length > MAX_APPROVER_LENGTH) {
    return refuse('invalid', `the approver is longer than ${MAX_APPROVER_LENGTH} characters`);
  }
  const comment: unknown = input.comment;
  if (comment !== undefined && typeof comment !== 'string') {
    return refuse('invalid', 'the comment must be text');
  }
  if (typeof comment === 'string' && comment.length > MAX_COMMENT_LENGTH) {
    return refuse('invalid', `the comment is longer than ${MAX_COMMENT_LENGTH} characters`);
  }
  return undefined;
}

export interface CheckedRequest {
  readonly approvers: ReadonlyArray<string>;
  readonly minApprovals: number;
  readonly timeoutMs: number;
  readonly onTimeout: OnTimeout;
}

/** The payload comes from a state machine: check what the types cannot promise at run time. */
export function checkRequest(request: ApprovalRequest): CheckedRequest {
  for (const field of ['token', 'runId', 'job'] as const) {
    const value: unknown = request[field];
    if (typeof value !== 'string' || value === '') {
      throw new ApprovalError(`an approval request needs a non-empty ${field}`);
    }
  }
  if (typeof request.message !== 'string') throw new ApprovalError('an approval request needs a message');
  const approvers: unknown = request.approvers ?? [];
  if (
    !Array.isArray(approvers) ||
    !approvers.every((name) => typeof name === 'string' && name.trim() !== '')
  ) {
    throw new ApprovalError('approval approvers must be a list of non-empty names');
  }
  const names = [...new Set(approvers.map((name: string) => name.trim()))];
  const minApprovals = request.minApprovals ?? 1;
  if (!Number.isSafeInteger(minApprovals) || minApprovals < 1) {
    throw new ApprovalError(`minApprovals must be a positive integer, found ${minApprovals}`);
  }
  if (names.length > 0 && !names.includes(ANYONE) && minApprovals > names.length) {
    throw new ApprovalError(`minApprovals is ${minApprovals} but only ${names.length} approvers are named`);
  }
  const seconds = request.timeoutSeconds;
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds <= 0) {
    throw new ApprovalError(`timeoutSeconds must be a positive number, found ${seconds}`);
  }
  const onTimeout: unknown = request.onTimeout ?? 'reject';
  if (onTimeout !== 'approve' && onTimeout !== 'reject' && onTimeout !== 'fail') {
    throw new ApprovalError(`onTimeout must be approve, reject or fail, found ${String(onTimeout)}`);
  }
  return { approvers: names, minApprovals, timeoutMs: Math.round(seconds * 1000), onTimeout };
}
