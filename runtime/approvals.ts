import { randomBytes } from 'node:crypto';
import { REJECTED_ERROR } from '../compiler/kinds/approval-asl.js';
import {
  ANYONE,
  type ApprovalRefusal,
  type ApprovalRequest,
  checkDecision,
  checkRequest,
  type DecideInput,
  refuse,
} from './approval-input.js';
import {
  ApprovalError,
  type ApprovalRecord,
  type ApprovalView,
  approvalKeys,
  approvalTtl,
  type OnTimeout,
  readRecord,
  readVote,
  recordItem,
  toView,
  type Vote,
  voteItem,
} from './approval-records.js';
import { type Clock, systemClock } from './gates.js';
import type { Store } from './store.js';

/**
 * Human approvals (DESIGN §4): a `waitForTaskToken` task stores its token under an opaque id;
 * people decide through signed links; the decision that completes the approval gets the token to
 * answer. Both runtimes call these functions: the cloud one from the approval Lambda and API, the
 * local one from its Task override and its approval server.
 *
 * Without transactions, a decision is final and counted once:
 * - each approver's vote is a put-if-absent item, so a replay or a double click counts nothing;
 * - approve votes go through an atomic counter; the votes that bring it to `minApprovals` race
 *   for the record's `pending -> approved` conditional write, and only the winner gets the token;
 * - a rejection races for `pending -> rejected` the same way, and `expire` for `pending -> expired`.
 * A crash between a vote and its count is repaired when that approver tries again: the votes are
 * recounted from their items.
 *
 * The token leaves this module only inside a completion, for the caller to answer; views, pages,
 * refusals and errors never carry it.
 */

export type { ApprovalRefusal, ApprovalRequest, DecideInput, RefusalCode } from './approval-input.js';
export { type LinkCheck, type LinkKey, signLink, verifyLink } from './approval-links.js';
export { type ApprovalPageView, approvalPage } from './approval-page.js';
export type {
  ApprovalStatus,
  ApprovalView,
  Decision,
  OnTimeout,
  UndeliveredReason,
  Vote,
} from './approval-records.js';
export { ApprovalError } from './approval-records.js';

/** What a request returns: the id to put in links, and when they stop working (ms since the epoch). */
export interface ApprovalTicket {
  readonly id: string;
  readonly expiresAt: number;
}

export interface ApprovalComment {
  readonly approver: string;
  readonly comment: string;
}

/** The task's output when approved (`SendTaskSuccess`). */
export interface ApprovedOutput {
  readonly decision: 'approved';
  /** Who approved, in the order they did; empty when `onTimeout: approve` decided. */
  readonly approvers: ReadonlyArray<string>;
  readonly comments: ReadonlyArray<ApprovalComment>;
  readonly timedOut?: true;
}

/**
 * A token to answer (cloud: `SendTaskSuccess`/`SendTaskFailure`; local: settle the waiting task):
 * with an output, or with an error and a JSON `cause`.
 */
export type ApprovalCompletion =
  | { readonly token: string; readonly output: ApprovedOutput }
  | { readonly token: string; readonly error: string; readonly cause: string };

export type DecideResult =
  | { readonly outcome: 'approved' | 'rejected'; readonly complete: ApprovalCompletion }
  /** An approve vote counted; more are needed. */
  | { readonly outcome: 'recorded'; readonly approvals: number; readonly minApprovals: number }
  | ApprovalRefusal;

export type ExpireResult =
  | { readonly outcome: 'timed-out'; readonly onTimeout: OnTimeout; readonly complete: ApprovalCompletion }
  | ApprovalRefusal;

/** The error `onTimeout: fail` ends the task with, as Step Functions' own task timeout does. */
export const TIMED_OUT_ERROR = 'States.Timeout';

/** A new approval id: 144 random bits, base64url (24 characters). */
export function newApprovalId(): string {
  return randomBytes(18).toString('base64url');
}

/**
 * Stores a pending approval and returns its id. A redelivered request (same token) returns the
 * first id and expiry, and finishes writing what a first request left half-done.
 */
export async function requestApproval(
  store: Store,
  request: ApprovalRequest,
  clock: Clock = systemClock,
): Promise<ApprovalTicket> {
  const checked = checkRequest(request);
  const now = clock();
  const expiresAt = now + checked.timeoutMs;
  const fresh = { id: newApprovalId(), requestedAt: now, expiresAt };
  const tokenKey = approvalKeys.token(request.token);
  const ticket = (await store.putIfAbsent(tokenKey, { ...fresh, ttl: approvalTtl(expiresAt) }))
    ? fresh
    : readTicket(await store.get(tokenKey));
  const ttl = approvalTtl(ticket.expiresAt);
  const record: ApprovalRecord = {
    token: request.token,
    id: ticket.id,
    runId: request.runId,
    ...(request.workflow === undefined ? {} : { workflow: request.workflow }),
    job: request.job,
    message: request.message,
    approvers: checked.approvers,
    minApprovals: checked.minApprovals,
    onTimeout: checked.onTimeout,
    requestedAt: ticket.requestedAt,
    expiresAt: ticket.expiresAt,
    status: 'pending',
  };
  // The counter exists before any vote, so that it carries the TTL that `addAndGet` cannot set.
  await store.putIfAbsent(approvalKeys.counter(ticket.id), { approvals: 0, ttl });
  // The record before the index, so that the index never names a missing record.
  await store.putIfAbsent(approvalKeys.record(ticket.id), recordItem(record));
  await store.putIfAbsent(approvalKeys.index(request.runId, request.job, ticket.requestedAt, ticket.id), {
    id: ticket.id,
    ttl,
  });
  return { id: ticket.id, expiresAt: ticket.expiresAt };
}

