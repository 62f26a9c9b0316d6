import { describe, expect, it } from 'vitest';
import {
  ApprovalError,
  type ApprovalRequest,
  approvalPage,
  decide,
  expire,
  findApproval,
  getApproval,
  requestApproval,
  signLink,
  verifyLink,
} from '../../runtime/approvals.js';
import { MemoryGateStore } from '../../runtime/memory-store.js';
import type { StoreKey } from '../../runtime/store.js';
import { approvalRequest, HOUR, KEY, T0, TOKEN } from '../support/approval-fixtures.js';

const request = approvalRequest;

async function pending(fields: Partial<ApprovalRequest> = {}) {
  const store = new MemoryGateStore();
  const ticket = await requestApproval(store, request(fields), () => T0);
  return { store, id: ticket.id, ticket };
}

/** A store whose next `addAndGet` fails, as a Lambda that dies between a vote and its count. */
class CrashOnceStore extends MemoryGateStore {
  crashes = 1;

  override async addAndGet(key: StoreKey, field: string, delta: number): Promise<number> {
    if (this.crashes > 0) {
      this.crashes -= 1;
      throw new Error('the process died here');
    }
    return super.addAndGet(key, field, delta);
  }
}

describe('requestApproval', () => {
  it('stores a pending approval under a random url-safe id of at least 128 bits', async () => {
    // Act
    const { store, id, ticket } = await pending();

    // Assess
    expect(id).toMatch(/^[A-Za-z0-9_-]{22,}$/);
    expect(Buffer.from(id, 'base64url').length * 8).toBeGreaterThanOrEqual(128);
    expect(ticket).toStrictEqual({ id, expiresAt: T0 + 2 * HOUR });
    expect(await getApproval(store, id)).toStrictEqual({
      id,
      runId: 'release-20261122-ab12',
      workflow: 'release',
      job: 'approve',
      message: 'Deploy 1.2.3 to production?',
      approvers: ['alice@example.com', 'bob@example.com'],
      minApprovals: 1,
      onTimeout: 'reject',
      requestedAt: T0,
      expiresAt: T0 + 2 * HOUR,
      status: 'pending',
      approvals: 0,
      votes: [],
    });
  });

  it('returns the first id and expiry for a redelivered request with the same token', async () => {
    // Prepare
    const { store, ticket } = await pending();

    // Act
    const again = await requestApproval(store, request({ message: 'changed' }), () => T0 + 5000);

    // Assess
    expect(again).toStrictEqual(ticket);
    expect((await getApproval(store, ticket.id))?.message).toBe('Deploy 1.2.3 to production?');
  });

  it('gives another id to the same job asking again with a new token, and finds the pending one', async () => {
    // Prepare
    const { store, id } = await pending();
    await decide(store, { id, decision: 'reject', approver: 'alice@example.com', now: T0 + 1 });

    // Act
    const second = await requestApproval(store, request({ token: `${TOKEN}-2` }), () => T0 + 2);

    // Assess
    expect(second.id).not.toBe(id);
    expect((await findApproval(store, 'release-20261122-ab12', 'approve'))?.id).toBe(second.id);
  });

  it('defaults to one approval and to rejecting on timeout', async () => {
    // Prepare
    const { minApprovals: _m, onTimeout: _o, approvers: _a, ...bare } = request();

    const store = new MemoryGateStore();

    // Act
    const { id } = await requestApproval(store, bare, () => T0);

    // Assess
    expect(await getApproval(store, id)).toMatchObject({
      minApprovals: 1,
      onTimeout: 'reject',
      approvers: [],
    });
  });

  it('refuses a request whose quorum no listed approvers can reach', async () => {
    // Act
    const asking = pending({ minApprovals: 3 });

    // Assess
    await expect(asking).rejects.toMatchObject({ name: 'Waterflow.ApprovalError', code: 'WF9002' });
    await expect(asking).rejects.toBeInstanceOf(ApprovalError);
  });
});

