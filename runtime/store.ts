import type { JsonValue } from '../compiler/asl/types.js';

/** A DynamoDB-shaped key: items of one run share a partition, `query` reads one partition. */
export interface StoreKey {
  readonly pk: string;
  readonly sk: string;
}

/** An item's attributes; numbers that `addAndGet` updates live among them. */
export type StoreItem = { readonly [field: string]: JsonValue };

/**
 * What the runtime needs from a key-value store: the subset of DynamoDB that works without
 * transactions (some emulators, dynalite among them, have none). Reads are strongly consistent.
 */
export interface GateStore {
  /** Writes the item unless one exists at `key` (a conditional put); true when written. */
  putIfAbsent(key: StoreKey, item: StoreItem): Promise<boolean>;
  /** The item at `key`, if any. */
  get(key: StoreKey): Promise<StoreItem | undefined>;
  /** Adds `delta` to a numeric field atomically (creating item and field at 0) and returns the new value. */
  addAndGet(key: StoreKey, field: string, delta: number): Promise<number>;
  /** Items of partition `pk` whose sort key starts with `skPrefix`, in sort-key order. */
  query(
    pk: string,
    skPrefix: string,
  ): Promise<ReadonlyArray<{ readonly key: StoreKey; readonly item: StoreItem }>>;
  /**
   * Writes `item` at `key` (replacing it) only when the stored item's `field` equals `expected`;
   * `expected` undefined means the item or the field is absent. True when written.
   */
  putIf(key: StoreKey, item: StoreItem, field: string, expected: JsonValue | undefined): Promise<boolean>;
  /**
   * Writes `item` at `key` (replacing it) unless the stored item's numeric `field` is already at
   * least the new item's: a snapshot rebuilt by racing writers keeps the most complete one.
   */
  putIfNewer(key: StoreKey, item: StoreItem, field: string): Promise<boolean>;
  /** Removes the item at `key`, if any. */
  delete(key: StoreKey): Promise<void>;
  /**
   * Writes every item (replacing what is there), unconditionally and in no particular order:
   * for append-only logs whose keys are unique. Batched where the store can batch.
   */
  putAll(items: ReadonlyArray<{ readonly key: StoreKey; readonly item: StoreItem }>): Promise<void>;
}

/** The store both runtimes keep gates, approvals and run records in. */
export type Store = GateStore;

/** One page of a partition, and where the next starts (the last sort key read), if any. */
export interface StorePage {
  readonly items: ReadonlyArray<{ readonly key: StoreKey; readonly item: StoreItem }>;
  readonly after?: string;
}

/** A store that reads a partition a page at a time, in either order (the runs API's lists). */
export interface PagedStore extends Store {
  /**
   * At most `limit` items of `pk` whose sort key starts with `skPrefix`, after sort key `after`
   * (exclusive) in the order asked: `descending` reads the newest of time-ordered keys first.
   */
  queryPage(
    pk: string,
    skPrefix: string,
    options: { readonly limit: number; readonly after?: string; readonly descending?: boolean },
  ): Promise<StorePage>;
}

/** Why a store refused an operation; `code` is stable. */
export class StoreError extends Error {
  readonly code: 'WF9101';

  constructor(message: string) {
    super(message);
    this.name = 'Waterflow.StoreError';
    this.code = 'WF9101';
  }
}
