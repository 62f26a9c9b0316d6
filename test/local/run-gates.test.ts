import { describe, expect, it } from 'vitest';
import { MirroredGateStore } from '../../local/run-gates.js';
import { release, wait } from '../../runtime/gates.js';
import { MemoryGateStore } from '../../runtime/memory-store.js';
import { StoreError, type StoreItem, type StoreKey } from '../../runtime/store.js';

/** A durable store that refuses every batch, as a full disk would. */
class RefusingStore extends MemoryGateStore {
  override async putAll(
    _items: ReadonlyArray<{ readonly key: StoreKey; readonly item: StoreItem }>,
  ): Promise<void> {
    throw new StoreError('disk full');
  }
}

describe('the gates of a local run', () => {
  it("copies each gate and release, as it last was, and not the protocol's markers, by the time flush resolves", async () => {
    // Prepare
    const durable = new MemoryGateStore();
    const gates = new MirroredGateStore(durable);

    // Act
    const outcome = await wait(gates, { runId: 'r1', job: 'd', upstream: ['a', 'b'], token: 't-d' });
    await release(gates, { runId: 'r1', job: 'a', result: { r: 'success', ok: true } });
    const completions = await release(gates, { runId: 'r1', job: 'b', result: { r: 'success', ok: true } });
    await gates.flush();

    // Assess
    expect(outcome).toStrictEqual({ complete: false });
    expect(completions.map((c) => c.token)).toStrictEqual(['t-d']);
    const copied = durable.dump();
    expect(Object.keys(copied).sort()).toStrictEqual(
      Object.keys(
        // What the protocol leaves behind when it runs on the durable store itself.
        await (async () => {
          const direct = new MemoryGateStore();
          await wait(direct, { runId: 'r1', job: 'd', upstream: ['a', 'b'], token: 't-d' });
          await release(direct, { runId: 'r1', job: 'a', result: { r: 'success', ok: true } });
          await release(direct, { runId: 'r1', job: 'b', result: { r: 'success', ok: true } });
          return direct.dump();
        })(),
      )
        .filter((key) => /\/(gate|release)#/.test(key))
        .sort(),
    );
    expect(Object.keys(copied).some((key) => /\/(waiter|counted)#/.test(key))).toBe(false);
    const gate = Object.entries(copied).find(([k]) => k.includes('/gate#'))?.[1];
    expect(gate?.remaining).toBe(0);
  });

  it('answers from memory before the copy is written', async () => {
    // Prepare
    const durable = new MemoryGateStore();
    const gates = new MirroredGateStore(durable);

    // Act
    await gates.putIfAbsent({ pk: 'run#r', sk: 'release#a' }, { job: 'a' });
    const before = durable.dump();
    const read = await gates.get({ pk: 'run#r', sk: 'release#a' });
    await gates.flush();

    // Assess
    expect(before).toStrictEqual({});
    expect(read).toStrictEqual({ job: 'a' });
    expect(durable.dump()).toStrictEqual({ 'run#r/release#a': { job: 'a' } });
  });

  it("fails flush with the durable store's error when a copy is refused", async () => {
    // Prepare
    const gates = new MirroredGateStore(new RefusingStore());

    // Act
    await gates.putIfAbsent({ pk: 'run#r', sk: 'release#a' }, { job: 'a' });

    // Assess
    await expect(gates.flush()).rejects.toThrow('disk full');
  });
});
