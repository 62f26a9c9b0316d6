import { type Agent, request } from 'node:http';

/**
 * One DynamoDB JSON-protocol call to the local dynalite server, with no signing, retries or
 * (de)serialization layers: the SDK's middleware cost about 60% of each store operation, and a
 * local run makes a few per job. The request body is the command's input as the SDK holds it
 * (attribute values already marshalled), and the answer is the JSON the SDK would parse.
 */
export function loopbackCall(agent: Agent, port: number, target: string, input: unknown): Promise<object> {
  const body = JSON.stringify(input);
  return new Promise((resolve, reject) => {
    const outgoing = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/',
        agent,
        headers: {
          'content-type': 'application/x-amz-json-1.0',
          'content-length': Buffer.byteLength(body),
          'x-amz-target': `DynamoDB_20120810.${target}`,
          // dynalite wants a signature's shape, never checks it; nothing here is a credential.
          authorization:
            'AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
          'x-amz-date': '20260101T000000Z',
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: Record<string, unknown>;
          try {
            parsed = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
          } catch {
            reject(
              new Error(`the local database answered ${response.statusCode} with a body that is not JSON`),
            );
            return;
          }
          if (response.statusCode === 200) resolve(parsed);
          else reject(serviceError(response.statusCode ?? 0, parsed));
        });
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/** An error named as the SDK names it (`ConditionalCheckFailedException`, ...), for callers that match on names. */
function serviceError(status: number, body: Record<string, unknown>): Error {
  const type = typeof body.__type === 'string' ? body.__type : '';
  const message =
    typeof body.message === 'string' ? body.message : typeof body.Message === 'string' ? body.Message : '';
  const error = new Error(message === '' ? `the local database answered ${status}` : message);
  error.name = type.slice(type.lastIndexOf('#') + 1) || 'LocalDatabaseError';
  return error;
}
