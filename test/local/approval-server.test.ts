import { afterEach, describe, expect, it } from 'vitest';
import type { JsonValue } from '../../compiler/asl/types.js';
import { approveLocally } from '../../local/approval-client.js';
import { type ApprovalServer, signedPath, startApprovalServer } from '../../local/approval-server.js';
import {
  type ApprovalCompletion,
  type ApprovalRequest,
  expire,
  getApproval,
  requestApproval,
} from '../../runtime/approvals.js';
import { MemoryGateStore } from '../../runtime/memory-store.js';
import type { StoreItem, StoreKey } from '../../runtime/store.js';
import { approvalRequest, HOUR, KEY, RUN, T0, TOKEN } from '../support/approval-fixtures.js';

interface Harness {
  readonly store: MemoryGateStore;
  readonly server: ApprovalServer;
  readonly id: string;
  /** The signed link to the approval. */
  readonly link: string;
  readonly completions: ApprovalCompletion[];
  readonly clock: { now: number };
}

/**
 * A store that yields to the event loop before each operation, as a networked store does, so
 * that concurrent requests interleave between store operations.
 */
class YieldingStore extends MemoryGateStore {
  override async putIfAbsent(key: StoreKey, item: StoreItem): Promise<boolean> {
    await turn();
    return super.putIfAbsent(key, item);
  }

  override async get(key: StoreKey): Promise<StoreItem | undefined> {
    await turn();
    return super.get(key);
  }

  override async addAndGet(key: StoreKey, field: string, delta: number): Promise<number> {
    await turn();
    return super.addAndGet(key, field, delta);
  }