describe('decide', () => {
  it('approves with one approval and hands the token to that caller only', async () => {
    // Prepare
    const { store, id } = await pending();

    // Act
    const result = await decide(store, {
      id,
      decision: 'approve',
      approver: 'alice@example.com',
      comment: 'ship it',
      now: T0 + 1000,
    });

    // Assess
    expect(result).toStrictEqual({
      outcome: 'approved',
      complete: {
        token: TOKEN,
        output: {
          decision: 'approved',
          approvers: ['alice@example.com'],
          comments: [{ approver: 'alice@example.com', comment: 'ship it' }],
        },
      },
    });
    expect(await getApproval(store, id)).toMatchObject({
      status: 'approved',
      decidedAt: T0 + 1000,
      approvals: 1,
    });
  });

  it('waits for a quorum of 2 distinct approvers', async () => {
    // Prepare
    const { store, id } = await pending({ minApprovals: 2 });

    // Act
    const first = await decide(store, {
      id,
      decision: 'approve',
      approver: 'alice@example.com',
      now: T0 + 1,
    });
    const second = await decide(store, { id, decision: 'approve', approver: 'bob@example.com', now: T0 + 2 });

    // Assess
    expect(first).toStrictEqual({ outcome: 'recorded', approvals: 1, minApprovals: 2 });
    expect(second).toMatchObject({
      outcome: 'approved',
      complete: {
        token: TOKEN,
        output: { approvers: ['alice@example.com', 'bob@example.com'], comments: [] },
      },
    });
  });

  it('refuses a double approve by the same approver, whatever the case, and changes nothing', async () => {
    // Prepare
    const { store, id } = await pending({ minApprovals: 2 });
    await decide(store, { id, decision: 'approve', approver: 'alice@example.com', now: T0 + 1 });
    const before = store.dump();

    // Act
    const again = await decide(store, {
      id,
      decision: 'approve',
      approver: 'Alice@Example.com ',
      now: T0 + 2,
    });

    // Assess
    expect(again).toMatchObject({ outcome: 'refused', code: 'duplicate-vote' });
    expect(store.dump()).toStrictEqual(before);
  });

  it('refuses a second approve once approved and changes nothing', async () => {
    // Prepare
    const { store, id } = await pending();
    await decide(store, { id, decision: 'approve', approver: 'alice@example.com', now: T0 + 1 });
    const before = store.dump();

    // Act
    const again = await decide(store, { id, decision: 'approve', approver: 'bob@example.com', now: T0 + 2 });

    // Assess
    expect(again).toMatchObject({ outcome: 'refused', code: 'already-decided' });
    expect(store.dump()).toStrictEqual(before);
  });

  it('rejects at the first rejection with Waterflow.Rejected, the approver and the comment', async () => {
    // Prepare
    const { store, id } = await pending({ minApprovals: 2 });

    // Act
    const result = await decide(store, {
      id,
      decision: 'reject',
      approver: 'bob@example.com',
      comment: 'not on a Friday',
      now: T0 + 1000,
    });

    // Assess
    expect(result).toStrictEqual({
      outcome: 'rejected',
      complete: {
        token: TOKEN,
        error: 'Waterflow.Rejected',
        cause: JSON.stringify({
          decision: 'rejected',
          job: 'approve',
          approver: 'bob@example.com',
          comment: 'not on a Friday',
          decidedAt: new Date(T0 + 1000).toISOString(),
        }),
      },
    });
  });

  it('refuses an approve after a reject and changes nothing', async () => {
    // Prepare
    const { store, id } = await pending();
    await decide(store, { id, decision: 'reject', approver: 'bob@example.com', now: T0 + 1 });
    const before = store.dump();

    // Act
    const late = await decide(store, { id, decision: 'approve', approver: 'alice@example.com', now: T0 + 2 });

    // Assess
    expect(late).toMatchObject({ outcome: 'refused', code: 'already-decided' });
    expect(store.dump()).toStrictEqual(before);
  });

  it('refuses an approver who is not listed', async () => {
    // Prepare
    const { store, id } = await pending();

    // Act
    const result = await decide(store, {
      id,
      decision: 'approve',
      approver: 'mallory@example.com',
      now: T0 + 1,
    });

    // Assess
    expect(result).toStrictEqual({
      outcome: 'refused',
      code: 'not-allowed',
      message:
        'mallory@example.com may not decide this approval; it is for alice@example.com, bob@example.com',
    });
  });

  it.each([
    ['an empty list', []],
    ['a list with *', ['*']],
  ])('lets anyone decide when approvers is %s', async (_what, approvers) => {
    // Prepare
    const { store, id } = await pending({ approvers });

    // Act
    const result = await decide(store, { id, decision: 'approve', approver: 'anyone', now: T0 + 1 });

    // Assess
    expect(result).toMatchObject({ outcome: 'approved' });
  });

  it('refuses a decision on an unknown id', async () => {
    // Prepare
    const { store } = await pending();

    // Act
    const result = await decide(store, { id: 'no-such-id', decision: 'approve', approver: 'alice', now: T0 });

    // Assess
    expect(result).toStrictEqual({
      outcome: 'refused',
      code: 'unknown',
      message: 'there is no approval with this id',
    });
  });

  it('refuses a decision once the approval has expired and changes nothing', async () => {
    // Prepare
    const { store, id } = await pending();
    const before = store.dump();

    // Act
    const result = await decide(store, {
      id,
      decision: 'approve',
      approver: 'alice@example.com',
      now: T0 + 2 * HOUR,
    });

    // Assess
    expect(result).toMatchObject({ outcome: 'refused', code: 'expired' });
    expect(store.dump()).toStrictEqual(before);
  });

  it.each([
    ['an empty approver', { approver: '  ' }, 'say who decides: the approver is empty'],
    ['an unknown decision', { decision: 'maybe' }, 'the decision must be "approve" or "reject"'],
    ['a long comment', { comment: 'x'.repeat(4001) }, 'the comment is longer than 4000 characters'],
  ])('refuses %s without throwing', async (_what, fields, message) => {
    // Prepare
    const { store, id } = await pending();
    const input = { id, decision: 'approve', approver: 'alice@example.com', now: T0 + 1, ...fields };

    // Act
    const result = await decide(store, input as Parameters<typeof decide>[1]);

    // Assess
    expect(result).toStrictEqual({ outcome: 'refused', code: 'invalid', message });
  });

  it('hands the token to exactly one of 20 concurrent approvals', async () => {
    // Prepare
    const { store, id } = await pending({ approvers: [] });

    // Act
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, n) =>
        decide(store, { id, decision: 'approve', approver: n % 2 === 0 ? `user${n}` : 'same', now: T0 + 1 }),
      ),
    );

    // Assess
    expect(results.filter((result) => 'complete' in result)).toHaveLength(1);
  });

  it('hands the token to exactly one caller when more votes than the quorum race', async () => {
    // Prepare
    const approvers = Array.from({ length: 10 }, (_, n) => `user${n}`);
    const { store, id } = await pending({ approvers, minApprovals: 3 });

    // Act
    const results = await Promise.all(
      approvers.map((approver) => decide(store, { id, decision: 'approve', approver, now: T0 + 1 })),
    );

    // Assess
    const completions = results.filter((result) => 'complete' in result);
    expect(completions).toHaveLength(1);
    expect(await getApproval(store, id)).toMatchObject({ status: 'approved' });
  });

  it('finishes an approval whose count was lost when the approver tries again', async () => {
    // Prepare
    const store = new CrashOnceStore();
    const { id } = await requestApproval(store, request(), () => T0);
    const crashed = decide(store, { id, decision: 'approve', approver: 'alice@example.com', now: T0 + 1 });
    await expect(crashed).rejects.toThrow('the process died here');

    // Act
    const retried = await decide(store, {
      id,
      decision: 'approve',
      approver: 'alice@example.com',
      now: T0 + 2,
    });

    // Assess
    expect(retried).toMatchObject({ outcome: 'approved', complete: { token: TOKEN } });
  });
});

