import type { JsonValue } from '../compiler/asl/types.js';
import { type GateStore, StoreError, type StoreItem, type StoreKey } from './store.js';

/**
 * An in-memory `GateStore` with DynamoDB's single-item atomicity: each operation takes effect at
 * once, between two awaits, so concurrent callers interleave only at operation boundaries.
 * Items are copied in and out, so callers never share state with the store.
 */
export class MemoryGateStore implements GateStore {
  readonly #partitions = new Map<string, Partition>();

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
    return [...partition.keysWithPrefix(skPrefix)]
      .sort()
      .map((sk) => ({ key: { pk, sk }, item: structuredClone(partition.get(sk) as StoreItem) }));
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
      for (const [sk, item] of partition.entries()) out[`${pk}/${sk}`] = structuredClone(item);
    }
    return out;
  }

  #partition(pk: string): Partition {
    let partition = this.#partitions.get(pk);
    if (partition === undefined) {
      partition = new Partition();
      this.#partitions.set(pk, partition);
    }
    return partition;
  }
}

/**
 * One partition's items, with the sort keys indexed by each prefix that ends in `#`: the gates
 * query `waiter#<job>#` once per released job, and scanning the run's whole partition each time
 * made a 1,000-job run quadratic.
 */
class Partition {
  readonly #items = new Map<string, StoreItem>();
  readonly #byPrefix = new Map<string, Set<string>>();

  has(sk: string): boolean {
    return this.#items.has(sk);
  }

  get(sk: string): StoreItem | undefined {
    return this.#items.get(sk);
  }

  set(sk: string, item: StoreItem): void {
    if (!this.#items.has(sk)) {
      for (const prefix of hashPrefixes(sk)) {
        let keys = this.#byPrefix.get(prefix);
        if (keys === undefined) {
          keys = new Set();
          this.#byPrefix.set(prefix, keys);
        }
        keys.add(sk);
      }
    }
    this.#items.set(sk, item);
  }

  delete(sk: string): void {
    if (!this.#items.delete(sk)) return;
    for (const prefix of hashPrefixes(sk)) this.#byPrefix.get(prefix)?.delete(sk);
  }

  keysWithPrefix(prefix: string): Iterable<string> {
    if (prefix.endsWith('#')) return this.#byPrefix.get(prefix) ?? [];
    return [...this.#items.keys()].filter((sk) => sk.startsWith(prefix));
  }

  entries(): IterableIterator<[string, StoreItem]> {
    return this.#items.entries();
  }
}

function hashPrefixes(sk: string): string[] {
  const prefixes: string[] = [];
  for (let i = sk.indexOf('#'); i >= 0; i = sk.indexOf('#', i + 1)) prefixes.push(sk.slice(0, i + 1));
  return prefixes;
}
