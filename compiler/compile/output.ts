import type { StateMachine } from '../asl/types.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { ConcurrencyPolicy, JsonValue, Workflow } from '../ir.js';

/** What a state stands for, so that runtimes and tools can find jobs in the ASL. */
export type StateRole =
  /** The job's work: an ECS task, an approval request, a nested execution. */
  | 'run'
  /**
   * Waits (waitForTaskToken) until the job's gated upstream jobs have ended. With no `job`: the
   * run timer of `spec.timeout`, released when the run body ends.
   */
  | 'gate'
  /** Tells the gate logic that the job (with no `job`: the run body) has ended. */
  | 'release'
  /** Decides whether the job runs (its `if`). */
  | 'check'
  /** Records the job as skipped. */
  | 'skip'
  /** Records a failure (tolerated, or with `failFast: false`). */
  | 'record'
  /** Part of a retry loop: the attempt counter, the exit-code rules, the wait. */
  | 'retry'
  /** Stops the job's ECS task after a timeout. */
  | 'stop'
  /** Reads the job's declared outputs back (from S3 in AWS). */
  | 'outputs'
  /** A matrix job's fan-out: the items, the Map, the check of failed items. */
  | 'matrix'
  /** Structure: Parallel blocks, the final status check, compensation and onExit plumbing. */
  | 'structure'
  /** A split-off part of the workflow run as a child execution. */
  | 'part'
  /** Asks the runtime which jobs to compensate after a failed run body, newest completion first. */
  | 'compensations'
  /** A job's `compensate` action: an ECS task (its `job` is the job it undoes). */
  | 'compensate'
  /** The workflow's `onExit` action: an ECS task run after the body, whatever its status. */
  | 'onExit';

export interface StateInfo {
  /** The job this state belongs to; absent for structure states. */
  readonly job?: string;
  readonly role: StateRole;
  /** The job kind of a `run` state (`container`, `approval`, `workflow`). */
  readonly kind?: string;
  /** For a `part` state: the name of the child state machine it starts. */
  readonly part?: string;
  /**
   * For `compensate` and `onExit` states and their `stop` states: the action's entry in the run
   * record (its `name`, default `<job>-compensate` and `on-exit`).
   */
  readonly action?: string;
  /**
   * On a container job's `run` state: when its task stops with exit code 0, the recorder (which
   * sees the task stop) releases the job's gated dependants; there is no `done` state on that path.
   */
  readonly releasedOnSuccess?: true;
  /**
   * On a `run` state compiled with the `reuse` option: a `Pass` that takes over the job's result
   * from the earlier run (a rerun); the job does not run.
   */
  readonly reused?: true;
}

/** How a container waits for another before it starts (ECS `dependsOn`). */
export interface ContainerDependencySpec {
  readonly containerName: string;
  /** `SUCCESS`: the other exited 0; `COMPLETE`: the other exited, whatever its code. */
  readonly condition: 'SUCCESS' | 'COMPLETE';
}

/** One container of a job's task, in ECS `ContainerDefinition` terms (camelCase). */
export interface ContainerSpec {
  /** `main` (the job's commands), `init` (downloads artifacts) or `uploader` (outputs, artifacts). */
  readonly name: string;
  /** The image; `${SidecarImage}` for init and uploader. */
  readonly image: string;
  /** When true, the task stops as soon as this container exits. */
  readonly essential: boolean;
  /** Set for the sidecars only: the job's image keeps its own entry point. */
  readonly entryPoint?: ReadonlyArray<string>;
  /** The sidecar's script; the job's commands come from the run task's overrides. */
  readonly command?: ReadonlyArray<string>;
  readonly workingDirectory?: string;
  /** Fixed variables; what differs per job and run comes from the run task's overrides. */
  readonly environment: ReadonlyArray<{ readonly name: string; readonly value: string }>;
  /** `valueFrom` ARNs or names of Secrets Manager secrets and SSM parameters, by env name. */
  readonly secrets: ReadonlyArray<{ readonly name: string; readonly valueFrom: string }>;
  readonly mountPoints: ReadonlyArray<{ readonly sourceVolume: string; readonly containerPath: string }>;
  readonly dependsOn: ReadonlyArray<ContainerDependencySpec>;
}

/** A task-scoped volume: Fargate task storage, shared by the task's containers, gone with the task. */
export interface VolumeSpec {
  readonly name: string;
}

/**
 * An ECS task definition the platform must register; the ASL refers to it by substitution.
 * String fields may hold `${Substitution}` placeholders (listed in `substitutions`), which the
 * registrar replaces by name; no other `${` text is a placeholder (sidecar scripts hold some).
 */
