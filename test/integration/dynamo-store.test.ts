import {
  DescribeTableCommand,
  type DynamoDBClient,
  GetItemCommand,
  ListTablesCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { DynamoStore, ensureTable, tableDefinition } from '../../runtime/dynamo-store.js';
import { StoreError } from '../../runtime/store.js';
import { startDynalite, type TestDynamo } from './support/dynalite.js';

// What only the DynamoDB store has: the table, pages, SDK errors. The shared behaviour is in
// store-contract.test.ts.

let dynamo: TestDynamo;

beforeAll(async () => {
  dynamo = await startDynalite();
});

afterAll(async () => {
  await dynamo.close();
});

afterEach(() => {
  vi.restoreAllMocks();
});

async function newStore(pageSize?: number): Promise<DynamoStore> {
  const tableName = await dynamo.newTable();
  return new DynamoStore({
    client: dynamo.client,
    tableName,
    ...(pageSize === undefined ? {} : { pageSize }),
  });
}

/** Counts the Query requests the client sends from now on. */
function countQueries(client: DynamoDBClient): () => number {
  const send = vi.spyOn(client, 'send');
  return () => send.mock.calls.filter(([command]) => command instanceof QueryCommand).length;
}

describe('DynamoStore', () => {
  it('describes the table as pk and sk strings, billed per request', () => {
    // Act
    const definition = tableDefinition('waterflow');

    // Assess
    expect(definition).toStrictEqual({
      TableName: 'waterflow',
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
    });
  });

  it('creates a missing table, waits until it is active, and leaves an existing one alone', async () => {
    // Prepare
    const store = new DynamoStore({ client: dynamo.client, tableName: 'ensure-me' });

    // Act
    await ensureTable(dynamo.client, 'ensure-me');
    await store.putIfAbsent({ pk: 'p', sk: 's' }, { kept: true });
    await Promise.all([ensureTable(dynamo.client, 'ensure-me'), ensureTable(dynamo.client, 'ensure-me')]);

    // Assess
    const { Table } = await dynamo.client.send(new DescribeTableCommand({ TableName: 'ensure-me' }));
    const { TableNames } = await dynamo.client.send(new ListTablesCommand({}));
    expect(Table?.TableStatus).toBe('ACTIVE');
    expect(TableNames?.filter((name) => name === 'ensure-me')).toStrictEqual(['ensure-me']);
    expect(await store.get({ pk: 'p', sk: 's' })).toStrictEqual({ kept: true });
  });

  it('lets concurrent callers create the same table', async () => {
    // Act
    await Promise.all(Array.from({ length: 5 }, () => ensureTable(dynamo.client, 'raced')));

    // Assess
    const { Table } = await dynamo.client.send(new DescribeTableCommand({ TableName: 'raced' }));
    expect(Table?.TableStatus).toBe('ACTIVE');
  });

  it('follows LastEvaluatedKey past the 1 MB pages of a query', async () => {
    // Prepare
    const tableName = await dynamo.newTable();
    const big = new DynamoStore({ client: dynamo.client, tableName });
    const sks = Array.from({ length: 14 }, (_, i) => `blob#${String(i).padStart(2, '0')}`);
    for (const sk of sks) await big.putIfAbsent({ pk: 'run#1', sk }, { data: 'x'.repeat(100_000) });
    const firstPage = await dynamo.client.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: 'run#1' } },
      }),
    );
    const queries = countQueries(dynamo.client);

    // Act
    const found = await big.query('run#1', 'blob#');

    // Assess
    expect(firstPage.LastEvaluatedKey).toBeDefined();
    expect(firstPage.Items?.length).toBeLessThan(sks.length);
    expect(found.map((entry) => entry.key.sk)).toStrictEqual(sks);
    expect(found.every((entry) => entry.item.data === 'x'.repeat(100_000))).toBe(true);
    expect(queries()).toBe(2);
  });

  it('reads every page when a page size is set', async () => {
    // Prepare
    const store = await newStore(3);
    const sks = Array.from({ length: 10 }, (_, i) => `event#${i}`);
    for (const sk of sks) await store.putIfAbsent({ pk: 'run#1', sk }, { sk });
    await store.putIfAbsent({ pk: 'run#1', sk: 'other' }, {});
    const queries = countQueries(dynamo.client);

    // Act
    const found = await store.query('run#1', 'event#');

    // Assess
    expect(found.map((entry) => entry.key.sk)).toStrictEqual(sks);
    expect(queries()).toBe(4);
  });

  it('orders sort keys as MemoryGateStore does, also past U+FFFF', async () => {
    // Prepare
    const store = await newStore();
    // UTF-8 puts the emoji (U+1F600) after U+FF5E; UTF-16 puts it before.
    for (const sk of ['k#\u{FF5E}', 'k#\u{1F600}', 'k#a']) await store.putIfAbsent({ pk: 'p', sk }, {});

    // Act
    const found = await store.query('p', 'k#');

    // Assess
    expect(found.map((entry) => entry.key.sk)).toStrictEqual(['k#a', 'k#\u{1F600}', 'k#\u{FF5E}']);
  });

  it('keeps the key in the key attributes and the fields beside them', async () => {
    // Prepare
    const store = await newStore();
    const tableName = await dynamo.newTable();
    const raw = new DynamoStore({ client: dynamo.client, tableName });

    // Act
    await raw.putIfAbsent({ pk: 'run#1', sk: 'gate#d' }, { pk: 'field', remaining: 2 });

    // Assess
    const { Item } = await dynamo.client.send(
      new GetItemCommand({ TableName: tableName, Key: { pk: { S: 'run#1' }, sk: { S: 'gate#d' } } }),
    );
    expect(Item).toStrictEqual({
      pk: { S: 'run#1' },
      sk: { S: 'gate#d' },
      _pk: { S: 'field' },
      remaining: { N: '2' },
    });
    expect(await store.get({ pk: 'run#1', sk: 'gate#d' })).toBeUndefined();
  });

  it('turns a failed request into a StoreError naming the operation, key and table', async () => {
    // Prepare
    const store = new DynamoStore({ client: dynamo.client, tableName: 'no-such-table' });

    // Act
    const reading = store.get({ pk: 'run#1', sk: 'gate#d' });
    const writing = store.putIfAbsent({ pk: 'run#1', sk: 'gate#d' }, {});
    const querying = store.query('run#1', 'waiter#');

    // Assess
    await expect(reading).rejects.toThrow(StoreError);
    await expect(reading).rejects.toThrowErrorMatchingInlineSnapshot(
      `[Waterflow.StoreError: get run#1/gate#d in table no-such-table failed: ResourceNotFoundException: Requested resource not found]`,
    );
    await expect(writing).rejects.toThrow(/^putIfAbsent run#1\/gate#d in table no-such-table failed: /);
    await expect(querying).rejects.toThrow(/^query run#1\/waiter#\* in table no-such-table failed: /);
  });

  it('turns an unreachable server into a StoreError with the connection error', async () => {
    // Prepare
    const { localDbClient } = await import('../../local/db.js');
    const client = localDbClient('http://127.0.0.1:9');
    const store = new DynamoStore({ client, tableName: 't' });

    // Act
    const adding = store.addAndGet({ pk: 'p', sk: 's' }, 'n', 1);

    // Assess
    await expect(adding).rejects.toThrow(/^addAndGet p\/s in table t failed: .*ECONNREFUSED/);
    client.destroy();
  });

  it('refuses a delta that is not a finite number', async () => {
    // Prepare
    const store = await newStore();

    // Act
    const adding = store.addAndGet({ pk: 'p', sk: 's' }, 'n', Number.NaN);

    // Assess
    await expect(adding).rejects.toThrowErrorMatchingInlineSnapshot(
      `[Waterflow.StoreError: cannot add NaN to p/s: not a finite number]`,
    );
  });
});
