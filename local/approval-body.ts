import type { IncomingMessage } from 'node:http';
import {
  type BodyResult,
  MAX_DECISION_BODY_BYTES,
  parseDecisionBody,
  tooLarge,
} from '../runtime/approval-body.js';

export type { BodyProblem, BodyResult, DecisionBody } from '../runtime/approval-body.js';

/** The largest decision body the approval server reads. */
export const MAX_BODY_BYTES = MAX_DECISION_BODY_BYTES;

// Past the limit the rest is still read and dropped, so that the client can read the 413;
// past this much the connection is cut instead.
const DRAIN_BYTES = 1024 * 1024;

/** Reads and parses a decision body: form-urlencoded or JSON, at most `MAX_BODY_BYTES`. */
export async function readDecisionBody(req: IncomingMessage): Promise<BodyResult> {
  const raw = await readBytes(req);
  if (raw === 'too-large' || raw === 'cut') return tooLarge(raw === 'cut');
  return parseDecisionBody(req.headers['content-type'], raw);
}

/** The body, or why it was not kept: over the limit but read to its end, or cut off. */
function readBytes(req: IncomingMessage): Promise<Uint8Array | 'too-large' | 'cut'> {
  const declared = Number(req.headers['content-length'] ?? Number.NaN);
  if (declared > DRAIN_BYTES) return Promise.resolve('cut');
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > DRAIN_BYTES) {
        req.off('data', onData);
        req.pause();
        resolve('cut');
      } else if (size <= MAX_BODY_BYTES) {
        chunks.push(chunk);
      }
    };
    req.on('data', onData);
    req.once('end', () => resolve(size > MAX_BODY_BYTES ? 'too-large' : Buffer.concat(chunks)));
    req.once('error', reject);
  });
}
