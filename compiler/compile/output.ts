import type { StateMachine } from '../asl/types.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { Workflow } from '../ir.js';

/** What a state stands for, so that runtimes and tools can find jobs in the ASL. */
export type StateRole =
  /** The job's work: an ECS task, an approval request, a nested execution. */
  | 'run'
  /** Waits (waitForTaskToken) until the job's gated upstream jobs have ended. */
  | 'gate'
  /** Tells the gate logic that the job has ended, releasing gated dependants. */
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
  | 'part';

export interface StateInfo {
  /** The job this state belongs to; absent for structure states. */
  readonly job?: string;
  readonly role: StateRole;
  /** The job kind of a `run` state (`container`, `approval`, `workflow`). */
  readonly kind?: string;
  /** For a `part` state: the name of the child state machine it starts. */
  readonly part?: string;
  /**
   * On a container job's `run` state: when its task stops with exit code 0, the recorder (which
   * sees the task stop) releases the job's gated dependants; there is no `done` state on that path.
   */
  readonly releasedOnSuccess?: true;
}

/** An ECS task definition the platform must register; the ASL refers to it by substitution. */
export interface TaskDefinitionSpec {
  /** The definition substitution that holds the registered ARN: `TaskDefinition_<hash>`. */
  readonly substitution: string;
  /** The workflow the definition belongs to: set as WATERFLOW_WORKFLOW and as a tag. */
  readonly workflow: string;
  /** Content hash (hex) of everything below: registering twice is a no-op. */
  readonly hash: string;
  readonly family: string;
  readonly image: string;
  readonly cpu: number;
  readonly memory: number;
  readonly ephemeralStorageGiB: number;
  /** `valueFrom` ARNs or names of Secrets Manager secrets and SSM parameters, by env name. */
  readonly secrets: ReadonlyArray<{ readonly name: string; readonly valueFrom: string }>;
  readonly containerName: string;
}

/** A definition substitution the deployer must supply. */
export interface SubstitutionSpec {
  readonly name: string;
  readonly description: string;
}

/** IAM the state machine role needs; resources may hold `${Substitution}` placeholders. */
export interface PermissionSpec {
  readonly sid: string;
  readonly actions: ReadonlyArray<string>;
  readonly resources: ReadonlyArray<string>;
}

export interface CompileStats {
  readonly jobs: number;
  readonly states: number;
  readonly gates: number;
  readonly parts: number;
  readonly definitionBytes: number;
  /** History events of one run where every job succeeds at its first attempt. */
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
  readonly permissions: ReadonlyArray<PermissionSpec>;
  /** Every state of every machine, by name (names are unique across machines). */
  readonly stateMap: { readonly [stateName: string]: StateInfo };
  readonly stats: CompileStats;
}
