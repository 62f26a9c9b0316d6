import {
  DescribeExecutionCommand,
  type SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import type { JsonValue } from '../../compiler/asl/types.js';
import type { Clock } from '../../runtime/gates.js';
import {
  handOverLease,
  LeaseError,
  type LeaseHolder,
  leaseHolder,
  releaseLease,
  takeLease,
} from '../../runtime/lease.js';
import { recordRunEvents } from '../../runtime/run-log.js';
import { runPk, SNAPSHOT_SK } from '../../runtime/run-record.js';
import type { Store } from '../../runtime/store.js';
import { errorName } from './deploy.js';
import { executionArn, type Platform, stateMachineArn } from './platform.js';
import { type RunInputParts, runInput, runStartedEvent } from './run-input.js';
import { type DeployedWorkflow, recordRejectedRun } from './workflows.js';

/**
 * Starting a run under the workflow's concurrency policy. The execution name is the run id,
 * which callers derive from what they were given (an S3 object version, an idempotency key, a
 * schedule's fire time): a second start of the same run finds it started and starts nothing.
 */

export interface StartDeps {
  readonly store: Store;
  readonly sfn: SFNClient;
  /** Where executions live: their ARNs are built from the run ids. */
  readonly platform: Pick<Platform, 'partition' | 'region' | 'account'>;
  readonly clock: Clock;
}

export interface StartRequest extends RunInputParts {
  readonly workflow: DeployedWorkflow;
  /** The state machine to start, when not the workflow's own (a rerun's). @default workflow.name */
  readonly machine?: string;
}

export type StartOutcome =
  | { readonly status: 'started' | 'already-started'; readonly runId: string; readonly executionArn: string }
  | {
      readonly status: 'rejected';
      readonly runId: string;
      readonly reason: string;
      /** The run that holds the workflow's lease. */
      readonly heldBy: string;
    };

/** The error a replaced run's execution is stopped with. */
export const REPLACED_ERROR = 'Waterflow.Replaced';

/**
 * A lease holder whose execution does not exist yet may be between taking the lease and
 * `StartExecution`: it counts as running for this long.
 */
const START_GRACE_MS = 60_000;

/** Starts the run unless it started already or the policy refuses it (`Forbid`, recorded). */
export async function startRun(deps: StartDeps, request: StartRequest): Promise<StartOutcome> {
  const { workflow, runId } = request;
  const machine = request.machine ?? workflow.name;
  const arn = executionArn(deps.platform, machine, runId);
  if ((await deps.store.get({ pk: runPk(runId), sk: SNAPSHOT_SK })) !== undefined) {
    return { status: 'already-started', runId, executionArn: arn };
  }
  const leased = workflow.policy !== 'Allow';
  if (leased) {
    const holder = await acquire(deps, workflow, { runId, executionArn: arn, since: iso(deps.clock) });
    if (holder !== undefined) {
      const reason = `workflow ${workflow.name} allows one run at a time (concurrency Forbid) and run ${holder.runId} is running`;
      await recordRejectedRun(deps.store, workflow.name, runId, {
        at: iso(deps.clock),
        reason,
        heldBy: holder.runId,
      });
      return { status: 'rejected', runId, reason, heldBy: holder.runId };
    }
  }
  const input = runInput(request);
  let started: { executionArn: string; startDate: Date };
  try {
    const out = await deps.sfn.send(
      new StartExecutionCommand({
        stateMachineArn:
          request.machine === undefined ? workflow.stateMachineArn : stateMachineArn(deps.platform, machine),
        name: runId,
        input: JSON.stringify(input),
      }),
    );
    started = { executionArn: out.executionArn ?? arn, startDate: out.startDate ?? new Date(deps.clock()) };
  } catch (error) {
    // The name was used: by this run, started before a crash or by a redelivered message.
    if (errorName(error) === 'ExecutionAlreadyExists')
      return { status: 'already-started', runId, executionArn: arn };
    if (leased) await releaseLease(deps.store, workflow.name, runId, iso(deps.clock));
    throw error;
  }
  if (workflow.policy === 'Replace' && (await leaseHolder(deps.store, workflow.name))?.runId !== runId) {
    // Replaced while starting (the newer submit found no execution to stop yet): give way.
    await stop(deps.sfn, started.executionArn, `replaced by a newer run of ${workflow.name}`);
  }
  await recordRunEvents(deps.store, runId, [
    runStartedEvent(workflow.name, workflow, input as JsonValue, started.startDate),
  ]);
  return { status: 'started', runId, executionArn: started.executionArn };
}

/**
 * Takes the workflow's lease for `me`; returns the holder when `Forbid` refuses. `Replace` stops
 * the holder's execution first, then takes the lease over from it; `Forbid` takes over only a
 * lease whose execution has ended without the recorder hearing of it (EventBridge is best effort).
 */
async function acquire(
  deps: StartDeps,
  workflow: DeployedWorkflow,
  me: LeaseHolder,
): Promise<LeaseHolder | undefined> {
  for (let round = 0; round < 10; round++) {
    const taken = await takeLease(deps.store, workflow.name, me);
    if (taken.taken) return undefined;
    const { holder } = taken;
    if (workflow.policy === 'Replace') {
      await stop(deps.sfn, holder.executionArn, `replaced by run ${me.runId}`);
    } else if (await isRunning(deps, holder)) {
      return holder;
    }
    if (await handOverLease(deps.store, workflow.name, holder.runId, me)) return undefined;
  }
  throw new LeaseError(`the lease of workflow ${workflow.name} kept changing hands; submit again`);
}

async function isRunning(deps: StartDeps, holder: LeaseHolder): Promise<boolean> {
  try {
    const { status } = await deps.sfn.send(
      new DescribeExecutionCommand({ executionArn: holder.executionArn }),
    );
    return status === 'RUNNING' || status === 'PENDING_REDRIVE';
  } catch (error) {
    if (errorName(error) !== 'ExecutionDoesNotExist') throw error;
    return deps.clock() - Date.parse(holder.since) < START_GRACE_MS;
  }
}

/** Stops an execution; one that has ended or never started needs no stopping. */
async function stop(sfn: SFNClient, arn: string, cause: string): Promise<void> {
  try {
    await sfn.send(new StopExecutionCommand({ executionArn: arn, error: REPLACED_ERROR, cause }));
  } catch (error) {
    if (errorName(error) !== 'ExecutionDoesNotExist') throw error;
  }
}

function iso(clock: Clock): string {
  return new Date(clock()).toISOString();
}