describe('expire', () => {
  it('applies onTimeout approve once, as a success without approvers', async () => {
    // Prepare
    const { store, id } = await pending({ onTimeout: 'approve' });

    // Act
    const first = await expire(store, id, T0 + 2 * HOUR);
    const second = await expire(store, id, T0 + 2 * HOUR + 1);

    // Assess
    expect(first).toStrictEqual({
      outcome: 'timed-out',
      onTimeout: 'approve',
      complete: {
        token: TOKEN,
        output: { decision: 'approved', approvers: [], comments: [], timedOut: true },
      },
    });
    expect(second).toMatchObject({ outcome: 'refused', code: 'expired' });
  });

  it.each([
    ['reject', 'Waterflow.Rejected'],
    ['fail', 'States.Timeout'],
  ] as const)('applies onTimeout %s as the error %s', async (onTimeout, error) => {
    // Prepare
    const { store, id } = await pending({ onTimeout });

    // Act
    const result = await expire(store, id, T0 + 2 * HOUR);

    // Assess
    expect(result).toMatchObject({ outcome: 'timed-out', onTimeout, complete: { token: TOKEN, error } });
    expect(await getApproval(store, id)).toMatchObject({ status: 'expired', decidedAt: T0 + 2 * HOUR });
  });

  it('does not expire an approval before its time', async () => {
    // Prepare
    const { store, id } = await pending();

    // Act
    const result = await expire(store, id, T0 + 2 * HOUR - 1);

    // Assess
    expect(result).toMatchObject({ outcome: 'refused', code: 'not-expired' });
    expect(await getApproval(store, id)).toMatchObject({ status: 'pending' });
  });

  it('does not expire a decided approval, and refuses decisions after expiry', async () => {
    // Prepare
    const decided = await pending();
    await decide(decided.store, {
      id: decided.id,
      decision: 'approve',
      approver: 'alice@example.com',
      now: T0,
    });
    const timedOut = await pending();
    await expire(timedOut.store, timedOut.id, T0 + 2 * HOUR);

    // Act
    const late = await expire(decided.store, decided.id, T0 + 2 * HOUR);
    const vote = await decide(timedOut.store, {
      id: timedOut.id,
      decision: 'approve',
      approver: 'alice@example.com',
      now: T0 + 2 * HOUR + 1,
    });

    // Assess
    expect(late).toMatchObject({ outcome: 'refused', code: 'already-decided' });
    expect(vote).toMatchObject({ outcome: 'refused', code: 'expired' });
  });
});

