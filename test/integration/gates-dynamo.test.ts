import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JsonValue } from '../../compiler/asl/types.js';
import { DynamoStore } from '../../runtime/dynamo-store.js';
import { type Clock, type GateOutput, release, wait } from '../../runtime/gates.js';
import { startDynalite, type TestDynamo } from './support/dynalite.js';

// Gates without transactions, against the real DynamoDB protocol: whatever order waits and
// releases arrive in, and however often they are delivered, each gate completes exactly once.

let dynamo: TestDynamo;

beforeAll(async () => {
  dynamo = await startDynalite();
});

afterAll(async () => {
  await dynamo.close();
});

const clock: Clock = () => 0;

function result(job: string): JsonValue {
  return { r: 'success', ok: true, o: { from: job } };
}

/** Gated job -> its upstream jobs; every upstream job ends once. */
const gates: Readonly<Record<string, ReadonlyArray<string>>> = {
  d: ['a', 'b'],
  e: ['b', 'c'],
  f: ['a', 'b', 'c'],
  g: ['c'],
};
const upstreamJobs = ['a', 'b', 'c'];

/** A deterministic shuffle, so that a failing order can be replayed from its seed. */
function shuffled<T>(items: ReadonlyArray<T>, seed: number): T[] {
  const out = [...items];
  let state = seed;
  for (let i = out.length - 1; i > 0; i--) {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** Runs every wait and release of one run concurrently, each delivered twice; returns completions by token. */
async function race(store: DynamoStore, runId: string, seed: number): Promise<Map<string, GateOutput[]>> {
  const completions = new Map<string, GateOutput[]>();
  const complete = (token: string, output: GateOutput): void => {
    completions.set(token, [...(completions.get(token) ?? []), output]);
  };
  const calls: Array<() => Promise<void>> = [];
  for (const [job, upstream] of Object.entries(gates)) {
    const token = `token-${job}`;
    const call = async (): Promise<void> => {
      const outcome = await wait(store, { runId, job, upstream, token }, clock);
      if (outcome.complete) complete(token, outcome.output);
    };
    calls.push(call, call);
  }
  for (const job of upstreamJobs) {
    const call = async (): Promise<void> => {
      for (const done of await release(store, { runId, job, result: result(job) }, clock)) {
        complete(done.token, done.output);
      }
    };
    calls.push(call, call);
  }
  await Promise.all(shuffled(calls, seed).map((call) => call()));
  return completions;
}

function expected(): Map<string, GateOutput[]> {
  return new Map(
    Object.entries(gates).map(([job, upstream]) => [
      `token-${job}`,
      [Object.fromEntries(upstream.map((name) => [name, result(name)]))],
    ]),
  );
}

describe('gates on DynamoStore', () => {
  it('completes each gate exactly once when waits and releases race, in many orders', async () => {
    // Prepare
    const store = new DynamoStore({ client: dynamo.client, tableName: await dynamo.newTable() });
    const seeds = Array.from({ length: 8 }, (_, i) => i + 1);

    // Act
    const runs = await Promise.all(seeds.map((seed) => race(store, `run-${seed}`, seed)));

    // Assess
    for (const completions of runs) expect(completions).toStrictEqual(expected());
  });

  it('counts nothing twice for a repeated release or a redelivered wait, and keeps the first result', async () => {
    // Prepare
    const store = new DynamoStore({ client: dynamo.client, tableName: await dynamo.newTable() });
    const request = { runId: 'r', job: 'd', upstream: ['a', 'b'], token: 'td' };
    const first = await wait(store, request, clock);
    const released = [
      ...(await release(store, { runId: 'r', job: 'a', result: result('a') }, clock)),
      ...(await release(store, { runId: 'r', job: 'a', result: 'second result' }, clock)),
    ];
    const redelivered = await wait(store, request, clock);

    // Act
    const last = await release(store, { runId: 'r', job: 'b', result: result('b') }, clock);

    // Assess
    expect([first, redelivered, released]).toStrictEqual([{ complete: false }, { complete: false }, []]);
    expect(last).toStrictEqual([{ token: 'td', output: { a: result('a'), b: result('b') } }]);
  });

  it('completes a gate whose upstream jobs were all released before it waited', async () => {
    // Prepare
    const store = new DynamoStore({ client: dynamo.client, tableName: await dynamo.newTable() });
    await Promise.all(
      upstreamJobs.map((job) => release(store, { runId: 'r', job, result: result(job) }, clock)),
    );

    // Act
    const outcomes = await Promise.all([
      wait(store, { runId: 'r', job: 'f', upstream: gates.f ?? [], token: 'tf' }, clock),
      wait(store, { runId: 'r', job: 'f', upstream: gates.f ?? [], token: 'tf' }, clock),
    ]);

    // Assess
    expect(outcomes.filter((outcome) => outcome.complete)).toStrictEqual([
      { complete: true, output: { a: result('a'), b: result('b'), c: result('c') } },
    ]);
  });

  it('hands each token to exactly one of many concurrent releases of the last upstream job', async () => {
    // Prepare
    const store = new DynamoStore({ client: dynamo.client, tableName: await dynamo.newTable() });
    await wait(store, { runId: 'r', job: 'd', upstream: ['a', 'b'], token: 'td' }, clock);
    await wait(store, { runId: 'r', job: 'e', upstream: ['b'], token: 'te' }, clock);
    await release(store, { runId: 'r', job: 'a', result: result('a') }, clock);

    // Act
    const released = await Promise.all(
      Array.from({ length: 10 }, () => release(store, { runId: 'r', job: 'b', result: result('b') }, clock)),
    );

    // Assess
    const tokens = released.flat().map((completion) => completion.token);
    expect(tokens.sort()).toStrictEqual(['td', 'te']);
  });
});
