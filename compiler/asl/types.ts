/**
 * Amazon States Language, JSONPath flavour, as far as Waterflow emits it. Built immutably by the
 * lowering and rendered in one place (`render.ts`). Field names are ASL's own.
 */

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A `Parameters`/`ResultSelector` template: keys ending in `.$` hold paths or intrinsics. */
export type PayloadTemplate = { readonly [key: string]: JsonValue };

export interface Retrier {
  readonly ErrorEquals: ReadonlyArray<string>;
  readonly IntervalSeconds?: number;
  readonly MaxAttempts?: number;
  readonly BackoffRate?: number;
  readonly MaxDelaySeconds?: number;
  readonly JitterStrategy?: 'FULL' | 'NONE';
}

export interface Catcher {
  readonly ErrorEquals: ReadonlyArray<string>;
  readonly Next: string;
  readonly ResultPath?: string | null;
}

/** `Next` or `End: true`: every non-terminal state has exactly one. */
export type Transition =
  | { readonly Next: string; readonly End?: never }
  | { readonly End: true; readonly Next?: never };

interface StateBase {
  readonly Comment?: string;
  readonly InputPath?: string | null;
  readonly OutputPath?: string | null;
}

export type TaskState = StateBase &
  Transition & {
    readonly Type: 'Task';
    readonly Resource: string;
    readonly Parameters?: PayloadTemplate;
    readonly ResultSelector?: PayloadTemplate;
    readonly ResultPath?: string | null;
    readonly TimeoutSeconds?: number;
    readonly HeartbeatSeconds?: number;
    readonly Retry?: ReadonlyArray<Retrier>;
    readonly Catch?: ReadonlyArray<Catcher>;
  };

export type PassState = StateBase &
  Transition & {
    readonly Type: 'Pass';
    readonly Parameters?: PayloadTemplate;
    readonly Result?: JsonValue;
    readonly ResultPath?: string | null;
  };

export type WaitState = StateBase &
  Transition & {
    readonly Type: 'Wait';
    readonly Seconds?: number;
    readonly SecondsPath?: string;
  };

/** One comparison or combinator of a Choice rule. */
export type ChoiceCondition =
  | { readonly And: ReadonlyArray<ChoiceCondition> }
  | { readonly Or: ReadonlyArray<ChoiceCondition> }
  | { readonly Not: ChoiceCondition }
  | ({ readonly Variable: string } & ChoiceComparison);

export type ChoiceComparison =
  | { readonly StringEquals: string }
  | { readonly StringEqualsPath: string }
  | { readonly NumericEquals: number }
  | { readonly NumericEqualsPath: string }
  | { readonly NumericLessThan: number }
  | { readonly NumericLessThanPath: string }
  | { readonly NumericGreaterThan: number }
  | { readonly NumericGreaterThanPath: string }
  | { readonly NumericLessThanEquals: number }
  | { readonly NumericGreaterThanEquals: number }
  | { readonly BooleanEquals: boolean }
  | { readonly BooleanEqualsPath: string }
  | { readonly IsPresent: boolean }
  | { readonly IsNull: boolean }
  | { readonly IsString: boolean }
  | { readonly IsNumeric: boolean }
  | { readonly IsBoolean: boolean }
  | { readonly StringMatches: string };

export type ChoiceRule = ChoiceCondition & { readonly Next: string };

export type ChoiceState = StateBase & {
  readonly Type: 'Choice';
  readonly Choices: ReadonlyArray<ChoiceRule>;
  readonly Default?: string;
};

export type SucceedState = StateBase & { readonly Type: 'Succeed' };

export type FailState = {
  readonly Type: 'Fail';
  readonly Comment?: string;
  readonly Error?: string;
  readonly Cause?: string;
  readonly ErrorPath?: string;
  readonly CausePath?: string;
};

/** A nested set of states with its own start: the body of a Parallel branch or a Map. */
export interface StateGraph {
  readonly StartAt: string;
  readonly States: { readonly [name: string]: State };
}

export type ParallelState = StateBase &
  Transition & {
    readonly Type: 'Parallel';
    readonly Branches: ReadonlyArray<StateGraph>;
    readonly Parameters?: PayloadTemplate;
    readonly ResultSelector?: PayloadTemplate;
    readonly ResultPath?: string | null;
    readonly Retry?: ReadonlyArray<Retrier>;
    readonly Catch?: ReadonlyArray<Catcher>;
  };

export type MapState = StateBase &
  Transition & {
    readonly Type: 'Map';
    readonly ItemProcessor: StateGraph & {
      readonly ProcessorConfig?:
        | { readonly Mode: 'INLINE' }
        | { readonly Mode: 'DISTRIBUTED'; readonly ExecutionType: 'STANDARD' };
    };
    readonly ItemsPath?: string;
    readonly ItemSelector?: PayloadTemplate;
    readonly MaxConcurrency?: number;
    readonly ResultSelector?: PayloadTemplate;
    readonly ResultPath?: string | null;
    readonly ToleratedFailurePercentage?: number;
    /** A distributed Map's items from S3 instead of `ItemsPath`. */
    readonly ItemReader?: {
      readonly Resource: string;
      readonly ReaderConfig?: { readonly InputType: 'JSON' };
      readonly Parameters: PayloadTemplate;
    };
    /** Where a distributed Map writes its items' outputs (S3), instead of into the state. */
    readonly ResultWriter?: { readonly Resource: string; readonly Parameters: PayloadTemplate };
    readonly Retry?: ReadonlyArray<Retrier>;
    readonly Catch?: ReadonlyArray<Catcher>;
  };

export type State =
  | TaskState
  | PassState
  | WaitState
  | ChoiceState
  | SucceedState
  | FailState
  | ParallelState
  | MapState;

export interface StateMachine extends StateGraph {
  readonly Comment?: string;
  readonly TimeoutSeconds?: number;
  readonly QueryLanguage?: 'JSONPath';
}
