import type { ChoiceCondition, Retrier, State } from '../asl/types.js';
import type { ExitCodeRule, RetryPolicy } from '../ir.js';
import { stateRecord, transition } from './context.js';

/** Delay before retry n (1-based), as DESIGN §2 defines it, in whole seconds. */
export function retryDelay(policy: RetryPolicy, n: number): number {
  const base =
    policy.backoff === 'exponential'
      ? policy.delaySeconds * policy.factor ** (n - 1)
      : policy.backoff === 'linear'
        ? policy.delaySeconds * n
        : policy.delaySeconds;
  return Math.round(Math.min(base, policy.maxDelaySeconds ?? Number.POSITIVE_INFINITY));
}

/** The native `Retry` for a policy Step Functions can express itself. */
export function nativeRetry(policy: RetryPolicy, errors: ReadonlyArray<string>): Retrier[] {
  if (policy.maxAttempts <= 1) return [];
  return [
    {
      ErrorEquals: [...errors],
      IntervalSeconds: Math.max(1, Math.round(policy.delaySeconds)),
      MaxAttempts: policy.maxAttempts - 1,
      BackoffRate: policy.backoff === 'exponential' ? policy.factor : 1,
      ...(policy.maxDelaySeconds === undefined
        ? {}
        : { MaxDelaySeconds: Math.max(1, Math.round(policy.maxDelaySeconds)) }),
      JitterStrategy: policy.jitter === 'full' ? 'FULL' : 'NONE',
    },
  ];
}

const EXIT_CODE = '$.err.parsed.task.Containers[0].ExitCode';
/** With sidecars, `main` is one of several containers, in no defined order: picked by name. */
const MAIN_EXIT_CODE = '$.err.parsed.main[0].ExitCode';

function ruleCondition(rule: ExitCodeRule, exitCode: string): ChoiceCondition {
  const matches = rule.values.map((value): ChoiceCondition => ({ Variable: exitCode, NumericEquals: value }));
  const inList: ChoiceCondition = matches.length === 1 ? (matches[0] as ChoiceCondition) : { Or: matches };
  const test = rule.operator === 'In' ? inList : { Not: inList };
  return { And: [{ Variable: exitCode, IsPresent: true }, test] };
}

export interface RetryLoopNames {
  readonly task: string;
  /** Parses the `.sync` failure Cause: only with exit-code rules. */
  readonly cause: string | undefined;
  /**
   * Picks the container named `main` out of the parsed task: only for a task with sidecars,
   * whose `Containers` order DescribeTasks does not define.
   */
  readonly main?: string | undefined;
  readonly exit: string | undefined;
  readonly ignored: string | undefined;
  /** Counts the attempt and computes its delay: only with retries. */
  readonly again: string | undefined;
  readonly limit: string | undefined;
  readonly wait: string | undefined;
}

export interface RetryLoopRequest {
  /** Path of the job's attempt counter `{ n, d }`, set to `{ n: 0 }` when the run starts. */
  readonly counter: string;
  readonly policy: RetryPolicy;
  readonly rules: ReadonlyArray<ExitCodeRule>;
  readonly names: RetryLoopNames;
  /** Where a job that failed for good goes. */
  readonly failed: string;
  readonly successNext: string | undefined;
  readonly resultPath: string | null;
}

/** Where a failure goes to be retried (or to fail, without retries). */
export function retryTarget(req: RetryLoopRequest): string {
  return req.names.again ?? req.failed;
}

function countStates(req: RetryLoopRequest): Record<string, State> {
  const { names, policy, counter } = req;
  const states = stateRecord();
  if (names.again === undefined || names.limit === undefined || names.wait === undefined) return states;
  const delays = Array.from({ length: policy.maxAttempts }, (_, i) => retryDelay(policy, i + 1));
  const delay = `States.ArrayGetItem(States.Array(${delays.join(', ')}), ${counter}.n)`;
  states[names.again] = {
    Type: 'Pass',
    Parameters: {
      'n.$': `States.MathAdd(${counter}.n, 1)`,
      // Full jitter draws the delay uniformly in [0, delay].
      'd.$': policy.jitter === 'full' ? `States.MathRandom(0, States.MathAdd(${delay}, 1))` : delay,
    },
    ResultPath: counter,
    Next: names.limit,
  };
  states[names.limit] = {
    Type: 'Choice',
    Choices: [{ Variable: `${counter}.n`, NumericGreaterThanEquals: policy.maxAttempts, Next: req.failed }],
    Default: names.wait,
  };
  states[names.wait] = { Type: 'Wait', SecondsPath: `${counter}.d`, Next: names.task };
  return states;
}

/**
 * The retry loop of DESIGN §2 for what native `Retry` cannot do: read the exit code from the
 * `.sync` failure `Cause`, apply the exit-code rules in order (Ignore, FailJob, Count), tell
 * infrastructure failures apart, count attempts and wait the computed delay.
 */
export function retryLoop(req: RetryLoopRequest): Record<string, State> {
  const { names } = req;
  const retry = retryTarget(req);
  const states = stateRecord();
  const exitCode = names.main === undefined ? EXIT_CODE : MAIN_EXIT_CODE;
  if (names.cause !== undefined) {
    states[names.cause] = {
      Type: 'Pass',
      Parameters: { 'task.$': 'States.StringToJson($.err.Cause)' },
      ResultPath: '$.err.parsed',
      Next: names.main ?? names.exit ?? retry,
    };
  }
  if (names.main !== undefined) {
    states[names.main] = {
      Type: 'Pass',
      // A filter gives an array: [] when main never ran, which IsPresent then rejects.
      Parameters: {
        'task.$': '$.err.parsed.task',
        'main.$': "$.err.parsed.task.Containers[?(@.Name == 'main')]",
      },
      ResultPath: '$.err.parsed',
      Next: names.exit ?? retry,
    };
  }
  if (names.exit !== undefined) {
    const target = (rule: ExitCodeRule) =>
      rule.action === 'Ignore' ? (names.ignored as string) : rule.action === 'FailJob' ? req.failed : retry;
    states[names.exit] = {
      Type: 'Choice',
      Choices: [
        // A task that never started has no exit code: an infrastructure failure, retried.
        { Variable: '$.err.parsed.task.StopCode', StringEquals: 'TaskFailedToStart', Next: retry },
        ...req.rules.map((rule) => ({ ...ruleCondition(rule, exitCode), Next: target(rule) })),
      ],
      Default: retry,
    };
  }
  if (names.ignored !== undefined) {
    states[names.ignored] =
      req.resultPath === null
        ? { Type: 'Pass', ResultPath: null, ...transition(req.successNext) }
        : {
            Type: 'Pass',
            Parameters: { r: 'success', ok: true, 'x.$': exitCode },
            ResultPath: req.resultPath,
            ...transition(req.successNext),
          };
  }
  return Object.assign(states, countStates(req));
}
