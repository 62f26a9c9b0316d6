import {
  type AttributeValue,
  BatchWriteItemCommand,
  CreateTableCommand,
  type CreateTableCommandInput,
  DeleteItemCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  type QueryCommandInput,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { convertToAttr, marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { JsonValue } from '../compiler/asl/types.js';
import { type PagedStore, StoreError, type StoreItem, type StoreKey, type StorePage } from './store.js';

type Attributes = Record<string, AttributeValue>;

export interface DynamoStoreOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** Items per Query page. @default DynamoDB's own limit, 1 MB of items */
  readonly pageSize?: number;
}

/**
 * A `GateStore` on a DynamoDB table keyed by `pk` (hash) and `sk` (range), with the semantics of
 * `MemoryGateStore`: single-item conditional writes only, no transactions, consistent reads.
 * Item fields are top-level attributes; see `attributeName` for fields named like the key.
 */
export class DynamoStore implements PagedStore {
  readonly #client: DynamoDBClient;
  readonly #table: string;
  readonly #pageSize: number | undefined;

  constructor(options: DynamoStoreOptions) {
    this.#client = options.client;
    this.#table = options.tableName;
    this.#pageSize = options.pageSize;
  }

  async putIfAbsent(key: StoreKey, item: StoreItem): Promise<boolean> {
    return this.#conditional('putIfAbsent', key, async () => {
      await this.#client.send(
        new PutItemCommand({
          TableName: this.#table,
          Item: toAttributes(key, item),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    });
  }

  async get(key: StoreKey): Promise<StoreItem | undefined> {
    return this.#run('get', key, async () => {
      const { Item } = await this.#client.send(
        new GetItemCommand({ TableName: this.#table, Key: keyAttributes(key), ConsistentRead: true }),
      );
      return Item === undefined ? undefined : fromAttributes(Item);
    });
  }

  async addAndGet(key: StoreKey, field: string, delta: number): Promise<number> {
    if (!Number.isFinite(delta)) {
      throw new StoreError(`cannot add ${delta} to ${describeKey(key)}: not a finite number`);
    }
    try {
      const { Attributes } = await this.#client.send(
        new UpdateItemCommand({
          TableName: this.#table,
          Key: keyAttributes(key),
          UpdateExpression: 'ADD #f :d',
          ExpressionAttributeNames: { '#f': attributeName(field) },
          ExpressionAttributeValues: { ':d': { N: String(delta) } },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      const value = Attributes?.[attributeName(field)]?.N;
      if (value === undefined) {
        throw new StoreError(`addAndGet ${describeKey(key)}: DynamoDB returned no "${field}"`);
      }
      return Number(value);
    } catch (error) {
      if (error instanceof StoreError) throw error;
      // ADD refuses a non-numeric attribute with a ValidationException; read it to say what it holds.
      const held = errorName(error) === 'ValidationException' ? await this.#heldType(key, field) : undefined;
      if (held !== undefined) {
        throw new StoreError(`cannot add to ${describeKey(key)} field "${field}": it holds a ${held}`);
      }
      throw failure('addAndGet', `${describeKey(key)} in table ${this.#table}`, error);
    }
  }

  async query(pk: string, skPrefix: string): Promise<ReadonlyArray<{ key: StoreKey; item: StoreItem }>> {
    return this.#run('query', { pk, sk: `${skPrefix}*` }, async () => {
      const results: Array<{ key: StoreKey; item: StoreItem }> = [];
      let start: Attributes | undefined;
      do {
        const page = await this.#client.send(
          new QueryCommand({
            TableName: this.#table,
            ...partitionCondition(pk, skPrefix),
            ConsistentRead: true,
            ...(this.#pageSize === undefined ? {} : { Limit: this.#pageSize }),
            ...(start === undefined ? {} : { ExclusiveStartKey: start }),
          }),
        );
        for (const attributes of page.Items ?? []) {
          results.push({ key: { pk, sk: attributes.sk?.S ?? '' }, item: fromAttributes(attributes) });
        }
        start = page.LastEvaluatedKey;
      } while (start !== undefined);
      // DynamoDB orders by UTF-8 bytes, MemoryGateStore by UTF-16 units; they differ past U+FFFF.
      return results.sort((a, b) => (a.key.sk < b.key.sk ? -1 : a.key.sk > b.key.sk ? 1 : 0));
    });
  }

  async queryPage(
    pk: string,
    skPrefix: string,
    options: { readonly limit: number; readonly after?: string; readonly descending?: boolean },
  ): Promise<StorePage> {
    return this.#run('queryPage', { pk, sk: `${skPrefix}*` }, async () => {
      const page = await this.#client.send(
        new QueryCommand({
          TableName: this.#table,
          ...partitionCondition(pk, skPrefix),
          ConsistentRead: true,
          Limit: options.limit,
          ScanIndexForward: options.descending !== true,
          ...(options.after === undefined
            ? {}
            : { ExclusiveStartKey: keyAttributes({ pk, sk: options.after }) }),
        }),
      );
      const items = (page.Items ?? []).map((attributes) => ({
        key: { pk, sk: attributes.sk?.S ?? '' },
        item: fromAttributes(attributes),
      }));
      const after = page.LastEvaluatedKey?.sk?.S;
      return after === undefined ? { items } : { items, after };
    });
  }

  async putIf(
    key: StoreKey,
    item: StoreItem,
    field: string,
    expected: JsonValue | undefined,
  ): Promise<boolean> {
    const condition = new Condition();
    const expression = condition.equals(condition.name(attributeName(field)), expected);
    return this.#conditional('putIf', key, async () => {
      await this.#client.send(
        new PutItemCommand({
          TableName: this.#table,
          Item: toAttributes(key, item),
          ConditionExpression: expression,
          ...condition.parameters(),
        }),
      );
    });
  }

  async putIfNewer(key: StoreKey, item: StoreItem, field: string): Promise<boolean> {
    const next = item[field];
    if (typeof next !== 'number') {
      throw new StoreError(`putIfNewer: field "${field}" of the new item is not a number`);
    }
    return this.#conditional('putIfNewer', key, async () => {
      await this.#client.send(
        new PutItemCommand({
          TableName: this.#table,
          Item: toAttributes(key, item),
          // A stored non-number is replaced, as MemoryGateStore does; `<` alone would keep it.
          ConditionExpression: 'attribute_not_exists(#f) OR NOT attribute_type(#f, :n) OR #f < :v',
          ExpressionAttributeNames: { '#f': attributeName(field) },
          ExpressionAttributeValues: { ':n': { S: 'N' }, ':v': convertToAttr(next) },
        }),
      );
    });
  }

  async delete(key: StoreKey): Promise<void> {
    await this.#run('delete', key, async () => {
      await this.#client.send(new DeleteItemCommand({ TableName: this.#table, Key: keyAttributes(key) }));
    });
  }

  async putAll(items: ReadonlyArray<{ readonly key: StoreKey; readonly item: StoreItem }>): Promise<void> {
    // BatchWriteItem takes 25 items; what DynamoDB leaves unprocessed (throttling) goes again.
    for (let start = 0; start < items.length; start += 25) {
      const first = items[start];
      if (first === undefined) continue;
      await this.#run('putAll', first.key, async () => {
        let requests: Array<{ PutRequest: { Item: Attributes } }> = items
          .slice(start, start + 25)
          .map(({ key, item }) => ({ PutRequest: { Item: toAttributes(key, item) } }));
        for (let round = 0; requests.length > 0; round++) {
          if (round > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** round)));
          const { UnprocessedItems } = await this.#client.send(
            new BatchWriteItemCommand({ RequestItems: { [this.#table]: requests } }),
          );
          requests = (UnprocessedItems?.[this.#table] ?? []) as typeof requests;
          if (round > 10 && requests.length > 0)
            throw new StoreError(`putAll: ${requests.length} items left unprocessed`);
        }
      });
    }
  }

  async #run<T>(operation: string, key: StoreKey, action: () => Promise<T>): Promise<T> {
    try {
      return await action();
    } catch (error) {
      if (error instanceof StoreError) throw error;
      throw failure(operation, `${describeKey(key)} in table ${this.#table}`, error);
    }
  }

  /** Runs a conditional write: false when the condition fails, true when written. */
  async #conditional(operation: string, key: StoreKey, write: () => Promise<void>): Promise<boolean> {
    return this.#run(operation, key, async () => {
      try {
        await write();
        return true;
      } catch (error) {
        // By name, not `instanceof`: a second copy of the SDK would have its own class.
        if (errorName(error) === 'ConditionalCheckFailedException') return false;
        throw error;
      }
    });
  }

  async #heldType(key: StoreKey, field: string): Promise<string | undefined> {
    try {
      const current = (await this.get(key))?.[field];
      return current === undefined || typeof current === 'number' ? undefined : typeof current;
    } catch {
      return undefined;
    }
  }
}

