import type { Logger } from '@aws-lambda-powertools/logger';
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';

/**
 * An error meant for the API caller: its status and stable code reach the response as
 * `{ "error": { "code", "message" } }`. Anything else is a 500 whose details stay in the log.
 */
export class HttpError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'Waterflow.HttpError';
    this.status = status;
    this.code = code;
  }
}

/** Request bodies larger than this are refused before they are parsed. */
export const MAX_BODY_BYTES = 256 * 1024;

export function json(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): APIGatewayProxyResult {
  return {
    statusCode: status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
    body: JSON.stringify(body),
  };
}

export function errorBody(code: string, message: string): { error: { code: string; message: string } } {
  return { error: { code, message } };
}

/**
 * The request body as text: base64 decoded when API Gateway says so, refused past
 * `MAX_BODY_BYTES` with a 413 that says the limit.
 */
export function bodyText(event: Pick<APIGatewayProxyEvent, 'body' | 'isBase64Encoded'>): string {
  const raw = event.body ?? '';
  const text = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
  if (Buffer.byteLength(text, 'utf8') > MAX_BODY_BYTES) {
    throw new HttpError(413, 'BodyTooLarge', `the request body is larger than ${MAX_BODY_BYTES} bytes`);
  }
  return text;
}

/** The body as a JSON object, or a 400 that says what is wrong with it. */
export function jsonBody(
  event: Pick<APIGatewayProxyEvent, 'body' | 'isBase64Encoded'>,
): Record<string, unknown> {
  const text = bodyText(event);
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'InvalidJson', 'the request body is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new HttpError(400, 'InvalidJson', 'the request body must be a JSON object');
  }
  return parsed as Record<string, unknown>;
}

/**
 * A middy middleware that turns thrown errors into the API's error shape: `HttpError`s as they
 * say, anything else as a 500 with a fixed message (the cause is logged, never returned).
 */
export function jsonErrors(logger: Logger): MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> {
  return {
    onError: async (request) => {
      request.response = errorResponse(request.error, logger);
    },
  };
}

/**
 * The API's answer to a thrown error, as `jsonErrors` gives it: for handlers that also take
 * events other than API requests, whose errors must stay thrown (a queue or a schedule retries).
 */
export function errorResponse(error: unknown, logger: Logger): APIGatewayProxyResult {
  if (error instanceof HttpError) return json(error.status, errorBody(error.code, error.message));
  logger.error('unhandled error', error instanceof Error ? error : new Error(String(error)));
  return json(500, errorBody('InternalError', 'the request failed; see the handler log'));
}
