import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Context } from 'aws-lambda';
import { root } from './files.js';

/** A Lambda context as the runtime passes it, for handlers invoked in-process. */
export function lambdaContext(functionName: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:eu-west-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: '2026/11/22/[$LATEST]abcdef',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** An event fixture, `test/events/<source>/<name>.json`, parsed afresh for each call. */
export function loadEvent<T>(source: string, name: string): T {
  return JSON.parse(readFileSync(join(root, 'test/events', source, `${name}.json`), 'utf8')) as T;
}

/**
 * The environment a handler module reads when it is imported: the store table on a loopback
 * DynamoDB (dynalite), dummy credentials, no shared config files, so that no real account is used.
 */
export function handlerEnv(
  dynamoEndpoint: string,
  tableName: string,
  extra: Record<string, string> = {},
): void {
  Object.assign(process.env, {
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'test-access-key',
    AWS_SECRET_ACCESS_KEY: 'test-secret-key',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint,
    TABLE_NAME: tableName,
    // Quiet by default; a test that reads the logs turns them up.
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_METRICS_DISABLED: 'true',
    ...extra,
  });
}

/** Everything written to stdout and stderr while `action` runs (Powertools logs and metrics go there). */
export async function captureOutput<T>(action: () => Promise<T>): Promise<{ result: T; output: string }> {
  const chunks: string[] = [];
  const original = { out: process.stdout.write, err: process.stderr.write };
  // Kept, not echoed: the handlers' expected error lines would read as failures in the test log.
  const tap = (chunk: string | Uint8Array): boolean => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  };
  process.stdout.write = tap as typeof process.stdout.write;
  process.stderr.write = tap as typeof process.stderr.write;
  try {
    const result = await action();
    return { result, output: chunks.join('') };
  } finally {
    process.stdout.write = original.out;
    process.stderr.write = original.err;
  }
}
