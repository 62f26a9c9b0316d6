import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { JsonValue } from '../../compiler/asl/types.js';
import {
  type Clock,
  type GateCompletion,
  GateError,
  release,
  type WaitOutcome,
  wait,
} from '../../runtime/gates.js';
import { MemoryGateStore } from '../../runtime/memory-store.js';
import type { GateStore } from '../../runtime/store.js';

const clock: Clock = () => 0;
const runId = 'run-1';

function ok(exitCode: number): JsonValue {
  return { r: 'success', ok: true, x: exitCode };
}

describe('gates', () => {
  it('completes the gate at registration when its upstream job was released before', async () => {
    // Prepare
    const store = new MemoryGateStore();
    const released = await release(store, { runId, job: 'a', result: ok(0) }, clock);

    // Act
    const outcome = await wait(store, { runId, job: 'c', upstream: ['a'], token: 'tc' }, clock);

    // Assess
    expect(released).toStrictEqual([]);
    expect(outcome).toStrictEqual({ complete: true, output: { a: ok(0) } });
  });

  it('hands the token to the release that comes after the wait', async () => {
    // Prepare
    const store = new MemoryGateStore();
    const outcome = await wait(store, { runId, job: 'c', upstream: ['a'], token: 'tc' }, clock);

    // Act
    const released = await release(store, { runId, job: 'a', result: ok(0) }, clock);

    // Assess
    expect(outcome).toStrictEqual({ complete: false });
    expect(released).toStrictEqual([{ token: 'tc', output: { a: ok(0) } }]);
  });

  it('waits for every upstream job and answers with all their results', async () => {
    // Prepare
    const store = new MemoryGateStore();
    await wait(store, { runId, job: 'd', upstream: ['a', 'b'], token: 'td' }, clock);

    // Act
    const first = await release(store, { runId, job: 'b', result: ok(1) }, clock);
    const second = await release(store, { runId, job: 'a', result: ok(0) }, clock);

    // Assess
    expect(first).toStrictEqual([]);
    expect(second).toStrictEqual([{ token: 'td', output: { a: ok(0), b: ok(1) } }]);
  });

  it('releases every gate that waits on the same job', async () => {
    // Prepare
    const store = new MemoryGateStore();
    await wait(store, { runId, job: 'c', upstream: ['a'], token: 'tc' }, clock);
    await wait(store, { runId, job: 'd', upstream: ['a'], token: 'td' }, clock);

    // Act
    const released = await release(store, { runId, job: 'a', result: ok(0) }, clock);

    // Assess
    expect(released.map((completion) => completion.token).sort()).toStrictEqual(['tc', 'td']);
  });

  it('ignores a second release of the same job and keeps the first result', async () => {
    // Prepare
    const store = new MemoryGateStore();
    await wait(store, { runId, job: 'd', upstream: ['a', 'b'], token: 'td' }, clock);
    await release(store, { runId, job: 'a', result: ok(0) }, clock);

    // Act
    const duplicate = await release(store, { runId, job: 'a', result: ok(9) }, clock);
    const last = await release(store, { runId, job: 'b', result: ok(1) }, clock);
    const late = await release(store, { runId, job: 'b', result: ok(1) }, clock);

    // Assess
    expect(duplicate).toStrictEqual([]);
    expect(last).toStrictEqual([{ token: 'td', output: { a: ok(0), b: ok(1) } }]);
    expect(late).toStrictEqual([]);
  });

  it('counts nothing twice when a wait is delivered again', async () => {
    // Prepare
    const store = new MemoryGateStore();
    const request = { runId, job: 'd', upstream: ['a', 'b'], token: 'td' };
    await wait(store, request, clock);
    await release(store, { runId, job: 'a', result: ok(0) }, clock);

    // Act
    const redelivered = await wait(store, request, clock);
    const released = await release(store, { runId, job: 'b', result: ok(1) }, clock);
    const afterCompletion = await wait(store, request, clock);

    // Assess
    expect(redelivered).toStrictEqual({ complete: false });
    expect(released).toStrictEqual([{ token: 'td', output: { a: ok(0), b: ok(1) } }]);
    expect(afterCompletion).toStrictEqual({ complete: false });
  });

  it('does not complete a second time a gate that a wait completed and that is delivered again', async () => {
    // Prepare
    const store = new MemoryGateStore();
    const request = { runId, job: 'c', upstream: ['a'], token: 'tc' };
    await release(store, { runId, job: 'a', result: ok(0) }, clock);
    const first = await wait(store, request, clock);

    // Act
    const redelivered = await wait(store, request, clock);

    // Assess
    expect(first.complete).toBe(true);
    expect(redelivered).toStrictEqual({ complete: false });
  });

  it('answers a new token of a gate entered again', async () => {
    // Prepare
    const store = new MemoryGateStore();
    await wait(store, { runId, job: 'c', upstream: ['a'], token: 'first' }, clock);
    await release(store, { runId, job: 'a', result: ok(0) }, clock);

    // Act
    const again = await wait(store, { runId, job: 'c', upstream: ['a'], token: 'second' }, clock);

    // Assess
    expect(again).toStrictEqual({ complete: true, output: { a: ok(0) } });
  });

  it('completes a gate with no upstream job at once, and only once', async () => {
    // Prepare
    const store = new MemoryGateStore();
    const request = { runId, job: 'c', upstream: [], token: 'tc' };

    // Act
    const first = await wait(store, request, clock);
    const redelivered = await wait(store, request, clock);

    // Assess
    expect(first).toStrictEqual({ complete: true, output: {} });
    expect(redelivered).toStrictEqual({ complete: false });
  });

  it('keeps the gates of two runs apart', async () => {
    // Prepare
    const store = new MemoryGateStore();
    await wait(store, { runId: 'run-1', job: 'c', upstream: ['a'], token: 't1' }, clock);
    await wait(store, { runId: 'run-2', job: 'c', upstream: ['a'], token: 't2' }, clock);

    // Act
    const released = await release(store, { runId: 'run-2', job: 'a', result: ok(0) }, clock);

    // Assess
    expect(released).toStrictEqual([{ token: 't2', output: { a: ok(0) } }]);
  });

  it('keeps job names with separators apart', async () => {
    // Prepare
    const store = new MemoryGateStore();
    await wait(store, { runId, job: 'c', upstream: ['a#b'], token: 'tc' }, clock);

    // Act
    const wrong = await release(store, { runId, job: 'a', result: ok(0) }, clock);
    const right = await release(store, { runId, job: 'a#b', result: ok(1) }, clock);

    // Assess
    expect(wrong).toStrictEqual([]);
    expect(right).toStrictEqual([{ token: 'tc', output: { 'a#b': ok(1) } }]);
  });

  it('refuses a job that waits for itself', async () => {
    // Prepare
    const store = new MemoryGateStore();

    // Act
    const waiting = wait(store, { runId, job: 'c', upstream: ['a', 'c'], token: 'tc' }, clock);

    // Assess
    await expect(waiting).rejects.toThrow(GateError);
    await expect(waiting).rejects.toMatchObject({ code: 'WF9001', name: 'Waterflow.GateError' });
  });
});