/**
 * Records one approver's decision. Returns the completion when this decision settles the
 * approval, `recorded` when more approvals are needed, and a refusal (never a throw) for a
 * decision that cannot be taken; a refused decision changes nothing.
 */
export async function decide(store: Store, input: DecideInput): Promise<DecideResult> {
  const invalid = checkDecision(input);
  if (invalid !== undefined) return invalid;
  const record = await readApproval(store, input.id);
  if (record === undefined) return unknown();
  const closed = closedRefusal(record, input.now);
  if (closed !== undefined) return closed;
  const approver = input.approver.trim();
  if (!mayDecide(record.approvers, approver)) {
    return refuse(
      'not-allowed',
      `${approver} may not decide this approval; it is for ${record.approvers.join(', ')}`,
    );
  }
  const comment = input.comment?.trim();
  const vote: Vote = {
    approver,
    decision: input.decision,
    ...(comment === undefined || comment === '' ? {} : { comment }),
    at: input.now,
  };
  if (
    !(await store.putIfAbsent(
      approvalKeys.vote(record.id, voterKey(approver)),
      voteItem(vote, record.expiresAt),
    ))
  ) {
    return duplicate(store, record, approver, input.now);
  }
  if (vote.decision === 'reject')
    return (await settleRejected(store, record, vote)) ?? decidedMeanwhile(store, record.id, input.now);
  const approvals = await store.addAndGet(approvalKeys.counter(record.id), 'approvals', 1);
  if (approvals < record.minApprovals) {
    return { outcome: 'recorded', approvals, minApprovals: record.minApprovals };
  }
  return (await settleApproved(store, record, input.now)) ?? decidedMeanwhile(store, record.id, input.now);
}

/**
 * Applies `onTimeout` to a pending approval whose time is up, once: the caller that moves it to
 * `expired` gets the completion (approve: success; reject: `Waterflow.Rejected`; fail:
 * `States.Timeout`). In the cloud, Step Functions has already timed the task out by then, so the
 * answer meets `TaskTimedOut`; the record still says what happened.
 */
export async function expire(store: Store, id: string, now: number): Promise<ExpireResult> {
  const record = await readApproval(store, id);
  if (record === undefined) return unknown();
  if (record.status !== 'pending') return alreadyDecided(record);
  if (now < record.expiresAt) {
    return refuse('not-expired', `this approval is open until ${new Date(record.expiresAt).toISOString()}`);
  }
  const won = await store.putIf(
    approvalKeys.record(id),
    recordItem({ ...record, status: 'expired', decidedAt: now }),
    'status',
    'pending',
  );
  if (!won) return decidedMeanwhile(store, id, now);
  const cause = JSON.stringify({ reason: 'timeout', job: record.job, expiresAt: record.expiresAt });
  const complete: ApprovalCompletion =
    record.onTimeout === 'approve'
      ? { token: record.token, output: { decision: 'approved', approvers: [], comments: [], timedOut: true } }
      : {
          token: record.token,
          error: record.onTimeout === 'reject' ? REJECTED_ERROR : TIMED_OUT_ERROR,
          cause,
        };
  return { outcome: 'timed-out', onTimeout: record.onTimeout, complete };
}

/** The approval with id `id` and its votes, without the token; undefined when unknown. */
export async function getApproval(store: Store, id: string): Promise<ApprovalView | undefined> {
  const record = await readApproval(store, id);
  if (record === undefined) return undefined;
  return toView(record, await readVotes(store, id));
}

/**
 * The approval of `job` in run `runId`: the latest pending one, else the latest of any status
 * (a job asks again when its run is redriven); undefined when the job never asked.
 */
export async function findApproval(
  store: Store,
  runId: string,
  job: string,
): Promise<ApprovalView | undefined> {
  const index = await store.query(approvalKeys.runPk(runId), approvalKeys.indexPrefix(job));
  let latest: ApprovalView | undefined;
  for (const { item } of [...index].reverse()) {
    const id = item.id;
    if (typeof id !== 'string') continue;
    const view = await getApproval(store, id);
    if (view === undefined) continue;
    if (view.status === 'pending') return view;
    latest ??= view;
  }
  return latest;
}

