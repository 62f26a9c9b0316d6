import { createHash } from 'node:crypto';
import type { JsonValue } from '../compiler/asl/types.js';
import type { StoreItem, StoreKey } from './store.js';

/** What happens when nobody decides in time. */
export type OnTimeout = 'approve' | 'reject' | 'fail';

/** `pending` until a decision; `expired` when `onTimeout` decided. */
export type ApprovalStatus = 'pending' | 'approved' | 'rejected' | 'expired';

export type Decision = 'approve' | 'reject';

/**
 * Why a decision never reached the waiting task (Step Functions' answer to SendTask*): the task
 * had timed out or its run had stopped, the execution is gone, or the token was refused.
 */
export type UndeliveredReason = 'task-timed-out' | 'task-does-not-exist' | 'invalid-token';

/** How long approval items outlive their expiry: as long as Step Functions keeps an execution's history. */
export const APPROVAL_RETENTION_MS = 90 * 24 * 3_600_000;

/** The TTL attribute (`ttl`, seconds since the epoch) of every item of an approval that expires at `expiresAt`. */
export function approvalTtl(expiresAt: number): number {
  return Math.ceil((expiresAt + APPROVAL_RETENTION_MS) / 1000);
}

/** One approver's vote, as recorded. */
export interface Vote {
  readonly approver: string;
  readonly decision: Decision;
  readonly comment?: string;
  readonly at: number;
}

/** An approval as pages, clients and logs may see it: everything but the task token. */
export interface ApprovalView {
  readonly id: string;
  readonly runId: string;
  readonly workflow?: string;
  readonly job: string;
  readonly message: string;
  /** Who may decide; empty (or containing `*`) means anyone holding the link. */
  readonly approvers: ReadonlyArray<string>;
  readonly minApprovals: number;
  readonly onTimeout: OnTimeout;
  readonly requestedAt: number;
  readonly expiresAt: number;
  readonly status: ApprovalStatus;
  readonly decidedAt?: number;
  /** Set with status `expired` when a decision was taken but the run no longer waited for it. */
  readonly undelivered?: UndeliveredReason;
  /** Approve votes so far. */
  readonly approvals: number;
  /** Every vote, in the order they were cast. */
  readonly votes: ReadonlyArray<Vote>;
}

/** A stored approval: the view's fixed fields plus the token. */
export interface ApprovalRecord extends Omit<ApprovalView, 'approvals' | 'votes'> {
  readonly token: string;
}

/** An approval request or record that cannot be right; `code` is stable. */
export class ApprovalError extends Error {
  readonly code: 'WF9002';

  constructor(message: string) {
    super(message);
    this.name = 'Waterflow.ApprovalError';
    this.code = 'WF9002';
  }
}

/**
 * Where approval items live:
 * - `approval#<id>` / `approval`: the record (token included), replaced only by `putIf` on status;
 * - `approval#<id>` / `count`: the approve-vote counter, apart so that `putIf` never clobbers it;
 * - `approval#<id>` / `vote#<approver>`: one per approver, written once;
 * - `approval-token#<sha256>` / `token`: the id a token was given, so that a redelivered request
 *   finds it (hashed because tokens can outgrow a sort key);
 * - `run#<runId>` / `approval#<job>#<requestedAt>#<id>`: the index `waterflow approve RUN JOB` reads.
 * Names are URI-encoded, so `#` only ever separates. Every item carries `ttl` (`approvalTtl`).
 */
export const approvalKeys = {
  record: (id: string): StoreKey => ({ pk: `approval#${id}`, sk: 'approval' }),
  counter: (id: string): StoreKey => ({ pk: `approval#${id}`, sk: 'count' }),
  votePk: (id: string): string => `approval#${id}`,
  votesPrefix: 'vote#',
  vote: (id: string, approver: string): StoreKey => ({
    pk: `approval#${id}`,
    sk: `vote#${encodeURIComponent(approver)}`,
  }),
  token: (token: string): StoreKey => ({
    pk: `approval-token#${createHash('sha256').update(token).digest('hex')}`,
    sk: 'token',
  }),
  runPk: (runId: string): string => `run#${encodeURIComponent(runId)}`,
  indexPrefix: (job: string): string => `approval#${encodeURIComponent(job)}#`,
  index: (runId: string, job: string, requestedAt: number, id: string): StoreKey => ({
    pk: `run#${encodeURIComponent(runId)}`,
    // Zero-padded so that the sort-key order is the request order.
    sk: `approval#${encodeURIComponent(job)}#${String(requestedAt).padStart(15, '0')}#${id}`,
  }),
};