describe('approval links', () => {
  it('verifies a link it signed until the link expires', () => {
    // Prepare
    const sig = signLink(KEY, 'abc', T0 + HOUR);

    // Act
    const before = verifyLink(KEY, 'abc', T0 + HOUR, sig, T0 + HOUR - 1);
    const after = verifyLink(KEY, 'abc', T0 + HOUR, sig, T0 + HOUR);

    // Assess
    expect(before).toStrictEqual({ ok: true });
    expect(after).toStrictEqual({ ok: false, reason: 'expired' });
  });

  it('refuses a forged, altered or truncated signature, and one made with another key', () => {
    // Prepare
    const sig = signLink(KEY, 'abc', T0 + HOUR);
    const flipped = `${sig.slice(0, -1)}${sig.endsWith('A') ? 'B' : 'A'}`;

    // Act
    const checks = [
      verifyLink(KEY, 'abd', T0 + HOUR, sig, T0),
      verifyLink(KEY, 'abc', T0 + 2 * HOUR, sig, T0),
      verifyLink(KEY, 'abc', T0 + HOUR, flipped, T0),
      verifyLink(KEY, 'abc', T0 + HOUR, sig.slice(0, 10), T0),
      verifyLink(KEY, 'abc', T0 + HOUR, '', T0),
      verifyLink('another-key-of-enough-bytes', 'abc', T0 + HOUR, sig, T0),
    ];

    // Assess
    expect(checks).toStrictEqual(Array(6).fill({ ok: false, reason: 'bad-signature' }));
  });

  it('refuses a key shorter than 16 bytes', () => {
    // Act
    const signing = () => signLink('short', 'abc', T0);

    // Assess
    expect(signing).toThrow('an approval link key needs at least 16 bytes, found 5');
  });
});

