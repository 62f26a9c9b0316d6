import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { JsonValue } from '../../compiler/asl/types.js';
import { MirroredGateStore } from '../../local/run-gates.js';
import { DynamoStore } from '../../runtime/dynamo-store.js';
import { MemoryGateStore } from '../../runtime/memory-store.js';
import { type GateStore, StoreError, type StoreItem } from '../../runtime/store.js';
import { startDynalite, type TestDynamo } from './support/dynalite.js';

// One behavioural suite for every store: MemoryGateStore's semantics are the contract.

let dynamo: TestDynamo;
/** Mirrored stores copy behind the test's back: each copy must land before dynalite stops. */
const mirrored: MirroredGateStore[] = [];

afterEach(async () => {
  await Promise.all(mirrored.splice(0).map((store) => store.flush()));
});

beforeAll(async () => {
  dynamo = await startDynalite();
});

afterAll(async () => {
  await dynamo.close();
});

const implementations: ReadonlyArray<{ name: string; make: () => Promise<GateStore> }> = [
  { name: 'MemoryGateStore', make: async () => new MemoryGateStore() },
  {
    name: 'DynamoStore on dynalite',
    make: async () => new DynamoStore({ client: dynamo.client, tableName: await dynamo.newTable() }),
  },
  {
    name: "MirroredGateStore over dynalite (a local run's gates)",
    make: async () => {
      const store = new MirroredGateStore(
        new DynamoStore({ client: dynamo.client, tableName: await dynamo.newTable() }),
      );
      mirrored.push(store);
      return store;
    },
  },
];

const key = { pk: 'run#1', sk: 'gate#a' };

