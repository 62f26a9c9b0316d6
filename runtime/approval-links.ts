import { createHmac, timingSafeEqual } from 'node:crypto';
import { ApprovalError } from './approval-records.js';

/** An HMAC key for approval links: at least 16 bytes, so that signatures cannot be guessed. */
export type LinkKey = string | Uint8Array;

/** Why a link was refused: `bad-signature` (forged or altered) or `expired`. */
export type LinkCheck =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: 'bad-signature' | 'expired' };

const MIN_KEY_BYTES = 16;
// A domain tag, so that a signature made with the same key for something else never verifies here.
const DOMAIN = 'waterflow.approval-link.v1';

/** Signs the link to approval `id`, valid until `expiresAt` (ms since the epoch): base64url HMAC-SHA256. */
export function signLink(key: LinkKey, id: string, expiresAt: number): string {
  return mac(key, id, expiresAt).toString('base64url');
}

/**
 * Checks a link's signature in constant time, then its expiry; `expiresAt` and `signature` are
 * the strings or numbers the link carried.
 */
export function verifyLink(
  key: LinkKey,
  id: string,
  expiresAt: number,
  signature: string,
  now: number,
): LinkCheck {
  const expected = mac(key, id, expiresAt);
  const given = Buffer.from(signature, 'base64url');
  // Re-encoding catches non-canonical base64url, which Buffer.from decodes leniently.
  const canonical = given.toString('base64url') === signature;
  const same = given.length === expected.length && timingSafeEqual(given, expected);
  if (!(canonical && same)) return { ok: false, reason: 'bad-signature' };
  return now < expiresAt ? { ok: true } : { ok: false, reason: 'expired' };
}

function mac(key: LinkKey, id: string, expiresAt: number): Buffer {
  const bytes = typeof key === 'string' ? Buffer.byteLength(key) : key.byteLength;
  if (bytes < MIN_KEY_BYTES) {
    throw new ApprovalError(`an approval link key needs at least ${MIN_KEY_BYTES} bytes, found ${bytes}`);
  }
  if (!Number.isSafeInteger(expiresAt)) {
    throw new ApprovalError(`an approval link expiry must be an integer of milliseconds, found ${expiresAt}`);
  }
  return createHmac('sha256', key).update(`${DOMAIN}\n${id}\n${expiresAt}`).digest();
}