export interface TaskDefinitionSpec {
  /** The definition substitution that holds the registered ARN: `TaskDefinition_<hash>`. */
  readonly substitution: string;
  /** The workflow the definition belongs to: set as WATERFLOW_WORKFLOW and as a tag. */
  readonly workflow: string;
  /**
   * Content hash (hex) of what varies between specs (workflow, image, size, secrets, sidecars):
   * registering twice is a no-op. The fixed layout (volume, paths, scripts) is not hashed.
   */
  readonly hash: string;
  readonly family: string;
  /** The job's image (the `main` container). */
  readonly image: string;
  readonly cpu: number;
  readonly memory: number;
  readonly ephemeralStorageGiB: number;
  /** The `main` container's secrets (also in `containers`). */
  readonly secrets: ReadonlyArray<{ readonly name: string; readonly valueFrom: string }>;
  /** The container that runs the job's commands and whose exit code is the job's: `main`. */
  readonly containerName: string;
  /** Every container of the task: `main`, and `init` and `uploader` when the job has them. */
  readonly containers: ReadonlyArray<ContainerSpec>;
  /** The shared volume of a task with sidecars; empty otherwise. */
  readonly volumes: ReadonlyArray<VolumeSpec>;
}

/** A definition substitution the deployer must supply. */
export interface SubstitutionSpec {
  readonly name: string;
  readonly description: string;
}

/** An IAM statement (Allow); resources may hold `${Substitution}` placeholders. */
export interface PermissionSpec {
  readonly sid: string;
  readonly actions: ReadonlyArray<string>;
  readonly resources: ReadonlyArray<string>;
  /** IAM condition block: operator -> key -> values, e.g. `{ StringLike: { "s3:prefix": [...] } }`. */
  readonly conditions?: {
    readonly [operator: string]: { readonly [key: string]: ReadonlyArray<string> };
  };
}

/** A schedule for the submit handler: an EventBridge Scheduler rule that starts a run. */
export interface ScheduleSpec {
  /** The cron as written (5 fields, Unix). */
  readonly cron: string;
  /** The same in EventBridge Scheduler form: `cron(0 9 ? * 2-6 *)`. */
  readonly expression: string;
  /** IANA time zone the expression is evaluated in (`ScheduleExpressionTimezone`). */
  readonly timezone: string;
  /** Params of the runs it starts; the other params take their defaults. */
  readonly params: { readonly [name: string]: JsonValue };
}

export interface CompileStats {
  readonly jobs: number;
  readonly states: number;
  readonly gates: number;
  readonly parts: number;
  readonly definitionBytes: number;
  /**
   * History events of the largest execution of a run where every job succeeds at its first
   * attempt: the workflow's, a part's, or one item of a dynamic matrix (a child execution).
   */
  readonly estimatedHistoryEvents: number;
  /** State transitions of the same run. */
  readonly transitionsPerRun: number;
  /** The largest state payload expected, in bytes. */
  readonly estimatedMaxPayloadBytes: number;
}

export interface StateMachineOutput {
  readonly name: string;
  readonly asl: StateMachine;
}

export interface CompileResult {
  readonly diagnostics: ReadonlyArray<Diagnostic>;
  /** Absent when there are errors. */
  readonly output?: CompileOutput;
  /** The validated workflow (IR) it was compiled from, when the text was valid. */
  readonly workflow?: Workflow;
}

export interface CompileOutput {
  /** The workflow's own state machine. */
  readonly asl: StateMachine;
  /** Child state machines of a split workflow, started by `part` states. */
  readonly children: ReadonlyArray<StateMachineOutput>;
  readonly taskDefinitions: ReadonlyArray<TaskDefinitionSpec>;
  readonly substitutions: ReadonlyArray<SubstitutionSpec>;
  /** IAM of the state machine's role. */
  readonly permissions: ReadonlyArray<PermissionSpec>;
  /** IAM of the job containers' role (`TaskRoleArn`): artifacts and outputs in S3. */
  readonly taskRolePermissions: ReadonlyArray<PermissionSpec>;
  /** IAM of the task execution role (`ExecutionRoleArn`) beyond image pull and logs: secrets. */
  readonly executionRolePermissions: ReadonlyArray<PermissionSpec>;
  /** Cron schedules the submit handler upserts (EventBridge Scheduler). */
  readonly schedules: ReadonlyArray<ScheduleSpec>;
  /** What the submit handler does when a run starts while another runs (DESIGN §2). */
  readonly concurrency: { readonly policy: ConcurrencyPolicy };
  /** Every state of every machine, by name (names are unique across machines). */
  readonly stateMap: { readonly [stateName: string]: StateInfo };
  readonly stats: CompileStats;
}
