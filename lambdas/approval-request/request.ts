import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { approvalTtl } from '../../runtime/approval-records.js';
import { signedQuery } from '../../runtime/approval-routes.js';
import {
  ApprovalError,
  type ApprovalRequest,
  type ApprovalTicket,
  type ApprovalView,
  getApproval,
  type OnTimeout,
  requestApproval,
} from '../../runtime/approvals.js';
import type { Clock } from '../../runtime/gates.js';
import type { Store, StoreKey } from '../../runtime/store.js';
import type { LinkKeySource } from '../shared/link-key.js';

/**
 * The approval Task's Lambda (`lambda:invoke.waitForTaskToken`, docs/compilation.md "One job"):
 * stores the token under an opaque approval id and publishes the signed link through SNS. What it
 * returns is ignored by Step Functions (the task waits for `SendTaskSuccess`) and never holds the
 * token.
 */

export interface ApprovalRequestDeps {
  readonly store: Store;
  readonly sns: SNSClient;
  readonly topicArn: string;
  readonly linkKey: LinkKeySource;
  /** Where the approval API is served, e.g. `https://abc.execute-api.eu-west-1.amazonaws.com/prod`. */
  readonly baseUrl: string;
  readonly clock: Clock;
}

export interface ApprovalRequested {
  readonly approvalId: string;
  readonly expiresAt: string;
  /** False when an earlier delivery of this request already published the link. */
  readonly published: boolean;
}

/**
 * Stores the request and publishes its link once. A redelivered invocation (same token) finds the
 * same approval (`requestApproval` keys it by the token's hash) and publishes again only if no
 * earlier delivery got as far as recording its publication: the link goes out at least once,
 * and twice only when a delivery stopped between publishing and recording it, or when two
 * deliveries overlap.
 */
export async function requestAndPublish(
  event: unknown,
  deps: ApprovalRequestDeps,
): Promise<ApprovalRequested> {
  const request = readRequestEvent(event);
  const ticket = await requestApproval(deps.store, request, deps.clock);
  const published = publishedKey(ticket.id);
  const result = { approvalId: ticket.id, expiresAt: new Date(ticket.expiresAt).toISOString() };
  if ((await deps.store.get(published)) !== undefined) return { ...result, published: false };
  const view = await getApproval(deps.store, ticket.id);
  if (view === undefined) throw new ApprovalError(`approval ${ticket.id} vanished after it was stored`);
  const link = `${deps.baseUrl.replace(/\/+$/, '')}/approvals/${encodeURIComponent(ticket.id)}${signedQuery(await deps.linkKey(), ticket.id, ticket.expiresAt)}`;
  await deps.sns.send(
    new PublishCommand({
      TopicArn: deps.topicArn,
      Subject: subject(view),
      Message: message(view, ticket, link),
      MessageAttributes: {
        runId: { DataType: 'String', StringValue: view.runId },
        job: { DataType: 'String', StringValue: view.job },
        ...(view.workflow === undefined
          ? {}
          : { workflow: { DataType: 'String', StringValue: view.workflow } }),
      },
    }),
  );
  await deps.store.putIfAbsent(published, { publishedAt: deps.clock(), ttl: approvalTtl(ticket.expiresAt) });
  return { ...result, published: true };
}

/** The marker of a published link, beside the approval's record. */
function publishedKey(id: string): StoreKey {
  return { pk: `approval#${id}`, sk: 'published' };
}

/** The Task's payload, checked: `action` must be `request`; `requestApproval` checks the rest. */
export function readRequestEvent(event: unknown): ApprovalRequest {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    throw new ApprovalError('the approval request event is not an object');
  }
  const fields = event as Record<string, unknown>;
  if (fields.action !== 'request') {
    throw new ApprovalError(
      `the approval request Lambda handles action "request", found ${JSON.stringify(fields.action)}`,
    );
  }
  const workflow = fields.workflow;
  if (workflow !== undefined && typeof workflow !== 'string') {
    throw new ApprovalError('the approval request workflow must be a string');
  }
  // The remaining fields are checked by `checkRequest` inside `requestApproval`.
  return {
    token: fields.token as string,
    runId: fields.runId as string,
    ...(workflow === undefined ? {} : { workflow }),
    job: fields.job as string,
    message: fields.message as string,
    ...(fields.approvers === undefined ? {} : { approvers: fields.approvers as ReadonlyArray<string> }),
    ...(fields.minApprovals === undefined ? {} : { minApprovals: fields.minApprovals as number }),
    timeoutSeconds: fields.timeoutSeconds as number,
    ...(fields.onTimeout === undefined ? {} : { onTimeout: fields.onTimeout as OnTimeout }),
  };
}

/** SNS subjects are printable ASCII under 100 characters (e-mail subscriptions use them). */
function subject(view: ApprovalView): string {
  const text = `Approval needed: ${view.job}${view.workflow === undefined ? '' : ` in ${view.workflow}`}`;
  const ascii = text.replace(/[^\x20-\x7e]/g, '?');
  return ascii.length > 99 ? `${ascii.slice(0, 96)}...` : ascii;
}

function message(view: ApprovalView, ticket: ApprovalTicket, link: string): string {
  const named = view.approvers.filter((name) => name !== '*');
  const who = named.length === 0 ? 'anyone with the link' : named.join(', ');
  return [
    'A Waterflow run waits for an approval.',
    '',
    `Job:       ${view.job}`,
    `Workflow:  ${view.workflow ?? 'unknown'}`,
    `Run:       ${view.runId}`,
    `Who:       ${who} (${view.minApprovals} approval${view.minApprovals === 1 ? '' : 's'} needed)`,
    `Expires:   ${new Date(ticket.expiresAt).toISOString()}`,
    '',
    view.message,
    '',
    `Approve or reject: ${link}`,
    '',
    'Opening the link decides nothing; the buttons on its page do.',
  ].join('\n');
}