describe.each(implementations)('$name', ({ make }) => {
  describe('putIfAbsent and get', () => {
    it('writes an item where there is none and refuses to overwrite it', async () => {
      // Prepare
      const store = await make();

      // Act
      const first = await store.putIfAbsent(key, { v: 1 });
      const second = await store.putIfAbsent(key, { v: 2 });

      // Assess
      expect([first, second]).toStrictEqual([true, false]);
      expect(await store.get(key)).toStrictEqual({ v: 1 });
    });

    it('returns an item as written, with nested lists, maps, nulls, booleans and empty strings', async () => {
      // Prepare
      const store = await make();
      const item: StoreItem = {
        text: 'a',
        empty: '',
        count: -2.5,
        flag: false,
        nothing: null,
        list: [1, 'two', [true], { deep: null }],
        map: { r: 'success', ok: true, o: { k: 'v' } },
        none: [],
        bare: {},
      };

      // Act
      await store.putIfAbsent(key, item);

      // Assess
      expect(await store.get(key)).toStrictEqual(item);
    });

    it('returns nothing for a missing item', async () => {
      // Prepare
      const store = await make();

      // Act
      const item = await store.get(key);

      // Assess
      expect(item).toBeUndefined();
    });

    it('keeps items apart by partition and sort key', async () => {
      // Prepare
      const store = await make();

      // Act
      await store.putIfAbsent({ pk: 'p1', sk: 's' }, { at: 'p1/s' });
      await store.putIfAbsent({ pk: 'p2', sk: 's' }, { at: 'p2/s' });
      await store.putIfAbsent({ pk: 'p1', sk: 't' }, { at: 'p1/t' });

      // Assess
      expect(await store.get({ pk: 'p1', sk: 's' })).toStrictEqual({ at: 'p1/s' });
      expect(await store.get({ pk: 'p2', sk: 's' })).toStrictEqual({ at: 'p2/s' });
      expect(await store.get({ pk: 'p1', sk: 't' })).toStrictEqual({ at: 'p1/t' });
    });

    it('lets exactly one of many concurrent writers create an item', async () => {
      // Prepare
      const store = await make();

      // Act
      const won = await Promise.all(
        Array.from({ length: 20 }, (_, writer) => store.putIfAbsent(key, { writer })),
      );

      // Assess
      expect(won.filter(Boolean)).toHaveLength(1);
      expect(await store.get(key)).toStrictEqual({ writer: won.indexOf(true) });
    });

    it('keeps item fields named like key attributes apart from the key', async () => {
      // Prepare
      const store = await make();
      const item = { pk: 'field', sk: 'field', _pk: 1, __x: 2, ok: true };

      // Act
      await store.putIfAbsent(key, item);
      const moved = await store.putIf(key, { ...item, pk: 'moved' }, 'pk', 'field');
      const counted = await store.addAndGet(key, 'sk_count', 1);

      // Assess
      expect([moved, counted]).toStrictEqual([true, 1]);
      expect(await store.get(key)).toStrictEqual({ ...item, pk: 'moved', sk_count: 1 });
      expect(await store.query(key.pk, '')).toStrictEqual([
        { key, item: { ...item, pk: 'moved', sk_count: 1 } },
      ]);
    });

    it('hands out copies, so that changing a returned item changes nothing stored', async () => {
      // Prepare
      const store = await make();
      await store.putIfAbsent(key, { list: [1], map: { a: 1 } });
      const read = (await store.get(key)) as { list: number[]; map: Record<string, number> };

      // Act
      read.list.push(2);
      read.map.b = 2;

      // Assess
      expect(await store.get(key)).toStrictEqual({ list: [1], map: { a: 1 } });
    });
  });

  describe('putAll', () => {
    it('writes every item of a list longer than one batch, replacing what was there', async () => {
      const store = await make();
      const pk = `putall-${Math.random()}`;
      await store.putIfAbsent({ pk, sk: 'e#00' }, { v: 'old' });
      const items = Array.from({ length: 60 }, (_, i) => ({
        key: { pk, sk: `e#${String(i).padStart(2, '0')}` },
        item: { v: i },
      }));

      await store.putAll(items);

      const stored = await store.query(pk, 'e#');
      expect(stored.map(({ item }) => item.v)).toStrictEqual(items.map((_, i) => i));
    });
  });

  describe('addAndGet', () => {
    it('starts a missing item at zero and returns each new value', async () => {
      // Prepare
      const store = await make();

      // Act
      const values = [
        await store.addAndGet(key, 'remaining', 3),
        await store.addAndGet(key, 'remaining', -1),
        await store.addAndGet(key, 'remaining', -2),
      ];

      // Assess
      expect(values).toStrictEqual([3, 2, 0]);
      expect(await store.get(key)).toStrictEqual({ remaining: 0 });
    });

    it('adds to a field of an existing item and keeps its other fields', async () => {
      // Prepare
      const store = await make();
      await store.putIfAbsent(key, { job: 'd', remaining: 2 });

      // Act
      const value = await store.addAndGet(key, 'remaining', -1);

      // Assess
      expect(value).toBe(1);
      expect(await store.get(key)).toStrictEqual({ job: 'd', remaining: 1 });
    });

    it('starts a missing field of an existing item at zero', async () => {
      // Prepare
      const store = await make();
      await store.putIfAbsent(key, { job: 'd' });

      // Act
      const value = await store.addAndGet(key, 'approvals', 1);

      // Assess
      expect(value).toBe(1);
      expect(await store.get(key)).toStrictEqual({ job: 'd', approvals: 1 });
    });

    it('refuses to add to a field that holds a string, naming the key and the field', async () => {
      // Prepare
      const store = await make();
      await store.putIfAbsent(key, { remaining: 'two' });

      // Act
      const adding = store.addAndGet(key, 'remaining', 1);

      // Assess
      await expect(adding).rejects.toThrow(StoreError);
      await expect(adding).rejects.toThrowErrorMatchingInlineSnapshot(
        `[Waterflow.StoreError: cannot add to run#1/gate#a field "remaining": it holds a string]`,
      );
    });

    it('counts every one of many concurrent increments once', async () => {
      // Prepare
      const store = await make();

      // Act
      const values = await Promise.all(Array.from({ length: 30 }, () => store.addAndGet(key, 'n', 1)));

      // Assess
      expect([...values].sort((a, b) => a - b)).toStrictEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    });
  });

  describe('query', () => {
    it('returns the items of one partition whose sort key has the prefix, in sort-key order', async () => {
      // Prepare
      const store = await make();
      for (const sk of [
        'waiter#b#2',
        'waiter#a#2',
        'waiter#a#10',
        'waiter#a#1',
        'waiter#',
        'gate#x',
        'waiter#aa',
      ]) {
        await store.putIfAbsent({ pk: 'run#1', sk }, { sk });
      }
      await store.putIfAbsent({ pk: 'run#2', sk: 'waiter#a#1' }, { other: true });

      // Act
      const found = await store.query('run#1', 'waiter#a#');

      // Assess
      expect(found).toStrictEqual([
        { key: { pk: 'run#1', sk: 'waiter#a#1' }, item: { sk: 'waiter#a#1' } },
        { key: { pk: 'run#1', sk: 'waiter#a#10' }, item: { sk: 'waiter#a#10' } },
        { key: { pk: 'run#1', sk: 'waiter#a#2' }, item: { sk: 'waiter#a#2' } },
      ]);
    });

    it('returns the whole partition for an empty prefix', async () => {
      // Prepare
      const store = await make();
      for (const sk of ['c', 'a', 'b']) await store.putIfAbsent({ pk: 'runs', sk }, {});

      // Act
      const found = await store.query('runs', '');

      // Assess
      expect(found.map((entry) => entry.key.sk)).toStrictEqual(['a', 'b', 'c']);
    });

    it('returns nothing for a partition without items or a prefix without matches', async () => {
      // Prepare
      const store = await make();
      await store.putIfAbsent({ pk: 'runs', sk: 'a' }, {});

      // Act
      const none = await store.query('nobody', '');
      const unmatched = await store.query('runs', 'b');

      // Assess
      expect([none, unmatched]).toStrictEqual([[], []]);
    });

    it('returns a partition of many items, all in sort-key order', async () => {
      // Prepare
      const store = await make();
      const sks = Array.from({ length: 150 }, (_, i) => `event#${String(i).padStart(4, '0')}`);
      await Promise.all(
        sks.map((sk) => store.putIfAbsent({ pk: 'run#1', sk }, { sk, pad: 'x'.repeat(100) })),
      );

      // Act
      const found = await store.query('run#1', 'event#');

      // Assess
      expect(found.map((entry) => entry.key.sk)).toStrictEqual(sks);
    });
  });

  describe('putIf', () => {
    it('replaces the item only while the field holds the expected value', async () => {
      // Prepare
      const store = await make();
      await store.putIfAbsent(key, { status: 'waiting', by: 'nobody' });

      // Act
      const stale = await store.putIf(key, { status: 'approved', by: 'x' }, 'status', 'rejected');
      const fresh = await store.putIf(key, { status: 'approved', by: 'y' }, 'status', 'waiting');
      const again = await store.putIf(key, { status: 'approved', by: 'z' }, 'status', 'waiting');

      // Assess
      expect([stale, fresh, again]).toStrictEqual([false, true, false]);
      expect(await store.get(key)).toStrictEqual({ status: 'approved', by: 'y' });
    });

    it('with no expected value, writes only where the item or its field is absent', async () => {
      // Prepare
      const store = await make();
      const other = { pk: 'run#1', sk: 'other' };
      await store.putIfAbsent(other, { unrelated: 1 });

      // Act
      const missingItem = await store.putIf(key, { status: 'waiting' }, 'status', undefined);
      const presentField = await store.putIf(key, { status: 'again' }, 'status', undefined);
      const missingField = await store.putIf(other, { status: 'waiting' }, 'status', undefined);

      // Assess
      expect([missingItem, presentField, missingField]).toStrictEqual([true, false, true]);
      expect(await store.get(key)).toStrictEqual({ status: 'waiting' });
      expect(await store.get(other)).toStrictEqual({ status: 'waiting' });
    });

    it('refuses an expected value when the item is missing', async () => {
      // Prepare
      const store = await make();

      // Act
      const written = await store.putIf(key, { status: 'approved' }, 'status', 'waiting');

      // Assess
      expect(written).toBe(false);
      expect(await store.get(key)).toBeUndefined();
    });

    const cases: ReadonlyArray<{ stored: JsonValue; expected: JsonValue; matches: boolean }> = [
      { stored: null, expected: null, matches: true },
      { stored: 'null', expected: null, matches: false },
      { stored: true, expected: true, matches: true },
      { stored: true, expected: 'true', matches: false },
      { stored: 1, expected: 1, matches: true },
      { stored: 1, expected: '1', matches: false },
      { stored: 2.5, expected: 2.5, matches: true },
      { stored: '', expected: '', matches: true },
      { stored: [1, 'a'], expected: [1, 'a'], matches: true },
      { stored: [1, 'a'], expected: [1], matches: false },
      { stored: [1], expected: [1, 'a'], matches: false },
      { stored: [], expected: [], matches: true },
      { stored: [], expected: {}, matches: false },
      { stored: { a: 1, b: [null] }, expected: { a: 1, b: [null] }, matches: true },
      { stored: { a: 1, b: 2 }, expected: { a: 1 }, matches: false },
      { stored: { a: 1 }, expected: { a: 1, b: 2 }, matches: false },
      { stored: { a: { b: 'c' } }, expected: { a: { b: 'd' } }, matches: false },
      { stored: {}, expected: {}, matches: true },
    ];

    it.each(cases)(
      'compares $stored with $expected as values: $matches',
      async ({ stored, expected, matches }) => {
        // Prepare
        const store = await make();
        await store.putIfAbsent(key, { f: stored });

        // Act
        const written = await store.putIf(key, { f: 'replaced' }, 'f', expected);

        // Assess
        expect(written).toBe(matches);
        expect(await store.get(key)).toStrictEqual({ f: matches ? 'replaced' : stored });
      },
    );

    it('lets only one of two writers that expect the same value win', async () => {
      // Prepare
      const store = await make();
      await store.putIfAbsent(key, { status: 'waiting' });

      // Act
      const won = await Promise.all([
        store.putIf(key, { status: 'approved' }, 'status', 'waiting'),
        store.putIf(key, { status: 'rejected' }, 'status', 'waiting'),
      ]);

      // Assess
      expect(won.filter(Boolean)).toHaveLength(1);
      expect(await store.get(key)).toStrictEqual({ status: won[0] === true ? 'approved' : 'rejected' });
    });
  });

  describe('putIfNewer', () => {
    it('writes over a missing item or a smaller field and keeps a newer or equal one', async () => {
      // Prepare
      const store = await make();

      // Act
      const results = [
        await store.putIfNewer(key, { seq: 2, s: 'two' }, 'seq'),
        await store.putIfNewer(key, { seq: 1, s: 'one' }, 'seq'),
        await store.putIfNewer(key, { seq: 2, s: 'two again' }, 'seq'),
        await store.putIfNewer(key, { seq: 3, s: 'three' }, 'seq'),
      ];

      // Assess
      expect(results).toStrictEqual([true, false, false, true]);
      expect(await store.get(key)).toStrictEqual({ seq: 3, s: 'three' });
    });

    it('writes over an item whose field is missing or not a number', async () => {
      // Prepare
      const store = await make();
      const other = { pk: 'run#1', sk: 'other' };
      await store.putIfAbsent(key, { seq: 'ten' });
      await store.putIfAbsent(other, { unrelated: true });

      // Act
      const overString = await store.putIfNewer(key, { seq: 1 }, 'seq');
      const overMissing = await store.putIfNewer(other, { seq: 1 }, 'seq');

      // Assess
      expect([overString, overMissing]).toStrictEqual([true, true]);
      expect(await store.get(key)).toStrictEqual({ seq: 1 });
      expect(await store.get(other)).toStrictEqual({ seq: 1 });
    });

    it('refuses a new item whose field is not a number', async () => {
      // Prepare
      const store = await make();

      // Act
      const writing = store.putIfNewer(key, { seq: '1' }, 'seq');

      // Assess
      await expect(writing).rejects.toThrowErrorMatchingInlineSnapshot(
        `[Waterflow.StoreError: putIfNewer: field "seq" of the new item is not a number]`,
      );
    });

    it('keeps the newest of many racing writers', async () => {
      // Prepare
      const store = await make();
      const versions = [7, 3, 19, 1, 12, 20, 5, 16, 9, 2, 14, 18, 4, 11, 6, 17, 10, 8, 15, 13];

      // Act
      const won = await Promise.all(versions.map((seq) => store.putIfNewer(key, { seq }, 'seq')));

      // Assess
      expect(won[versions.indexOf(20)]).toBe(true);
      expect(await store.get(key)).toStrictEqual({ seq: 20 });
    });
  });

  describe('delete', () => {
    it('removes an item, and removing a missing one is no error', async () => {
      // Prepare
      const store = await make();
      await store.putIfAbsent(key, { v: 1 });

      // Act
      await store.delete(key);
      await store.delete(key);

      // Assess
      expect(await store.get(key)).toBeUndefined();
      expect(await store.putIfAbsent(key, { v: 2 })).toBe(true);
    });
  });
});
