import { SendTaskFailureCommand, SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { PublishCommand } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { getApproval } from '../../runtime/approvals.js';
import { loadEvent } from '../support/lambda.js';
import {
  type ApprovalLambdas,
  apiEvent,
  BASE_URL,
  linkInMessage,
  startApprovalLambdas,
  TOPIC_ARN,
} from './support/approval-lambdas.js';

// The approval handlers through their Lambda entry points, over dynalite: request -> SNS link ->
// GET page -> POST decisions -> SendTaskSuccess/SendTaskFailure, with Step Functions and SNS
// replaced at the SDK edge only.

let lambdas: ApprovalLambdas;

beforeAll(async () => {
  lambdas = await startApprovalLambdas();
});

afterAll(async () => {
  await lambdas.close();
});

beforeEach(() => {
  lambdas.sfn.reset();
  lambdas.sns.reset();
  lambdas.sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  lambdas.sfn.on(SendTaskSuccessCommand).resolves({});
  lambdas.sfn.on(SendTaskFailureCommand).resolves({});
});

interface RequestEvent {
  readonly token: string;
  readonly runId: string;
  [field: string]: unknown;
}

/** The request fixture with a token and run of its own, so that tests do not share approvals. */
function requestEvent(name: string, change: Record<string, unknown> = {}): RequestEvent {
  const event = loadEvent<RequestEvent>('lambda', 'approval-request');
  return { ...event, token: `${event.token}-${name}`, runId: `${event.runId}-${name}`, ...change };
}

/** Requests an approval through the handler and returns the link SNS carried. */
async function requested(name: string, change: Record<string, unknown> = {}) {
  await lambdas.request(requestEvent(name, change));
  const message = lambdas.sns.commandCalls(PublishCommand).at(-1)?.args[0].input.Message ?? '';
  return linkInMessage(message);
}

describe('the approval request handler', () => {
  it('stores the approval and publishes its signed link to the topic', async () => {
    // Prepare
    const event = requestEvent('publish');

    // Act
    const result = await lambdas.request(event);

    // Assess
    const calls = lambdas.sns.commandCalls(PublishCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0]?.args[0].input;
    expect(input?.TopicArn).toBe(TOPIC_ARN);
    expect(input?.Subject).toBe('Approval needed: approve in approval');
    const link = linkInMessage(input?.Message ?? '');
    expect(link.url.startsWith(`${BASE_URL}/approvals/`)).toBe(true);
    expect(result).toStrictEqual({
      approvalId: link.id,
      expiresAt: new Date(Number(link.exp)).toISOString(),
      published: true,
    });
    const view = await getApproval(lambdas.store, link.id);
    expect(view).toMatchObject({
      runId: event.runId,
      workflow: 'approval',
      job: 'approve',
      message: 'Deploy to production?',
      approvers: ['alice@example.com', 'bob@example.com'],
      minApprovals: 2,
      status: 'pending',
    });
    expect(JSON.stringify(input)).not.toContain(event.token);
  });

  it('answers a redelivered request with the same approval and publishes nothing more', async () => {
    // Prepare
    const event = requestEvent('redelivered');
    const first = await lambdas.request(event);

    // Act
    const again = await lambdas.request(event);

    // Assess
    expect(again).toStrictEqual({ ...(first as object), published: false });
    expect(lambdas.sns.commandCalls(PublishCommand)).toHaveLength(1);
  });

  it('refuses a payload without a token with a named error', async () => {
    // Prepare
    const { token: _token, ...event } = requestEvent('no-token');

    // Act
    const attempt = lambdas.request(event);

    // Assess
    await expect(attempt).rejects.toMatchObject({ name: 'Waterflow.ApprovalError' });
    expect(lambdas.sns.commandCalls(PublishCommand)).toHaveLength(0);
  });
});

describe('the approval page', () => {
  it('shows what is asked, of which run, by whom, until when, and decides nothing', async () => {
    // Prepare
    const link = await requested('page');

    // Act
    const response = await lambdas.api(apiEvent('approval-get', link));

    // Assess
    expect(response.statusCode).toBe(200);
    expect(response.headers?.['content-type']).toBe('text/html; charset=utf-8');
    expect(response.headers?.['content-security-policy']).toContain("default-src 'none'");
    expect(response.body).toContain('Deploy to production?');
    expect(response.body).toContain('<code>approval</code>');
    expect(response.body).toContain('release-20261122-ab12-page');
    expect(response.body).toContain('alice@example.com');
    expect(response.body).toContain(new Date(Number(link.exp)).toISOString().slice(0, 16).replace('T', ' '));
    expect(response.body).toContain(`action="${link.id}?exp=${link.exp}&amp;sig=${link.sig}"`);
    expect((await getApproval(lambdas.store, link.id))?.votes).toStrictEqual([]);
  });

  it('answers JSON clients with a summary', async () => {
    // Prepare
    const link = await requested('summary');
    const event = apiEvent('approval-get', link);

    // Act
    const response = await lambdas.api({ ...event, headers: { Accept: 'application/json' } });

    // Assess
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({
      id: link.id,
      job: 'approve',
      status: 'pending',
      approvals: 0,
    });
  });
});

describe('deciding an approval', () => {
  it('records a first approval and answers the task once the quorum is reached', async () => {
    // Prepare
    const link = await requested('quorum');
    const bob = new URLSearchParams({ decision: 'approve', approver: 'bob@example.com' }).toString();

    // Act
    const first = await lambdas.api(apiEvent('approval-post-form', link));
    const second = await lambdas.api(apiEvent('approval-post-form', link, { body: bob }));

    // Assess
    expect(first.statusCode).toBe(200);
    expect(first.body).toContain('1 of 2 needed so far');
    expect(second.statusCode).toBe(200);
    expect(second.body).toContain('Approved: the run goes on.');
    const calls = lambdas.sfn.commandCalls(SendTaskSuccessCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0]?.args[0].input;
    expect(input?.taskToken).toBe(requestEvent('quorum').token);
    expect(JSON.parse(input?.output ?? '')).toStrictEqual({
      decision: 'approved',
      approvers: ['alice@example.com', 'bob@example.com'],
      comments: [{ approver: 'alice@example.com', comment: 'Looks good' }],
    });
    expect((await getApproval(lambdas.store, link.id))?.status).toBe('approved');
  });

  it('fails the task with Waterflow.Rejected on a rejection posted as JSON', async () => {
    // Prepare
    const link = await requested('reject');

    // Act
    const response = await lambdas.api(apiEvent('approval-post-json', link));

    // Assess
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toStrictEqual({
      outcome: 'rejected',
      message: 'Rejected: the job fails with Waterflow.Rejected.',
    });
    const calls = lambdas.sfn.commandCalls(SendTaskFailureCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input.error).toBe('Waterflow.Rejected');
    expect(JSON.parse(calls[0]?.args[0].input.cause ?? '')).toMatchObject({
      decision: 'rejected',
      job: 'approve',
      approver: 'bob@example.com',
      comment: 'Not during the freeze',
    });
    const view = await getApproval(lambdas.store, link.id);
    expect(view?.status).toBe('rejected');
    expect(view?.votes[0]).toMatchObject({ approver: 'bob@example.com', comment: 'Not during the freeze' });
  });

  it('takes the approver from a Cognito authorizer and records the comment', async () => {
    // Prepare
    const link = await requested('cognito', { minApprovals: 1 });

    // Act
    const response = await lambdas.api(apiEvent('approval-post-cognito', link));

    // Assess
    expect(response.statusCode).toBe(200);
    const view = await getApproval(lambdas.store, link.id);
    expect(view?.votes).toMatchObject([
      { approver: 'alice@example.com', decision: 'approve', comment: 'Ship it' },
    ]);
    expect(lambdas.sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(1);
  });

  it('refuses a signed-in approver who names someone else', async () => {
    // Prepare
    const link = await requested('impostor', { minApprovals: 1 });
    const event = apiEvent('approval-post-cognito', link, {
      body: 'decision=approve&approver=bob%40example.com',
      isBase64Encoded: false,
    });

    // Act
    const response = await lambdas.api(event);

    // Assess
    expect(response.statusCode).toBe(403);
    expect(response.body).toContain(
      'you are signed in as alice@example.com and cannot decide as bob@example.com',
    );
    expect((await getApproval(lambdas.store, link.id))?.votes).toStrictEqual([]);
  });

  it.each([
    ['TaskTimedOut', 'task-timed-out', 'the run had already stopped waiting'],
    ['TaskDoesNotExist', 'task-does-not-exist', 'the run that asked no longer exists'],
    ['InvalidToken', 'invalid-token', 'Step Functions refused the task token'],
  ])(
    'says "too late" and records the approval as expired when Step Functions answers %s',
    async (name, reason, words) => {
      // Prepare
      const link = await requested(`gone-${name}`, { minApprovals: 1 });
      const error = Object.assign(new Error(`${name}: task token ${requestEvent(`gone-${name}`).token}`), {
        name,
      });
      lambdas.sfn.on(SendTaskSuccessCommand).rejects(error);

      // Act
      const response = await lambdas.api(apiEvent('approval-post-form', link));

      // Assess
      expect(response.statusCode).toBe(410);
      expect(response.body).toContain('Too late');
      expect(response.body).toContain(words);
      const view = await getApproval(lambdas.store, link.id);
      expect(view).toMatchObject({ status: 'expired', undelivered: reason });
      const page = await lambdas.api(apiEvent('approval-get', link));
      expect(page.statusCode).toBe(410);
      expect(page.body).toContain(words);
    },
  );

  it('answers 500 without details when Step Functions fails otherwise', async () => {
    // Prepare
    const link = await requested('throttled', { minApprovals: 1 });
    const token = requestEvent('throttled').token;
    lambdas.sfn
      .on(SendTaskSuccessCommand)
      .rejects(Object.assign(new Error(`Rate exceeded for ${token}`), { name: 'ThrottlingException' }));

    // Act
    const response = await lambdas.api(
      apiEvent('approval-post-form', link, {
        headers: { Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' },
      }),
    );

    // Assess
    expect(response.statusCode).toBe(500);
    expect(JSON.parse(response.body)).toStrictEqual({
      outcome: 'error',
      code: 'internal',
      message: 'the approval service failed; try again',
    });
  });
});
