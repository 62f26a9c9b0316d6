import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { localDbClient } from '../../../local/db.js';
import { ensureTable } from '../../../runtime/dynamo-store.js';

type Dynalite = (options: {
  path: string;
  createTableMs: number;
  deleteTableMs: number;
  updateTableMs: number;
}) => Server;

/** A dynalite server on loopback with its LevelDB in a temporary directory. */
export interface TestDynamo {
  readonly client: DynamoDBClient;
  /** The server's URL, for clients a test does not build itself (`AWS_ENDPOINT_URL_DYNAMODB`). */
  readonly endpoint: string;
  /** Creates an empty table with the store's key schema and returns its name. */
  newTable(): Promise<string>;
  /** Stops the server and removes its directory. */
  close(): Promise<void>;
}

export async function startDynalite(): Promise<TestDynamo> {
  const dir = await mkdtemp(join(tmpdir(), 'waterflow-dynalite-'));
  const dynalite = createRequire(import.meta.url)('dynalite') as Dynalite;
  const server = dynalite({ path: join(dir, 'db'), createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = localDbClient(endpoint);
  let tables = 0;
  return {
    client,
    endpoint,
    async newTable() {
      tables += 1;
      const name = `store-test-${tables}`;
      await ensureTable(client, name);
      return name;
    },
    async close() {
      client.destroy();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await rm(dir, { recursive: true, force: true });
    },
  };
}