  override async putIf(key: StoreKey, item: StoreItem, field: string, expected: JsonValue | undefined) {
    await turn();
    return super.putIf(key, item, field, expected);
  }
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const servers: ApprovalServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function harness(
  fields: Partial<ApprovalRequest> = {},
  store = new MemoryGateStore(),
): Promise<Harness> {
  const clock = { now: T0 };
  const completions: ApprovalCompletion[] = [];
  const { id, expiresAt } = await requestApproval(store, approvalRequest(fields), () => T0);
  const server = await startApprovalServer({
    store,
    key: KEY,
    clock: () => clock.now,
    onDecided: (complete) => {
      completions.push(complete);
    },
  });
  servers.push(server);
  return { store, server, id, link: server.url(id, expiresAt), completions, clock };
}

const json = { 'content-type': 'application/json', accept: 'application/json' };
const form = { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' };

function post(url: string, body: unknown, headers: Record<string, string> = json): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

describe('approval server', () => {
  it('shows the page on GET and decides nothing, however often it is opened', async () => {
    // Prepare
    const { store, link, completions } = await harness();
    const before = store.dump();

    // Act
    const responses = [];
    for (let n = 0; n < 5; n++) responses.push(await fetch(link));

    // Assess
    for (const response of responses) {
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(await response.text()).toContain('Deploy 1.2.3 to production?');
    }
    expect(store.dump()).toStrictEqual(before);
    expect(completions).toStrictEqual([]);
  });

  it('approves with a form post and hands the completion to onDecided', async () => {
    // Prepare
    const { link, completions } = await harness();

    // Act
    const response = await post(link, 'decision=approve&approver=alice%40example.com&comment=LGTM', form);

    // Assess
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('Approved: the run goes on.');
    expect(completions).toStrictEqual([
      {
        token: TOKEN,
        output: {
          decision: 'approved',
          approvers: ['alice@example.com'],
          comments: [{ approver: 'alice@example.com', comment: 'LGTM' }],
        },
      },
    ]);
  });

  it('reaches a quorum of 2 through two posts', async () => {
    // Prepare
    const { link, completions } = await harness({ minApprovals: 2 });

    // Act
    const first = await post(link, { decision: 'approve', approver: 'alice@example.com' });
    const afterFirst = completions.length;
    const second = await post(link, { decision: 'approve', approver: 'bob@example.com' });

    // Assess
    expect(await first.json()).toStrictEqual({
      outcome: 'recorded',
      message: 'Your approval is recorded: 1 of 2 needed so far.',
      approvals: 1,
      minApprovals: 2,
    });
    expect(afterFirst).toBe(0);
    expect(await second.json()).toStrictEqual({ outcome: 'approved', message: 'Approved: the run goes on.' });
    expect(completions).toHaveLength(1);
  });

  it('refuses a replayed POST with 409 and completes once', async () => {
    // Prepare
    const { link, completions } = await harness();
    const body = { decision: 'reject', approver: 'bob@example.com', comment: 'not today' };
    await post(link, body);

    // Act
    const replay = await post(link, body);

    // Assess
    expect(replay.status).toBe(409);
    expect(await replay.json()).toMatchObject({ outcome: 'refused', code: 'already-decided' });
    expect(completions).toMatchObject([{ token: TOKEN, error: 'Waterflow.Rejected' }]);
  });

  it('refuses a double approve by the same approver and changes nothing', async () => {
    // Prepare
    const { store, link, completions } = await harness({ minApprovals: 2 });
    await post(link, { decision: 'approve', approver: 'alice@example.com' });
    const before = store.dump();

    // Act
    const again = await post(link, { decision: 'approve', approver: 'alice@example.com' });

    // Assess
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ outcome: 'refused', code: 'duplicate-vote' });
    expect(store.dump()).toStrictEqual(before);
    expect(completions).toStrictEqual([]);
  });

  it('refuses an approve after a reject and changes nothing', async () => {
    // Prepare
    const { store, link, completions } = await harness();
    await post(link, { decision: 'reject', approver: 'bob@example.com' });
    const before = store.dump();

    // Act
    const late = await post(link, { decision: 'approve', approver: 'alice@example.com' });

    // Assess
    expect(late.status).toBe(409);
    expect(await late.json()).toMatchObject({ outcome: 'refused', code: 'already-decided' });
    expect(store.dump()).toStrictEqual(before);
    expect(completions).toHaveLength(1);
  });

  it('refuses an unlisted or anonymous approver with 403', async () => {
    // Prepare
    const { link, completions } = await harness();

    // Act
    const anonymous = await post(link, { decision: 'approve' });

    // Assess
    expect(anonymous.status).toBe(403);
    expect(await anonymous.json()).toMatchObject({ outcome: 'refused', code: 'not-allowed' });
    expect(completions).toStrictEqual([]);
  });

  it('refuses a forged signature with 403 on GET and POST, and decides nothing', async () => {
    // Prepare
    const { store, link, completions } = await harness();
    const forged = link.replace(/sig=[^&]+/, `sig=${'A'.repeat(43)}`);
    const unsigned = link.replace(/&sig=[^&]+/, '');
    const before = store.dump();

    // Act
    const responses = [
      await fetch(forged),
      await fetch(unsigned),
      await post(forged, { decision: 'approve', approver: 'alice@example.com' }),
      await post(link.replace(/exp=\d+/, `exp=${T0 + 99 * HOUR}`), {
        decision: 'approve',
        approver: 'alice@example.com',
      }),
    ];

    // Assess
    expect(responses.map((response) => response.status)).toStrictEqual([403, 403, 403, 403]);
    expect(await responses[2]?.json()).toStrictEqual({
      outcome: 'error',
      code: 'bad-signature',
      message: 'this link is incomplete or was altered; open the link exactly as it was sent',
    });
    expect(store.dump()).toStrictEqual(before);
    expect(completions).toStrictEqual([]);
  });

  it('refuses an expired link with 410', async () => {
    // Prepare
    const { server, id, clock } = await harness();
    const link = server.url(id, T0 + HOUR);
    clock.now = T0 + HOUR;

    // Act
    const page = await fetch(link);
    const decision = await post(link, { decision: 'approve', approver: 'alice@example.com' });

    // Assess
    expect(page.status).toBe(410);
    expect(await page.text()).toContain('this approval link has expired');
    expect(decision.status).toBe(410);
  });

  it('answers 404 for an unknown approval, an unknown route, and 405 for other methods', async () => {
    // Prepare
    const { server } = await harness();
    const base = `http://127.0.0.1:${server.port}`;

    // Act
    const unknown = await fetch(`${base}${signedPath(KEY, 'no-such-approval', T0 + HOUR)}`);
    const route = await fetch(`${base}/approvals`, { headers: { accept: 'application/json' } });
    const method = await fetch(server.url('anything'), { method: 'DELETE' });

    // Assess
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toContain('there is no approval with this id');
    expect(route.status).toBe(404);
    expect(await route.json()).toMatchObject({ code: 'not-found' });
    expect(method.status).toBe(405);
    expect(method.headers.get('allow')).toBe('GET, HEAD, POST');
  });

  it('answers JSON or HTML depending on Accept', async () => {
    // Prepare
    const { link } = await harness();

    // Act
    const asJson = await fetch(link, { headers: { accept: 'application/json' } });
    const asHtml = await fetch(link, { headers: { accept: 'text/html,application/xhtml+xml' } });

    // Assess
    expect(await asJson.json()).toMatchObject({
      job: 'approve',
      runId: RUN,
      status: 'pending',
      approvals: 0,
    });
    expect(asHtml.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(await asHtml.text()).toMatch(/^<!doctype html>/);
  });

  it.each([
    ['17 KB', 17 * 1024],
    ['2 MB, which is not read to its end', 2 * 1024 * 1024],
  ])('refuses a body of %s with 413', async (_what, size) => {
    // Prepare
    const { link, completions } = await harness();
    const big = { decision: 'approve', approver: 'alice@example.com', comment: 'x'.repeat(size) };

    // Act
    const response = await post(link, big);

    // Assess
    expect(response.status).toBe(413);
    expect(await response.json()).toStrictEqual({
      outcome: 'error',
      code: 'too-large',
      message: 'the body is larger than 16384 bytes',
    });
    expect(completions).toStrictEqual([]);
  });

  it.each([
    ['invalid JSON', '{"decision": appr', json, 400, 'the body is not valid JSON'],
    [
      'a JSON array',
      '["approve"]',
      json,
      400,
      'the JSON body must be an object such as {"decision":"approve"}',
    ],
    [
      'an unknown decision',
      '{"decision":"maybe"}',
      json,
      400,
      'decision must be "approve" or "reject", found "maybe"',
    ],
    ['no decision', 'approver=alice', form, 400, 'decision must be "approve" or "reject", found nothing'],
    [
      'a misspelt field',
      'decison=approve',
      form,
      400,
      'unknown field "decison"; expected decision, comment, approver',
    ],
    [
      'a repeated field',
      'decision=approve&decision=reject',
      form,
      400,
      'the field "decision" is given more than once',
    ],
    [
      'a number as comment',
      '{"decision":"approve","comment":3}',
      json,
      400,
      'comment must be text, found number',
    ],
    ['an empty body', '', json, 400, 'the body is empty: send decision=approve or decision=reject'],
    [
      'plain text',
      'approve',
      { 'content-type': 'text/plain', accept: 'application/json' },
      415,
      'send the decision as application/x-www-form-urlencoded or application/json, not text/plain',
    ],
  ])('refuses %s with a clear message', async (_what, body, headers, status, message) => {
    // Prepare
    const { link, completions } = await harness();

    // Act
    const response = await post(link, body, { ...headers, accept: 'application/json' });

    // Assess
    expect(response.status).toBe(status);
    expect(await response.json()).toMatchObject({ outcome: 'error', message });
    expect(completions).toStrictEqual([]);
  });

  it('hands out exactly one completion when 20 approvals race', async () => {
    // Prepare
    const store = new YieldingStore();
    const { link, completions } = await harness({ approvers: [] }, store);

    // Act
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, n) => post(link, { decision: 'approve', approver: `user${n}` })),
    );

    // Assess
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses).toStrictEqual([200, ...Array(19).fill(409)]);
    expect(completions).toHaveLength(1);
  });

  it('shows the expired page with 410 once onTimeout applied, and refuses decisions', async () => {
    // Prepare
    const { store, id, link, clock, completions } = await harness({ onTimeout: 'approve' });
    const timedOut = await expire(store, id, T0 + 2 * HOUR);
    clock.now = T0 + 2 * HOUR - 1;

    // Act
    const page = await fetch(link);
    const decision = await post(link, { decision: 'reject', approver: 'bob@example.com' });

    // Assess
    expect(timedOut).toMatchObject({ outcome: 'timed-out', complete: { output: { timedOut: true } } });
    expect(page.status).toBe(410);
    expect(await page.text()).toContain('<code>onTimeout: approve</code> applies');
    expect(decision.status).toBe(410);
    expect(await decision.json()).toMatchObject({ code: 'expired' });
    expect(completions).toStrictEqual([]);
  });

  it('answers 500 without a stack or the token when the store fails', async () => {
    // Prepare
    const store = new (class extends MemoryGateStore {
      failing = false;
      override async get(key: StoreKey): Promise<StoreItem | undefined> {
        if (this.failing) throw new Error(`store down while holding ${TOKEN}`);
        return super.get(key);
      }
    })();
    const { link } = await harness({}, store);
    store.failing = true;

    // Act
    const response = await post(link, { decision: 'approve', approver: 'alice@example.com' });
    const text = await response.text();

    // Assess
    expect(response.status).toBe(500);
    expect(JSON.parse(text)).toStrictEqual({
      outcome: 'error',
      code: 'internal',
      message: 'the approval server failed; try again',
    });
    expect(text).not.toContain(TOKEN);
  });

  it('never puts the token in a response body or header', async () => {
    // Prepare
    const { server, id, link } = await harness({ minApprovals: 2 });
    const requests: Array<() => Promise<Response>> = [
      () => fetch(link),
      () => fetch(link, { headers: { accept: 'application/json' } }),
      () => fetch(link, { method: 'HEAD' }),
      () => post(link, { decision: 'approve', approver: 'alice@example.com', comment: 'fine' }),
      () => post(link, { decision: 'approve', approver: 'alice@example.com' }),
      () => post(link, 'decision=approve&approver=eve', form),
      () => post(link, '{"decision":', json),
      () => post(link, { decision: 'approve', approver: 'bob@example.com' }),
      () => post(link, { decision: 'reject', approver: 'bob@example.com' }),
      () => post(link, 'decision=approve&approver=bob', form),
      () => fetch(link),
      () => fetch(server.url(id, T0 - 1)),
      () => fetch(link.replace('sig=', 'sig=x')),
    ];

    // Act
    const seen: string[] = [];
    for (const request of requests) {
      const response = await request();
      seen.push(response.status.toString(), await response.text());
      for (const [name, value] of response.headers) seen.push(`${name}: ${value}`);
    }

    // Assess
    expect(seen.join('\n')).not.toContain(TOKEN);
    expect(seen.join('\n')).not.toContain(encodeURIComponent(TOKEN));
    expect(seen).toContain('200');
  });
});

