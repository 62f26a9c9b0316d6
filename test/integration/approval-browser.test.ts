import { existsSync } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SendTaskFailureCommand, SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { PublishCommand } from '@aws-sdk/client-sns';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getApproval } from '../../runtime/approvals.js';
import { loadEvent } from '../support/lambda.js';
import {
  type ApprovalLambdas,
  BASE_URL,
  linkInMessage,
  startApprovalLambdas,
} from './support/approval-lambdas.js';

// The approval page in a real browser (Debian's chromium, headless), served by the approval API
// handler behind a small HTTP adapter that plays API Gateway's part, with a `/prod` stage prefix so
// that the form's relative action is exercised as in AWS.

const CHROMIUM = '/usr/bin/chromium';
const STAGE = '/prod';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium)
  console.log(`approval browser test skipped: ${CHROMIUM} is absent (apt-get install chromium)`);

let lambdas: ApprovalLambdas;
let server: Server;
let origin: string;
let browser: Browser;
let artifacts: string;

/** Turns a node request into the proxy event API Gateway would send for `/approvals/{id}`. */
async function proxyEvent(req: IncomingMessage): Promise<APIGatewayProxyEvent> {
  const url = new URL(req.url ?? '/', 'http://adapter.invalid');
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  const resourcePath = url.pathname.startsWith(STAGE) ? url.pathname.slice(STAGE.length) : url.pathname;
  const id = /^\/approvals\/([^/]+)$/.exec(resourcePath)?.[1];
  const query: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  for (const [name, value] of url.searchParams) {
    query[name] = value;
    multi[name] = [...(multi[name] ?? []), value];
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers))
    if (typeof value === 'string') headers[name] = value;
  const template = loadEvent<APIGatewayProxyEvent>('apigateway', 'approval-get');
  return {
    ...template,
    httpMethod: req.method ?? 'GET',
    path: resourcePath,
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]])),
    queryStringParameters: Object.keys(query).length === 0 ? null : query,
    multiValueQueryStringParameters: Object.keys(multi).length === 0 ? null : multi,
    pathParameters: id === undefined ? null : { id: decodeURIComponent(id) },
    body: body.length === 0 ? null : body.toString('base64'),
    isBase64Encoded: body.length > 0,
  };
}

describe.skipIf(!haveChromium)('the approval page in headless Chromium', () => {
  beforeAll(async () => {
    lambdas = await startApprovalLambdas();
    lambdas.sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    lambdas.sfn.on(SendTaskSuccessCommand).resolves({});
    lambdas.sfn.on(SendTaskFailureCommand).resolves({});
    server = createServer((req, res) => {
      proxyEvent(req)
        .then((event) => lambdas.api(event))
        .then((result) => {
          res.writeHead(result.statusCode, result.headers as Record<string, string>);
          res.end(result.body);
        })
        .catch(() => {
          res.writeHead(502);
          res.end();
        });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'], headless: true });
    // Kept after the run (overwritten by the next), so that the screenshot can be looked at.
    artifacts = process.env.WATERFLOW_TEST_ARTIFACTS ?? join(tmpdir(), 'waterflow-test-artifacts');
    await mkdir(artifacts, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve())));
    await lambdas?.close();
  });

  it('shows the approval, and a click on Approve records the decision and answers the task once', async () => {
    // Prepare
    const request = loadEvent<Record<string, unknown>>('lambda', 'approval-request');
    await lambdas.request({ ...request, runId: 'run-browser', minApprovals: 1 });
    const sent = lambdas.sns.commandCalls(PublishCommand)[0]?.args[0].input.Message ?? '';
    const link = linkInMessage(sent);
    const page = await browser.newPage();
    await page.goto(link.url.replace(BASE_URL, `${origin}${STAGE}`));
    const screenshot = join(artifacts, 'approval-page.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    console.log(`approval page screenshot: ${screenshot}`);

    // Act
    await page.fill('#approver', 'alice@example.com');
    await page.fill('#comment', 'Ship it');
    await Promise.all([page.waitForURL(/\/prod\/approvals\//), page.click('button[value="approve"]')]);

    // Assess
    expect((await stat(screenshot)).size).toBeGreaterThan(1_000);
    expect(await page.textContent('h1')).toBe('Approved');
    expect(await page.textContent('.banner')).toBe('Approved: the run goes on.');
    const view = await getApproval(lambdas.store, link.id);
    expect(view?.status).toBe('approved');
    expect(view?.votes).toMatchObject([
      { approver: 'alice@example.com', decision: 'approve', comment: 'Ship it' },
    ]);
    const calls = lambdas.sfn.commandCalls(SendTaskSuccessCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input.taskToken).toBe(request.token);
    await page.close();
  });
});