async function readApproval(store: Store, id: string): Promise<ApprovalRecord | undefined> {
  const item = await store.get(approvalKeys.record(id));
  return item === undefined ? undefined : readRecord(item);
}

async function readVotes(store: Store, id: string): Promise<Vote[]> {
  const items = await store.query(approvalKeys.votePk(id), approvalKeys.votesPrefix);
  return items.map(({ item }) => readVote(item)).sort((a, b) => a.at - b.at);
}

/** `pending -> approved`; the completion when this call made the transition. */
async function settleApproved(
  store: Store,
  record: ApprovalRecord,
  now: number,
): Promise<DecideResult | undefined> {
  const won = await store.putIf(
    approvalKeys.record(record.id),
    recordItem({ ...record, status: 'approved', decidedAt: now }),
    'status',
    'pending',
  );
  if (!won) return undefined;
  const approves = (await readVotes(store, record.id)).filter((vote) => vote.decision === 'approve');
  const comments = approves.flatMap((vote) =>
    vote.comment === undefined ? [] : [{ approver: vote.approver, comment: vote.comment }],
  );
  return {
    outcome: 'approved',
    complete: {
      token: record.token,
      output: { decision: 'approved', approvers: approves.map((vote) => vote.approver), comments },
    },
  };
}

/** `pending -> rejected`; the completion when this call made the transition. */
async function settleRejected(
  store: Store,
  record: ApprovalRecord,
  vote: Vote,
): Promise<DecideResult | undefined> {
  const won = await store.putIf(
    approvalKeys.record(record.id),
    recordItem({ ...record, status: 'rejected', decidedAt: vote.at }),
    'status',
    'pending',
  );
  if (!won) return undefined;
  const cause = JSON.stringify({
    decision: 'rejected',
    job: record.job,
    approver: vote.approver,
    ...(vote.comment === undefined ? {} : { comment: vote.comment }),
    decidedAt: new Date(vote.at).toISOString(),
  });
  return { outcome: 'rejected', complete: { token: record.token, error: REJECTED_ERROR, cause } };
}

/**
 * A second vote by the same approver is refused, but first finishes what the votes already
 * recorded decide, in case the first vote's caller stopped between its vote and its count.
 */
async function duplicate(
  store: Store,
  record: ApprovalRecord,
  approver: string,
  now: number,
): Promise<DecideResult> {
  const votes = await readVotes(store, record.id);
  const rejection = votes.find((vote) => vote.decision === 'reject');
  const approves = votes.filter((vote) => vote.decision === 'approve').length;
  const settled =
    rejection !== undefined
      ? await settleRejected(store, record, rejection)
      : approves >= record.minApprovals
        ? await settleApproved(store, record, now)
        : undefined;
  if (settled !== undefined) return settled;
  const mine = votes.find((vote) => voterKey(vote.approver) === voterKey(approver));
  const what = mine === undefined ? 'voted' : `voted to ${mine.decision}`;
  return refuse('duplicate-vote', `${approver} has already ${what} on this approval; a vote is final`);
}

/** The refusal for a caller that lost the race for the record's status. */
async function decidedMeanwhile(store: Store, id: string, now: number): Promise<ApprovalRefusal> {
  const record = await readApproval(store, id);
  if (record === undefined) return unknown();
  return closedRefusal(record, now) ?? refuse('already-decided', 'this approval was decided meanwhile');
}

function closedRefusal(record: ApprovalRecord, now: number): ApprovalRefusal | undefined {
  if (record.status !== 'pending') return alreadyDecided(record);
  if (now >= record.expiresAt) {
    return refuse('expired', `this approval expired at ${new Date(record.expiresAt).toISOString()}`);
  }
  return undefined;
}

function alreadyDecided(record: ApprovalRecord): ApprovalRefusal {
  const when = record.decidedAt === undefined ? '' : ` at ${new Date(record.decidedAt).toISOString()}`;
  if (record.status === 'expired') {
    return refuse('expired', `this approval expired${when}; onTimeout "${record.onTimeout}" applied`);
  }
  return refuse('already-decided', `this approval was already ${record.status}${when}; a decision is final`);
}

function unknown(): ApprovalRefusal {
  return refuse('unknown', 'there is no approval with this id');
}

function mayDecide(approvers: ReadonlyArray<string>, approver: string): boolean {
  if (approvers.length === 0 || approvers.includes(ANYONE)) return true;
  return approvers.some((name) => voterKey(name) === voterKey(approver));
}

/** Approvers are e-mail addresses or names: the same person whatever the case. */
function voterKey(approver: string): string {
  return approver.trim().toLowerCase();
}

function readTicket(item: unknown): { id: string; requestedAt: number; expiresAt: number } {
  if (typeof item === 'object' && item !== null) {
    const { id, requestedAt, expiresAt } = item as Record<string, unknown>;
    if (typeof id === 'string' && typeof requestedAt === 'number' && typeof expiresAt === 'number') {
      return { id, requestedAt, expiresAt };
    }
  }
  throw new ApprovalError('the approval id item of a task token is missing or malformed');
}
