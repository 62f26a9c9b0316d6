import type { Expr, Template } from './expr/ast.js';

/**
 * The normalised intermediate representation. Every later pass (graph, lower, emit, the
 * runtimes) reads this, never the raw YAML: defaults are applied, durations are seconds,
 * sizes are Fargate pairs, `when` is `condition`, stage edges are job edges.
 */

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Where a declaration came from in the document, for diagnostics of later passes. */
export type DocPath = ReadonlyArray<string | number>;

export type ParamType = 'string' | 'integer' | 'number' | 'boolean' | 'array' | 'object';

export interface Param {
  readonly name: string;
  readonly type: ParamType;
  readonly required: boolean;
  readonly default?: JsonValue;
  readonly enum?: ReadonlyArray<JsonValue>;
  readonly description?: string;
  readonly path: DocPath;
}

export interface Schedule {
  readonly cron: string;
  readonly timezone: string;
  readonly params: Readonly<Record<string, JsonValue>>;
}

export type ConcurrencyPolicy = 'Allow' | 'Forbid' | 'Replace';

export interface RetryPolicy {
  /** All attempts, the first included: 1 means no retry. */
  readonly maxAttempts: number;
  readonly backoff: 'exponential' | 'linear' | 'fixed';
  readonly delaySeconds: number;
  readonly factor: number;
  readonly maxDelaySeconds?: number;
  readonly jitter: 'none' | 'full';
}

export interface SecretRef {
  readonly secret: string;
  readonly key?: string;
}

export type EnvVar =
  | { readonly name: string; readonly value: Template }
  | { readonly name: string; readonly secretRef: SecretRef };

export interface Secret {
  readonly name: string;
  readonly scheme: 'aws-secretsmanager' | 'ssm' | 'env';
  /** The id after the scheme: `prod/db` of `aws-secretsmanager://prod/db`. */
  readonly id: string;
  readonly source: string;
  readonly path: DocPath;
}

export interface Resources {
  /** Requested vCPU and memory, before rounding up to a Fargate size. */
  readonly cpu: number;
  readonly memoryMiB: number;
  readonly diskGiB: number;
  /** The smallest Fargate pair covering the request: cpu units (1024 = 1 vCPU) and MiB. */
  readonly fargate: { readonly cpu: number; readonly memory: number };
}

export interface ExitCodeRule {
  readonly action: 'Ignore' | 'Count' | 'FailJob';
  readonly operator: 'In' | 'NotIn';
  readonly values: ReadonlyArray<number>;
}

export interface Artifact {
  readonly name: string;
  readonly path: string;
}

export interface ArtifactsFrom {
  readonly job: string;
  readonly artifacts: ReadonlyArray<string>;
}

export type Matrix =
  | {
      readonly kind: 'static';
      readonly keys: ReadonlyArray<string>;
      /** The expanded items: cartesian product of values, minus exclude, plus include. */
      readonly items: ReadonlyArray<Readonly<Record<string, JsonValue>>>;
      readonly maxParallel?: number;
      readonly failFast: boolean;
    }
  | {
      readonly kind: 'dynamic';
      readonly from: Template;
      readonly maxParallel?: number;
      readonly failFast: boolean;
    };

export interface Condition {
  readonly expr: Expr;
  readonly source: string;
  /** The `if`/`when` value in the document; absent for the default `success()`. */
  readonly path?: DocPath;
  /** Where the expression starts inside the scalar (after a `${{`). */
  readonly offset: number;
}

/** A container run that is not a job of the DAG: `compensate` and `onExit`. */
export interface ContainerAction {
  readonly name: string;
  readonly image: string;
  readonly commands: ReadonlyArray<Template>;
  readonly env: ReadonlyArray<EnvVar>;
  readonly resources: Resources;
  readonly timeoutSeconds?: number;
  readonly path: DocPath;
}

export interface JobCommon {
  readonly name: string;
  readonly stage: string;
  readonly path: DocPath;
  /** The job's own `needs`, as written. */
  readonly needs: ReadonlyArray<string>;
  /** Every direct dependency: `needs` plus the jobs of the stages in the stage's `dependsOn`; sorted. */
  readonly upstream: ReadonlyArray<string>;
  readonly condition: Condition;
  /** `continueOnFailure`, or the stage's `onFailure: continue`. */
  readonly continueOnFailure: boolean;
  readonly timeoutSeconds?: number;
  readonly retry: RetryPolicy;
  readonly env: ReadonlyArray<EnvVar>;
  readonly matrix?: Matrix;
  readonly outputs: ReadonlyArray<string>;
  readonly artifacts: ReadonlyArray<Artifact>;
  readonly artifactsFrom: ReadonlyArray<ArtifactsFrom>;
  readonly compensate?: ContainerAction;
}

export interface ContainerJob extends JobCommon {
  readonly kind: 'container';
  readonly image: string;
  readonly commands: ReadonlyArray<Template>;
  readonly resources: Resources;
  readonly exitCodes: ReadonlyArray<ExitCodeRule>;
}

export interface ApprovalJob extends JobCommon {
  readonly kind: 'approval';
  readonly message: Template;
  readonly approvers: ReadonlyArray<string>;
  readonly minApprovals: number;
  readonly onTimeout: 'reject' | 'approve';
}

export interface NestedWorkflowJob extends JobCommon {
  readonly kind: 'workflow';
  readonly workflow: string;
  readonly with: Readonly<Record<string, WithValue>>;
}

/** A `with:` value of a nested workflow: a string template, or any other JSON value as written. */
export type WithValue =
  | { readonly kind: 'template'; readonly template: Template }
  | { readonly kind: 'value'; readonly value: JsonValue };

export type Job = ContainerJob | ApprovalJob | NestedWorkflowJob;
export type JobKind = Job['kind'];

export interface Stage {
  readonly name: string;
  readonly path: DocPath;
  readonly dependsOn: ReadonlyArray<string>;
  readonly onFailure: 'fail' | 'continue';
  readonly jobs: ReadonlyArray<string>;
}

export interface Workflow {
  readonly name: string;
  readonly description?: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly params: ReadonlyArray<Param>;
  readonly schedules: ReadonlyArray<Schedule>;
  readonly concurrency: { readonly policy: ConcurrencyPolicy };
  readonly timeoutSeconds?: number;
  readonly ttlAfterFinishedSeconds?: number;
  readonly failFast: boolean;
  readonly env: ReadonlyArray<EnvVar>;
  readonly secrets: ReadonlyArray<Secret>;
  readonly stages: ReadonlyArray<Stage>;
  /** Every job of every stage, in document order. */
  readonly jobs: ReadonlyArray<Job>;
  readonly onExit?: ContainerAction;
}
