import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoStore } from '../../runtime/dynamo-store.js';
import { handOverLease, leaseHolder, releaseLease, takeLease } from '../../runtime/lease.js';
import { startDynalite, type TestDynamo } from './support/dynalite.js';

// The concurrency lease is single-item conditional writes: check them against DynamoDB's protocol.

let dynamo: TestDynamo;

beforeAll(async () => {
  dynamo = await startDynalite();
});

afterAll(async () => {
  await dynamo.close();
});

const holder = (runId: string) => ({
  runId,
  executionArn: `arn:aws:states:::execution:wf:${runId}`,
  since: '',
});

async function newStore(): Promise<DynamoStore> {
  return new DynamoStore({ client: dynamo.client, tableName: await dynamo.newTable() });
}

describe('the concurrency lease', () => {
  it('goes to exactly one of 20 concurrent takers', async () => {
    // Prepare
    const store = await newStore();

    // Act
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => takeLease(store, 'wf', holder(`run-${i}`))),
    );

    // Assess
    const winners = results.flatMap((r, i) => (r.taken ? [`run-${i}`] : []));
    expect(winners).toHaveLength(1);
    const losers = results.flatMap((r) => (r.taken ? [] : [r.holder.runId]));
    expect(new Set(losers)).toStrictEqual(new Set(winners));
    expect((await leaseHolder(store, 'wf'))?.runId).toBe(winners[0]);
  });

  it('counts a second take by the holder as taken', async () => {
    // Prepare
    const store = await newStore();
    await takeLease(store, 'wf', holder('a'));

    // Act
    const again = await takeLease(store, 'wf', holder('a'));

    // Assess
    expect(again).toStrictEqual({ taken: true });
  });

  it('is released only by its holder, and can be taken again after', async () => {
    // Prepare
    const store = await newStore();
    await takeLease(store, 'wf', holder('a'));

    // Act
    const byOther = await releaseLease(store, 'wf', 'b', '2026-11-22T00:00:00.000Z');
    const byHolder = await releaseLease(store, 'wf', 'a', '2026-11-22T00:00:00.000Z');
    const twice = await releaseLease(store, 'wf', 'a', '2026-11-22T00:00:00.000Z');
    const next = await takeLease(store, 'wf', holder('c'));

    // Assess
    expect([byOther, byHolder, twice]).toStrictEqual([false, true, false]);
    expect(next).toStrictEqual({ taken: true });
  });

  it('is handed over once when two replacers race for it', async () => {
    // Prepare
    const store = await newStore();
    await takeLease(store, 'wf', holder('old'));

    // Act
    const handed = await Promise.all([
      handOverLease(store, 'wf', 'old', holder('new-1')),
      handOverLease(store, 'wf', 'old', holder('new-2')),
    ]);

    // Assess
    expect(handed.filter(Boolean)).toHaveLength(1);
    expect((await leaseHolder(store, 'wf'))?.runId).toBe(handed[0] ? 'new-1' : 'new-2');
  });

  it('is not released by a late end of the run it replaced', async () => {
    // Prepare
    const store = await newStore();
    await takeLease(store, 'wf', holder('old'));
    await handOverLease(store, 'wf', 'old', holder('new'));

    // Act
    const released = await releaseLease(store, 'wf', 'old', '2026-11-22T00:00:00.000Z');

    // Assess
    expect(released).toBe(false);
    expect((await leaseHolder(store, 'wf'))?.runId).toBe('new');
  });
});