/** The store item of a record. */
export function recordItem(record: ApprovalRecord): StoreItem {
  const item: Record<string, JsonValue> = {
    token: record.token,
    id: record.id,
    runId: record.runId,
    job: record.job,
    message: record.message,
    approvers: [...record.approvers],
    minApprovals: record.minApprovals,
    onTimeout: record.onTimeout,
    requestedAt: record.requestedAt,
    expiresAt: record.expiresAt,
    status: record.status,
    ttl: approvalTtl(record.expiresAt),
  };
  if (record.workflow !== undefined) item.workflow = record.workflow;
  if (record.decidedAt !== undefined) item.decidedAt = record.decidedAt;
  if (record.undelivered !== undefined) item.undelivered = record.undelivered;
  return item;
}

/** Reads a stored record, refusing items that were not written by `recordItem`. */
export function readRecord(item: StoreItem): ApprovalRecord {
  const approvers = item.approvers;
  if (!Array.isArray(approvers) || !approvers.every((name) => typeof name === 'string')) {
    throw new ApprovalError('approval item has no approvers list');
  }
  const workflow = item.workflow;
  const decidedAt = item.decidedAt;
  const undelivered = UNDELIVERED.find((reason) => reason === item.undelivered);
  return {
    token: readString(item, 'token'),
    id: readString(item, 'id'),
    runId: readString(item, 'runId'),
    ...(typeof workflow === 'string' ? { workflow } : {}),
    job: readString(item, 'job'),
    message: readString(item, 'message'),
    approvers,
    minApprovals: readNumber(item, 'minApprovals'),
    onTimeout: readOneOf(item, 'onTimeout', ['approve', 'reject', 'fail']),
    requestedAt: readNumber(item, 'requestedAt'),
    expiresAt: readNumber(item, 'expiresAt'),
    status: readOneOf(item, 'status', ['pending', 'approved', 'rejected', 'expired']),
    ...(typeof decidedAt === 'number' ? { decidedAt } : {}),
    ...(undelivered === undefined ? {} : { undelivered }),
  };
}

const UNDELIVERED: ReadonlyArray<UndeliveredReason> = [
  'task-timed-out',
  'task-does-not-exist',
  'invalid-token',
];

/** The store item of a vote, kept as long as its approval (`expiresAt`). */
export function voteItem(vote: Vote, expiresAt: number): StoreItem {
  return {
    ttl: approvalTtl(expiresAt),
    approver: vote.approver,
    decision: vote.decision,
    at: vote.at,
    ...(vote.comment === undefined ? {} : { comment: vote.comment }),
  };
}

export function readVote(item: StoreItem): Vote {
  const comment = item.comment;
  return {
    approver: readString(item, 'approver'),
    decision: readOneOf(item, 'decision', ['approve', 'reject']),
    ...(typeof comment === 'string' ? { comment } : {}),
    at: readNumber(item, 'at'),
  };
}

/** The record without its token, with its votes. */
export function toView(record: ApprovalRecord, votes: ReadonlyArray<Vote>): ApprovalView {
  const { token: _token, ...view } = record;
  return {
    ...view,
    approvals: votes.filter((vote) => vote.decision === 'approve').length,
    votes,
  };
}

function readString(item: StoreItem, field: string): string {
  const value = item[field];
  if (typeof value !== 'string') throw new ApprovalError(`approval item has no string field "${field}"`);
  return value;
}

function readNumber(item: StoreItem, field: string): number {
  const value = item[field];
  if (typeof value !== 'number') throw new ApprovalError(`approval item has no number field "${field}"`);
  return value;
}

function readOneOf<T extends string>(item: StoreItem, field: string, allowed: ReadonlyArray<T>): T {
  const value = item[field];
  const found = allowed.find((candidate) => candidate === value);
  if (found === undefined) {
    throw new ApprovalError(`approval item field "${field}" is not one of ${allowed.join(', ')}`);
  }
  return found;
}