/** The CreateTable input of a store table: `pk`/`sk` strings, billed per request. */
export function tableDefinition(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'S' },
    ],
  };
}

export interface EnsureTableOptions {
  /** How long to wait for the table to become usable. @default 120_000 */
  readonly timeoutMs?: number;
}

/** Creates the store table unless it exists, then waits until it is usable. Idempotent. */
export async function ensureTable(
  client: DynamoDBClient,
  tableName: string,
  options: EnsureTableOptions = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 120_000;
  const deadline = Date.now() + timeoutMs;
  for (let delay = 5; ; delay = Math.min(delay * 2, 1_000)) {
    let status: string | undefined;
    try {
      status = await tableStatus(client, tableName);
      if (status === undefined) status = await createTable(client, tableName);
    } catch (error) {
      throw failure('ensureTable', `table ${tableName}`, error);
    }
    // An UPDATING table serves reads and writes.
    if (status === 'ACTIVE' || status === 'UPDATING') return;
    if (Date.now() >= deadline) {
      throw new StoreError(
        `table ${tableName} is still ${status ?? 'missing'} after ${timeoutMs / 1_000} s; check it in the DynamoDB console`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

async function tableStatus(client: DynamoDBClient, tableName: string): Promise<string | undefined> {
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    return Table?.TableStatus ?? 'ACTIVE';
  } catch (error) {
    if (errorName(error) === 'ResourceNotFoundException') return undefined;
    throw error;
  }
}

async function createTable(client: DynamoDBClient, tableName: string): Promise<string | undefined> {
  try {
    const { TableDescription } = await client.send(new CreateTableCommand(tableDefinition(tableName)));
    return TableDescription?.TableStatus;
  } catch (error) {
    // Another process created it first: wait for it like for our own.
    if (errorName(error) === 'ResourceInUseException') return 'CREATING';
    throw error;
  }
}

/**
 * Builds a condition that `field` holds exactly `expected`. DynamoDB's `=` does not compare lists
 * or maps everywhere (dynalite never matches them), so those are compared element by element.
 */
class Condition {
  readonly #names: Record<string, string> = {};
  readonly #values: Attributes = {};

  name(name: string): string {
    const placeholder = `#n${Object.keys(this.#names).length}`;
    this.#names[placeholder] = name;
    return placeholder;
  }

  value(value: AttributeValue): string {
    const placeholder = `:v${Object.keys(this.#values).length}`;
    this.#values[placeholder] = value;
    return placeholder;
  }

  equals(path: string, expected: JsonValue | undefined): string {
    if (expected === undefined) return `attribute_not_exists(${path})`;
    if (expected === null) return `attribute_type(${path}, ${this.value({ S: 'NULL' })})`;
    if (Array.isArray(expected)) {
      const parts = expected.map((value, index) => this.equals(`${path}[${index}]`, value));
      return this.#join(path, 'L', expected.length, parts);
    }
    if (typeof expected === 'object') {
      const fields = Object.keys(expected);
      const parts = fields.map((field) => this.equals(`${path}.${this.name(field)}`, expected[field]));
      return this.#join(path, 'M', fields.length, parts);
    }
    return `${path} = ${this.value(convertToAttr(expected))}`;
  }

  parameters(): { ExpressionAttributeNames: Record<string, string>; ExpressionAttributeValues?: Attributes } {
    return Object.keys(this.#values).length === 0
      ? { ExpressionAttributeNames: this.#names }
      : { ExpressionAttributeNames: this.#names, ExpressionAttributeValues: this.#values };
  }

  #join(path: string, type: 'L' | 'M', size: number, parts: ReadonlyArray<string>): string {
    const shape = `attribute_type(${path}, ${this.value({ S: type })}) AND size(${path}) = ${this.value({ N: String(size) })}`;
    return [shape, ...parts.map((part) => `(${part})`)].join(' AND ');
  }
}

function keyAttributes(key: StoreKey): Attributes {
  return { pk: { S: key.pk }, sk: { S: key.sk } };
}

function toAttributes(key: StoreKey, item: StoreItem): Attributes {
  const fields: Record<string, JsonValue> = {};
  for (const [field, value] of Object.entries(item)) fields[attributeName(field)] = value;
  return { ...marshall(fields, { removeUndefinedValues: true }), ...keyAttributes(key) };
}

function fromAttributes(attributes: Attributes): StoreItem {
  const { pk: _pk, sk: _sk, ...rest } = attributes;
  const item: Record<string, JsonValue> = {};
  for (const [name, value] of Object.entries(unmarshall(rest))) item[fieldName(name)] = value as JsonValue;
  return item;
}

/**
 * The attribute that holds item field `field`. Fields share the item with the key attributes
 * `pk` and `sk`, so those names, and names that start with `_`, get one more leading `_`.
 */
function attributeName(field: string): string {
  return field === 'pk' || field === 'sk' || field.startsWith('_') ? `_${field}` : field;
}

function fieldName(attribute: string): string {
  return attribute.startsWith('_') ? attribute.slice(1) : attribute;
}

function describeKey(key: StoreKey): string {
  return `${key.pk}/${key.sk}`;
}

function errorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

/** A StoreError that names the operation and its target, with the cause's message (no stack). */
function failure(operation: string, target: string, error: unknown): StoreError {
  return new StoreError(`${operation} ${target} failed: ${errorText(error)}`);
}

/** `Name: message` of an SDK error; Node's own errors (`connect ECONNREFUSED ...`) need no name. */
function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.name === 'Error' || error.message.startsWith(error.name)) return error.message;
  return `${error.name}: ${error.message}`;
}

/** A Query's condition: the partition, and the sort key's prefix when there is one. */
function partitionCondition(
  pk: string,
  skPrefix: string,
): Pick<QueryCommandInput, 'KeyConditionExpression' | 'ExpressionAttributeValues'> {
  // DynamoDB refuses an empty string for a key attribute, even as a prefix.
  if (skPrefix === '')
    return { KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: pk } } };
  return {
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
    ExpressionAttributeValues: { ':pk': { S: pk }, ':p': { S: skPrefix } },
  };
}