describe('approveLocally', () => {
  it('approves the pending approval of a job through a live server', async () => {
    // Prepare
    const { store, server, id, completions } = await harness();

    // Act
    const result = await approveLocally({
      store,
      baseUrl: `http://127.0.0.1:${server.port}/`,
      key: KEY,
      runId: RUN,
      job: 'approve',
      decision: 'approve',
      approver: 'alice@example.com',
      comment: 'from the terminal',
    });

    // Assess
    expect(result).toStrictEqual({
      kind: 'decided',
      outcome: 'approved',
      message: 'Approved: the run goes on.',
    });
    expect(completions).toHaveLength(1);
    expect(await getApproval(store, id)).toMatchObject({
      status: 'approved',
      votes: [{ comment: 'from the terminal' }],
    });
  });

  it('reports a recorded vote, then a refusal from the server', async () => {
    // Prepare
    const { store, server } = await harness({ minApprovals: 2 });
    const options = {
      store,
      baseUrl: `http://127.0.0.1:${server.port}`,
      key: KEY,
      runId: RUN,
      job: 'approve',
      decision: 'approve',
      approver: 'alice@example.com',
    } as const;

    // Act
    const first = await approveLocally(options);
    const again = await approveLocally(options);

    // Assess
    expect(first).toMatchObject({ kind: 'recorded', approvals: 1, minApprovals: 2 });
    expect(again).toStrictEqual({
      kind: 'refused',
      code: 'duplicate-vote',
      message: 'alice@example.com has already voted to approve on this approval; a vote is final',
    });
  });

  it('reports that a job has no pending approval', async () => {
    // Prepare
    const { store, server } = await harness();
    const options = {
      store,
      baseUrl: server.url('x').split('/approvals')[0] ?? '',
      key: KEY,
      runId: RUN,
    } as const;
    await approveLocally({ ...options, job: 'approve', decision: 'reject', approver: 'bob@example.com' });

    // Act
    const decided = await approveLocally({
      ...options,
      job: 'approve',
      decision: 'approve',
      approver: 'bob@example.com',
    });
    const never = await approveLocally({
      ...options,
      job: 'deploy',
      decision: 'approve',
      approver: 'bob@example.com',
    });

    // Assess
    expect(decided).toStrictEqual({
      kind: 'no-pending',
      message: `the approval of job "approve" of run ${RUN} is already rejected`,
    });
    expect(never).toStrictEqual({
      kind: 'no-pending',
      message: `job "deploy" of run ${RUN} has no approval to decide`,
    });
  });

  it('reports a server that is not reachable', async () => {
    // Prepare
    const { store, server } = await harness();
    const baseUrl = `http://127.0.0.1:${server.port}`;
    await server.close();

    // Act
    const result = await approveLocally({
      store,
      baseUrl,
      key: KEY,
      runId: RUN,
      job: 'approve',
      decision: 'approve',
      approver: 'alice@example.com',
    });

    // Assess
    expect(result).toStrictEqual({
      kind: 'unreachable',
      message: `no approval server answers at ${baseUrl} (ECONNREFUSED); is the run still going?`,
    });
  });
});
