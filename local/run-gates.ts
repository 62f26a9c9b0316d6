import type { JsonValue } from '../compiler/asl/types.js';
import { isGateRecord } from '../runtime/gates.js';
import { MemoryGateStore } from '../runtime/memory-store.js';
import type { GateStore, Store, StoreItem, StoreKey } from '../runtime/store.js';

/** How long written items wait before they are copied, in milliseconds. */
const COPY_EVERY_MS = 100;

/**
 * The store a local run's gates use: answered from memory, copied to the durable store behind.
 *
 * In AWS many Lambda invocations race on a run's gates, so they need DynamoDB's conditional
 * writes. Locally one process runs the whole run and nothing else reads its gates: a rerun is a
 * new run with gates of its own, and a run whose process died is over. So the gate protocol
 * (runtime/gates.ts, unchanged) runs against memory, with DynamoDB's single-item atomicity, and
 * the items that say what happened (each gate and each job's release with its result, not the
 * protocol's index and count markers) reach the local database in batches. Going
 * through dynalite for each of the protocol's several operations per job cost about 7 ms per
 * job (bench/LOCAL.md); this costs what the memory store does.
 *
 * A write that the durable store refuses fails the next `flush()`, which the engine calls before
 * it ends the run.
 */
export class MirroredGateStore implements GateStore {
  readonly #memory = new MemoryGateStore();
  readonly #durable: Store;
  /** Items written since the last copy, by `pk/sk`: a later write of the same item replaces it. */
  readonly #dirty = new Map<string, { readonly key: StoreKey; readonly item: StoreItem | undefined }>();
  #copying: Promise<void> = Promise.resolve();
  #scheduled = false;
  #failure: unknown;

  constructor(durable: Store) {
    this.#durable = durable;
  }

  async putIfAbsent(key: StoreKey, item: StoreItem): Promise<boolean> {
    const written = await this.#memory.putIfAbsent(key, item);
    if (written) this.#mark(key, item);
    return written;
  }

  get(key: StoreKey): Promise<StoreItem | undefined> {
    return this.#memory.get(key);
  }

  async addAndGet(key: StoreKey, field: string, delta: number): Promise<number> {
    const value = await this.#memory.addAndGet(key, field, delta);
    this.#mark(key, await this.#memory.get(key));
    return value;
  }

  query(
    pk: string,
    skPrefix: string,
  ): Promise<ReadonlyArray<{ readonly key: StoreKey; readonly item: StoreItem }>> {
    return this.#memory.query(pk, skPrefix);
  }

  async putIf(
    key: StoreKey,
    item: StoreItem,
    field: string,
    expected: JsonValue | undefined,
  ): Promise<boolean> {
    const written = await this.#memory.putIf(key, item, field, expected);
    if (written) this.#mark(key, item);
    return written;
  }

  async putIfNewer(key: StoreKey, item: StoreItem, field: string): Promise<boolean> {
    const written = await this.#memory.putIfNewer(key, item, field);
    if (written) this.#mark(key, item);
    return written;
  }

  async delete(key: StoreKey): Promise<void> {
    await this.#memory.delete(key);
    this.#mark(key, undefined);
  }

  async putAll(items: ReadonlyArray<{ readonly key: StoreKey; readonly item: StoreItem }>): Promise<void> {
    await this.#memory.putAll(items);
    for (const { key, item } of items) this.#mark(key, item);
  }

  /** Resolves once every write so far is in the durable store; rejects with the first that failed. */
  async flush(): Promise<void> {
    this.#copy();
    await this.#copying;
    if (this.#failure !== undefined) throw this.#failure;
  }

  #mark(key: StoreKey, item: StoreItem | undefined): void {
    if (!isGateRecord(key)) return;
    this.#dirty.set(`${key.pk}\u0000${key.sk}`, { key, item });
    if (this.#scheduled) return;
    this.#scheduled = true;
    // A copy at most every COPY_EVERY_MS: each call to dynalite costs about a millisecond of CPU
    // whatever its size, and a gate's counter changes several times before it settles.
    setTimeout(() => this.#copy(), COPY_EVERY_MS).unref?.();
  }

  #copy(): void {
    this.#scheduled = false;
    if (this.#dirty.size === 0) return;
    const batch = [...this.#dirty.values()];
    this.#dirty.clear();
    this.#copying = this.#copying.then(async () => {
      if (this.#failure !== undefined) return;
      try {
        const puts: Array<{ key: StoreKey; item: StoreItem }> = [];
        for (const { key, item } of batch) {
          if (item === undefined) await this.#durable.delete(key);
          else puts.push({ key, item });
        }
        if (puts.length > 0) await this.#durable.putAll(puts);
      } catch (error) {
        // Kept for flush(): a lost copy must not become an unhandled rejection mid-run.
        this.#failure = error;
      }
    });
  }
}