describe('approvalPage', () => {
  it('shows the job, workflow, run, message, approvers, count, expiry and a POST form', async () => {
    // Prepare
    const { store, id } = await pending({ minApprovals: 2 });
    await decide(store, { id, decision: 'approve', approver: 'alice@example.com', now: T0 + 1 });
    const approval = await getApproval(store, id);
    if (approval === undefined) throw new Error('approval missing');

    // Act
    const html = approvalPage({
      kind: 'open',
      approval,
      action: `/approvals/${id}?exp=1&sig=x`,
      now: T0 + HOUR,
    });

    // Assess
    for (const text of [
      '<code>approve</code>',
      '<code>release</code>',
      '<code>release-20261122-ab12</code>',
      'Deploy 1.2.3 to production?',
      'alice@example.com',
      'bob@example.com',
      '1 of 2 needed',
      '2026-11-22 11:00 UTC',
      '(in 1 h)',
      `<form method="post" action="/approvals/${id}?exp=1&amp;sig=x">`,
      'name="decision" value="approve"',
      'name="decision" value="reject"',
      'name="comment"',
    ]) {
      expect(html).toContain(text);
    }
  });

  it('escapes every value and loads nothing from elsewhere', async () => {
    // Prepare
    const evil = '<script>alert("x")</script>&\'';
    const { store, id } = await pending({ job: evil, message: evil, approvers: [evil], workflow: evil });
    const approval = await getApproval(store, id);
    if (approval === undefined) throw new Error('approval missing');

    // Act
    const html = approvalPage({ kind: 'open', approval, action: '/a"><script>', now: T0 });

    // Assess
    expect(html).not.toContain('<script');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;');
    expect(html).not.toMatch(/\b(src|href)=|@import|url\(/);
  });

  it('shows a decided approval without a form, and a notice for an unknown link', async () => {
    // Prepare
    const { store, id } = await pending();
    await decide(store, { id, decision: 'reject', approver: 'bob@example.com', comment: 'no', now: T0 + 1 });
    const approval = await getApproval(store, id);
    if (approval === undefined) throw new Error('approval missing');

    // Act
    const closed = approvalPage({ kind: 'closed', approval, now: T0 + 2 });
    const notice = approvalPage({
      kind: 'notice',
      title: 'This link does not work',
      message: 'there is no approval with this id',
      tone: 'error',
    });

    // Assess
    expect(closed).toContain('Rejected: <code>approve</code>');
    expect(closed).toContain('<strong>bob@example.com</strong> rejected');
    expect(closed).not.toContain('<form');
    expect(notice).toContain('there is no approval with this id');
    expect(notice).not.toContain('<form');
  });

  it('never carries the token in views, refusals or pages', async () => {
    // Prepare
    const { store, id } = await pending({ minApprovals: 2 });
    const outputs: unknown[] = [];
    outputs.push(
      await decide(store, { id, decision: 'approve', approver: 'alice@example.com', now: T0 + 1 }),
    );
    outputs.push(
      await decide(store, { id, decision: 'approve', approver: 'alice@example.com', now: T0 + 2 }),
    );
    outputs.push(await decide(store, { id, decision: 'approve', approver: 'eve', now: T0 + 3 }));
    const approval = await getApproval(store, id);
    if (approval === undefined) throw new Error('approval missing');

    // Act
    outputs.push(approval, await findApproval(store, approval.runId, approval.job));
    outputs.push(approvalPage({ kind: 'open', approval, action: '/x', now: T0 }));
    outputs.push(approvalPage({ kind: 'closed', approval, now: T0 + 3 * HOUR }));
    outputs.push(await expire(store, id, T0));

    // Assess
    expect(JSON.stringify(outputs)).not.toContain(TOKEN);
  });
});
