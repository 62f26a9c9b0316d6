import type { JsonValue } from '../compiler/asl/types.js';
import { type GateStore, StoreError, type StoreItem, type StoreKey } from './store.js';

/**
 * An in-memory `GateStore` with DynamoDB's single-item atomicity: each operation takes effect at
 * once, between two awaits, so concurrent callers interleave only at operation boundaries.
 * Items are copied in and out, so callers never share state with the store.
 */
export class MemoryGateStore implements GateStore {
  readonly #partitions = new Map<string, Map<string, StoreItem>>();

  async putIfAbsent(key: StoreKey, item: StoreItem): Promise<boolean> {
    const partition = this.#partition(key.pk);
    if (partition.has(key.sk)) return false;
    partition.set(key.sk, structuredClone(item));
    return true;
  }

  async get(key: StoreKey): Promise<StoreItem | undefined> {
    const item = this.#partitions.get(key.pk)?.get(key.sk);
    return item === undefined ? undefined : structuredClone(item);
  }

  async addAndGet(key: StoreKey, field: string, delta: number): Promise<number> {
    const partition = this.#partition(key.pk);
    const item = partition.get(key.sk) ?? {};
    const current: JsonValue = item[field] ?? 0;
    // DynamoDB's ADD refuses a non-numeric attribute the same way (ValidationException).
    if (typeof current !== 'number') {
      throw new StoreError(
        `cannot add to ${key.pk}/${key.sk} field "${field}": it holds a ${typeof current}`,
      );
    }
    const next = current + delta;
    partition.set(key.sk, { ...item, [field]: next });
    return next;
  }

  async query(pk: string, skPrefix: string): Promise<ReadonlyArray<{ key: StoreKey; item: StoreItem }>> {
    const partition = this.#partitions.get(pk);
    if (partition === undefined) return [];
    return [...partition.entries()]
      .filter(([sk]) => sk.startsWith(skPrefix))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([sk, item]) => ({ key: { pk, sk }, item: structuredClone(item) }));
  }

  async putIf(
    key: StoreKey,
    item: StoreItem,
    field: string,
    expected: JsonValue | undefined,
  ): Promise<boolean> {
    const partition = this.#partition(key.pk);
    const current = partition.get(key.sk)?.[field];
    const matches =
      expected === undefined ? current === undefined : JSON.stringify(current) === JSON.stringify(expected);
    if (!matches) return false;
    partition.set(key.sk, structuredClone(item));
    return true;
  }

  async putIfNewer(key: StoreKey, item: StoreItem, field: string): Promise<boolean> {
    const partition = this.#partition(key.pk);
    const current = partition.get(key.sk)?.[field];
    const next = item[field];
    if (typeof next !== 'number')
      throw new StoreError(`putIfNewer: field "${field}" of the new item is not a number`);
    if (typeof current === 'number' && current >= next) return false;
    partition.set(key.sk, structuredClone(item));
    return true;
  }

  async putAll(items: ReadonlyArray<{ readonly key: StoreKey; readonly item: StoreItem }>): Promise<void> {
    for (const { key, item } of items) this.#partition(key.pk).set(key.sk, structuredClone(item));
  }

  async delete(key: StoreKey): Promise<void> {
    this.#partitions.get(key.pk)?.delete(key.sk);
  }

  /** Every item, by `pk/sk`: for tests and debugging. */
  dump(): Record<string, StoreItem> {
    const out: Record<string, StoreItem> = {};
    for (const [pk, partition] of this.#partitions) {
      for (const [sk, item] of partition) out[`${pk}/${sk}`] = structuredClone(item);
    }
    return out;
  }

  #partition(pk: string): Map<string, StoreItem> {
    let partition = this.#partitions.get(pk);
    if (partition === undefined) {
      partition = new Map();
      this.#partitions.set(pk, partition);
    }
    return partition;
  }
}
