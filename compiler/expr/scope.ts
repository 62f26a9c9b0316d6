import type { ParamType } from '../ir.js';

/** What an expression at one place of the workflow may refer to. */
export interface ExprScope {
  /** Declared params and their types. */
  readonly params: ReadonlyMap<string, ParamType>;
  /** Keys of the job's matrix; `'dynamic'` for `fromJson` (any key); `undefined` when the job has none. */
  readonly matrix: ReadonlySet<string> | 'dynamic' | undefined;
  /** Every job in the workflow and its declared outputs. */
  readonly jobs: ReadonlyMap<string, ReadonlySet<string>>;
  /** Jobs transitively upstream of the current one. */
  readonly upstream: ReadonlySet<string>;
  /** `run.status` is only known in `onExit`. */
  readonly allowRunStatus: boolean;
  /** `success()`, `failure()`, `always()`, `cancelled()` only mean something in `if`/`when`. */
  readonly allowStatusFunctions: boolean;
}

export type ExprProblemCode = 'WF3002' | 'WF3003' | 'WF3004' | 'WF3005' | 'WF3006' | 'WF3007' | 'WF3008';

/** A problem with a well-formed expression; offsets are relative to the expression source. */
export interface ExprProblem {
  readonly code: ExprProblemCode;
  readonly message: string;
  readonly hint?: string;
  readonly start: number;
  readonly end: number;
}
