import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy, { type MiddyfiedHandler } from '@middy/core';
import type { Context } from 'aws-lambda';

/** The metrics namespace every Waterflow handler publishes to. */
export const METRICS_NAMESPACE = 'Waterflow';

export interface Observability {
  readonly logger: Logger;
  readonly metrics: Metrics;
}

/**
 * A handler's logger and metrics (Powertools). Created once per module, outside the handler, so
 * that a warm invocation reuses them; the service name is the handler's name.
 */
export function observability(service: string): Observability {
  return {
    logger: new Logger({ serviceName: service }),
    metrics: new Metrics({ namespace: METRICS_NAMESPACE, serviceName: service }),
  };
}

/**
 * Wraps plain handler logic in middy with Powertools' context injection (request id and cold
 * start on every log line) and metrics flushing. Handlers add their own middlewares after this.
 */
export function observed<TEvent, TResult>(
  logic: (event: TEvent, context: Context) => Promise<TResult>,
  { logger, metrics }: Observability,
): MiddyfiedHandler<TEvent, TResult> {
  return middy<TEvent, TResult>()
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics, { captureColdStartMetric: true }))
    .handler(logic);
}
