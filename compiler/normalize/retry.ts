import type * as z from 'zod';
import type { DiagnosticSink } from '../diagnostics/sink.js';
import type { DocPath, RetryPolicy } from '../ir.js';
import type { retry } from '../language/blocks.js';

/** No retry: one attempt. */
export const NO_RETRY: RetryPolicy = {
  maxAttempts: 1,
  backoff: 'fixed',
  delaySeconds: 0,
  factor: 1,
  jitter: 'none',
};

/** @default delay 10s, factor 2 for exponential backoff, no jitter */
export function normalizeRetry(
  raw: z.output<typeof retry> | undefined,
  path: DocPath,
  sink: DiagnosticSink,
): RetryPolicy {
  if (raw === undefined) return NO_RETRY;
  const backoff = raw.backoff ?? 'exponential';
  const delaySeconds = raw.delay ?? 10;
  if (raw.maxDelay !== undefined && raw.maxDelay < delaySeconds) {
    sink.error(
      'WF1206',
      [...path, 'maxDelay'],
      `retry.maxDelay (${raw.maxDelay}s) is shorter than retry.delay (${delaySeconds}s)`,
      {
        hint: 'maxDelay caps the growing delay, so it must be at least the first delay',
      },
    );
  }
  if (raw.factor !== undefined && backoff !== 'exponential') {
    sink.warning(
      'WF1206',
      [...path, 'factor'],
      `retry.factor only applies to exponential backoff; it is ignored for ${backoff}`,
    );
  }
  return {
    maxAttempts: raw.maxAttempts,
    backoff,
    delaySeconds,
    factor: backoff === 'exponential' ? (raw.factor ?? 2) : 1,
    ...(raw.maxDelay === undefined ? {} : { maxDelaySeconds: raw.maxDelay }),
    jitter: raw.jitter ?? 'none',
  };
}
