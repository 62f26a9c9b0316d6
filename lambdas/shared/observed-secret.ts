import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy, { type MiddyfiedHandler } from '@middy/core';
import type { Context } from 'aws-lambda';
import type { Observability } from './observability.js';

/**
 * `observed` for handlers whose events carry a task token: the same Powertools context injection
 * and metrics, with event logging forced off, so that `POWERTOOLS_LOGGER_LOG_EVENT=true` (which
 * `observed` honours) cannot print a token.
 */
export function observedSecret<TEvent, TResult>(
  logic: (event: TEvent, context: Context) => Promise<TResult>,
  { logger, metrics }: Observability,
): MiddyfiedHandler<TEvent, TResult> {
  return middy<TEvent, TResult>()
    .use(injectLambdaContext(logger, { logEvent: false }))
    .use(logMetrics(metrics, { captureColdStartMetric: true }))
    .handler(logic);
}
