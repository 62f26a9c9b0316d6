import { SendTaskFailureCommand, SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { PublishCommand } from '@aws-sdk/client-sns';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { getApproval } from '../../runtime/approvals.js';
import { captureOutput, loadEvent } from '../support/lambda.js';
import {
  type ApprovalLambdas,
  apiEvent,
  type LinkParts,
  linkInMessage,
  linkTo,
  startApprovalLambdas,
} from './support/approval-lambdas.js';

// Each attack on the approval API fails closed: nothing is decided, nothing reaches Step
// Functions, and the answer says why. Logs are on at DEBUG with event logging requested, so that
// the token test sees every line the handlers could write.

let lambdas: ApprovalLambdas;

beforeAll(async () => {
  lambdas = await startApprovalLambdas({
    POWERTOOLS_LOG_LEVEL: 'DEBUG',
    POWERTOOLS_LOGGER_LOG_EVENT: 'true',
    POWERTOOLS_METRICS_DISABLED: 'false',
  });
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

const BASE_TOKEN = loadEvent<{ token: string }>('lambda', 'approval-request').token;

function tokenOf(name: string): string {
  return `${BASE_TOKEN}-${name}`;
}

async function requested(name: string, change: Record<string, unknown> = {}): Promise<LinkParts> {
  const event = loadEvent<Record<string, unknown>>('lambda', 'approval-request');
  await lambdas.request({ ...event, token: tokenOf(name), runId: `run-${name}`, ...change });
  const message = lambdas.sns.commandCalls(PublishCommand).at(-1)?.args[0].input.Message ?? '';
  return linkInMessage(message);
}

function form(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

function asJson(event: APIGatewayProxyEvent): APIGatewayProxyEvent {
  return { ...event, headers: { ...event.headers, Accept: 'application/json' } };
}

function taskCalls(): number {
  return (
    lambdas.sfn.commandCalls(SendTaskSuccessCommand).length +
    lambdas.sfn.commandCalls(SendTaskFailureCommand).length
  );
}

describe('the approval API fails closed', () => {
  it('refuses a forged signature and decides nothing', async () => {
    // Prepare
    const link = await requested('forged', { minApprovals: 1 });
    const other = await requested('forged-other', { minApprovals: 1 });
    const flipped = `${link.sig.slice(0, -2)}${link.sig.endsWith('AA') ? 'AB' : 'AA'}`;

    // Act
    const altered = await lambdas.api(asJson(apiEvent('approval-post-form', { ...link, sig: flipped })));
    const borrowed = await lambdas.api(apiEvent('approval-post-form', { ...link, sig: other.sig }));
    const stretched = await lambdas.api(
      apiEvent('approval-get', { ...link, exp: String(Number(link.exp) + 1) }),
    );
    const missing = await lambdas.api(
      apiEvent('approval-get', link, { queryStringParameters: null, multiValueQueryStringParameters: null }),
    );
    const repeated = await lambdas.api(
      apiEvent('approval-get', link, {
        multiValueQueryStringParameters: { exp: [link.exp], sig: [flipped, link.sig] },
      }),
    );

    // Assess
    expect(altered.statusCode).toBe(403);
    expect(JSON.parse(altered.body)).toStrictEqual({
      outcome: 'error',
      code: 'bad-signature',
      message: 'this link is incomplete or was altered; open the link exactly as it was sent',
    });
    for (const response of [borrowed, stretched, missing, repeated]) {
      expect(response.statusCode).toBe(403);
      expect(response.body).toContain('This link does not work');
    }
    expect((await getApproval(lambdas.store, link.id))?.votes).toStrictEqual([]);
    expect(taskCalls()).toBe(0);
  });

  it('refuses an expired link, even correctly signed', async () => {
    // Prepare
    const link = await requested('expired', { minApprovals: 1 });
    const past = linkTo(link.id, Date.now() - 1_000);

    // Act
    const page = await lambdas.api(apiEvent('approval-get', past));
    const post = await lambdas.api(asJson(apiEvent('approval-post-form', past)));

    // Assess
    expect(page.statusCode).toBe(410);
    expect(page.body).toContain('this approval link has expired');
    expect(post.statusCode).toBe(410);
    expect(JSON.parse(post.body)).toMatchObject({ code: 'link-expired' });
    expect((await getApproval(lambdas.store, link.id))?.status).toBe('pending');
    expect(taskCalls()).toBe(0);
  });

  it('answers a replayed POST with a refusal and answers the task once', async () => {
    // Prepare
    const link = await requested('replay', { minApprovals: 1 });
    const event = asJson(apiEvent('approval-post-form', link));
    const first = await lambdas.api(event);

    // Act
    const replay = await lambdas.api(event);

    // Assess
    expect(first.statusCode).toBe(200);
    expect(replay.statusCode).toBe(409);
    expect(JSON.parse(replay.body)).toMatchObject({ outcome: 'refused', code: 'already-decided' });
    expect(lambdas.sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(1);
  });

  it('counts a double approve once, even when both clicks arrive together', async () => {
    // Prepare
    const link = await requested('double');
    const event = asJson(apiEvent('approval-post-form', link));

    // Act
    const answers = await Promise.all([lambdas.api(event), lambdas.api(event)]);

    // Assess
    expect(answers.map((answer) => answer.statusCode).sort()).toStrictEqual([200, 409]);
    const view = await getApproval(lambdas.store, link.id);
    expect(view).toMatchObject({ status: 'pending', approvals: 1 });
    expect(taskCalls()).toBe(0);
  });

  it('refuses an approval after a rejection', async () => {
    // Prepare
    const link = await requested('after-reject');
    await lambdas.api(apiEvent('approval-post-json', link));

    // Act
    const approve = await lambdas.api(asJson(apiEvent('approval-post-form', link)));

    // Assess
    expect(approve.statusCode).toBe(409);
    expect(JSON.parse(approve.body)).toMatchObject({ code: 'already-decided' });
    expect((await getApproval(lambdas.store, link.id))?.status).toBe('rejected');
    expect(lambdas.sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(0);
    expect(lambdas.sfn.commandCalls(SendTaskFailureCommand)).toHaveLength(1);
  });

  it('never decides on GET or HEAD, whatever the query and body say', async () => {
    // Prepare
    const link = await requested('get-never', { minApprovals: 1 });
    const decisive = {
      queryStringParameters: {
        exp: link.exp,
        sig: link.sig,
        decision: 'approve',
        approver: 'alice@example.com',
      },
      multiValueQueryStringParameters: {
        exp: [link.exp],
        sig: [link.sig],
        decision: ['approve'],
        approver: ['alice@example.com'],
      },
      body: form({ decision: 'approve', approver: 'alice@example.com' }),
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    };

    // Act
    const get = await lambdas.api(apiEvent('approval-get', link, decisive));
    const head = await lambdas.api(apiEvent('approval-get', link, { ...decisive, httpMethod: 'HEAD' }));

    // Assess
    expect(get.statusCode).toBe(200);
    expect(get.body).toContain('Opening this page decides nothing');
    expect(head.statusCode).toBe(200);
    expect(head.body).toBe('');
    expect(await getApproval(lambdas.store, link.id)).toMatchObject({ status: 'pending', votes: [] });
    expect(taskCalls()).toBe(0);
  });

  it('answers 404 for an approval id that does not exist or cannot be one', async () => {
    // Prepare
    const unknown = linkTo('NoSuchApprovalIdAtAll123', Date.now() + 3_600_000);

    // Act
    const get = await lambdas.api(apiEvent('approval-get', unknown));
    const post = await lambdas.api(asJson(apiEvent('approval-post-form', unknown)));
    const malformed = await lambdas.api(apiEvent('approval-get', { ...unknown, id: '../../etc/passwd' }));

    // Assess
    expect(get.statusCode).toBe(404);
    expect(get.body).toContain('there is no approval with this id');
    expect(post.statusCode).toBe(404);
    expect(JSON.parse(post.body)).toMatchObject({ outcome: 'refused', code: 'unknown' });
    expect(malformed.statusCode).toBe(404);
    expect(malformed.body).toContain('approval links look like /approvals/');
  });

  it('refuses other methods with 405 and the allowed ones', async () => {
    // Prepare
    const link = await requested('method');

    // Act
    const response = await lambdas.api(apiEvent('approval-get', link, { httpMethod: 'DELETE' }));

    // Assess
    expect(response.statusCode).toBe(405);
    expect(response.headers?.allow).toBe('GET, HEAD, POST');
  });
});

describe('bodies the approval API refuses', () => {
  const JSON_POST = { Accept: 'application/json', 'Content-Type': 'application/json' };

  it('answers 413 for a body over 16 KiB, plain or base64', async () => {
    // Prepare
    const link = await requested('oversized');
    const big = form({ decision: 'approve', comment: 'x'.repeat(17 * 1024) });

    // Act
    const plain = await lambdas.api(asJson(apiEvent('approval-post-form', link, { body: big })));
    const encoded = await lambdas.api(
      apiEvent('approval-post-form', link, {
        body: Buffer.from(big).toString('base64'),
        isBase64Encoded: true,
      }),
    );

    // Assess
    expect(plain.statusCode).toBe(413);
    expect(JSON.parse(plain.body)).toStrictEqual({
      outcome: 'error',
      code: 'too-large',
      message: 'the body is larger than 16384 bytes',
    });
    expect(encoded.statusCode).toBe(413);
    expect(encoded.body).toContain('the body is larger than 16384 bytes');
    expect((await getApproval(lambdas.store, link.id))?.votes).toStrictEqual([]);
  });

  it.each([
    ['invalid JSON', JSON_POST, '{"decision": approve', false, 400, 'the body is not valid JSON'],
    ['a JSON array', JSON_POST, '["approve"]', false, 400, 'the JSON body must be an object'],
    [
      'an unknown decision',
      JSON_POST,
      '{"decision":"maybe"}',
      false,
      400,
      'decision must be "approve" or "reject", found "maybe"',
    ],
    [
      'an unknown field',
      JSON_POST,
      '{"decision":"approve","token":"x"}',
      false,
      400,
      'unknown field "token"',
    ],
    [
      'a number as approver',
      JSON_POST,
      '{"decision":"approve","approver":7}',
      false,
      400,
      'approver must be text, found number',
    ],
    ['an empty body', JSON_POST, '', false, 400, 'the body is empty'],
    [
      'bytes that are not UTF-8',
      JSON_POST,
      Buffer.from([0xff, 0xfe, 0x00]).toString('base64'),
      true,
      400,
      'not valid UTF-8',
    ],
    [
      'a repeated form field',
      { Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' },
      'decision=approve&decision=reject',
      false,
      400,
      'given more than once',
    ],
    [
      'an untyped body',
      { Accept: 'application/json' },
      'decision=approve',
      false,
      415,
      'not an untyped body',
    ],
    [
      'XML',
      { Accept: 'application/json', 'Content-Type': 'application/xml' },
      '<decision/>',
      false,
      415,
      'not application/xml',
    ],
  ])('answers %s with a clear message', async (_case, headers, body, isBase64Encoded, status, words) => {
    // Prepare
    const link = await requested(`garbage-${_case.replaceAll(' ', '-')}`);

    // Act
    const response = await lambdas.api(
      apiEvent('approval-post-form', link, { headers, body, isBase64Encoded }),
    );

    // Assess
    expect(response.statusCode).toBe(status);
    expect(response.headers?.['content-type']).toBe('application/json; charset=utf-8');
    const answer = JSON.parse(response.body) as { outcome: string; message: string };
    expect(answer.outcome).toBe('error');
    expect(answer.message).toContain(words);
    expect((await getApproval(lambdas.store, link.id))?.votes).toStrictEqual([]);
  });
});

describe('the task token', () => {
  it('appears in no response body, header or log line, whatever happens', async () => {
    // Prepare
    const name = 'secret';
    const token = tokenOf(name);
    const responses: Array<APIGatewayProxyResult | unknown> = [];
    const quoteToken = (error: string) =>
      Object.assign(new Error(`${error}: bad token ${token}`), { name: error });

    // Act
    const { output } = await captureOutput(async () => {
      const event = {
        ...loadEvent<Record<string, unknown>>('lambda', 'approval-request'),
        token,
        runId: `run-${name}`,
      };
      responses.push(await lambdas.request(event));
      responses.push(await lambdas.request(event));
      const link = linkInMessage(
        lambdas.sns.commandCalls(PublishCommand).at(-1)?.args[0].input.Message ?? '',
      );
      responses.push(await lambdas.api(apiEvent('approval-get', link)));
      responses.push(await lambdas.api(asJson(apiEvent('approval-get', link))));
      responses.push(await lambdas.api(apiEvent('approval-get', { ...link, sig: 'forged' })));
      responses.push(await lambdas.api(apiEvent('approval-post-form', link)));
      responses.push(await lambdas.api(apiEvent('approval-post-form', link)));
      lambdas.sfn.on(SendTaskSuccessCommand).rejects(quoteToken('ThrottlingException'));
      const bob = form({ decision: 'approve', approver: 'bob@example.com' });
      responses.push(await lambdas.api(apiEvent('approval-post-form', link, { body: bob })));
      responses.push(await lambdas.api(asJson(apiEvent('approval-get', link))));
      const again = await requested(`${name}-again`, { minApprovals: 1 });
      lambdas.sfn.on(SendTaskSuccessCommand).rejects(quoteToken('InvalidToken'));
      responses.push(await lambdas.api(apiEvent('approval-post-form', again)));
      responses.push(await lambdas.api(apiEvent('approval-get', again)));
      const refused = await lambdas
        .request({ action: 'request', token, runId: '', job: 'x', message: '' })
        .catch((error: unknown) =>
          error instanceof Error ? `${error.name}: ${error.message}\n${error.stack}` : error,
        );
      responses.push(refused);
    });

    // Assess
    expect(output).toContain('approval requested');
    expect(output).toContain('"service":"approval-api"');
    const again = tokenOf(`${name}-again`);
    for (const secret of [token, again, token.slice(0, 40)]) {
      expect(output).not.toContain(secret);
      for (const response of responses) expect(JSON.stringify(response)).not.toContain(secret);
    }
    expect(responses).toHaveLength(12);
  });
});