/** A store whose every operation is delivered, and answered, when the scheduler says so. */
function scheduledStore(inner: GateStore, s: fc.Scheduler): GateStore {
  const hop = async <T>(label: string, operation: () => Promise<T>): Promise<T> => {
    await s.schedule(Promise.resolve(), `${label} request`);
    const result = await operation();
    return s.schedule(Promise.resolve(result), `${label} response`);
  };
  return {
    putIfAbsent: (key, item) => hop(`put ${key.sk}`, () => inner.putIfAbsent(key, item)),
    get: (key) => hop(`get ${key.sk}`, () => inner.get(key)),
    addAndGet: (key, field, delta) => hop(`add ${key.sk}`, () => inner.addAndGet(key, field, delta)),
    query: (pk, prefix) => hop(`query ${prefix}`, () => inner.query(pk, prefix)),
    putIf: (key, item, field, expected) =>
      hop(`putIf ${key.sk}`, () => inner.putIf(key, item, field, expected)),
    putIfNewer: (key, item, field) => hop(`putIfNewer ${key.sk}`, () => inner.putIfNewer(key, item, field)),
    delete: (key) => hop(`delete ${key.sk}`, () => inner.delete(key)),
    putAll: (items) => hop('putAll', () => inner.putAll(items)),
  };
}

const upstreamPool = ['a', 'b', 'c', 'd'] as const;

const scenario = fc.record({
  gates: fc.array(
    fc.record({
      upstream: fc.subarray([...upstreamPool], { minLength: 1 }),
      deliveries: fc.integer({ min: 1, max: 2 }),
    }),
    { minLength: 1, maxLength: 4 },
  ),
  releases: fc.array(
    fc.record({ job: fc.constantFrom(...upstreamPool), deliveries: fc.integer({ min: 1, max: 2 }) }),
    {
      maxLength: 4,
    },
  ),
});

describe('gates under any interleaving', () => {
  it('completes every gate exactly once, with the results of its upstream jobs, when they are all released', async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), scenario, async (s, { gates, releases }) => {
        // Prepare
        const store = scheduledStore(new MemoryGateStore(), s);
        const resultOf = (job: string): JsonValue =>
          ok(upstreamPool.indexOf(job as (typeof upstreamPool)[number]));
        const tokenOf = (index: number) => `token-${index}`;

        // Act
        const waits: Array<Promise<{ token: string; outcome: WaitOutcome }>> = gates.flatMap((gate, index) =>
          Array.from({ length: gate.deliveries }, async () => ({
            token: tokenOf(index),
            outcome: await wait(store, {
              runId,
              job: `gated-${index}`,
              upstream: gate.upstream,
              token: tokenOf(index),
            }),
          })),
        );
        const released: Array<Promise<GateCompletion[]>> = releases.flatMap(({ job, deliveries }) =>
          Array.from({ length: deliveries }, () => release(store, { runId, job, result: resultOf(job) })),
        );
        const [waitOutcomes, releaseOutcomes] = await s.waitFor(
          Promise.all([Promise.all(waits), Promise.all(released)]),
        );

        // Assess
        const answered = new Map<string, unknown[]>();
        const answer = (token: string, output: unknown) =>
          answered.set(token, [...(answered.get(token) ?? []), output]);
        for (const { token, outcome } of waitOutcomes) if (outcome.complete) answer(token, outcome.output);
        for (const { token, output } of releaseOutcomes.flat()) answer(token, output);

        const releasedJobs = new Set(releases.map((r) => r.job));
        gates.forEach((gate, index) => {
          const expected = gate.upstream.every((job) => releasedJobs.has(job))
            ? [Object.fromEntries(gate.upstream.map((job) => [job, resultOf(job)]))]
            : undefined;
          expect(answered.get(tokenOf(index))).toStrictEqual(expected);
        });
      }),
      { numRuns: 1000 },
    );
  });
});
