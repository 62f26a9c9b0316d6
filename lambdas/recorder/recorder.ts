import type { ReleaseRequest } from '../../runtime/gates.js';
import { releaseOnSuccess } from '../../runtime/job-events.js';
import { releaseLease } from '../../runtime/lease.js';
import { type KeyedEvent, recordRunEvents } from '../../runtime/run-log.js';
import { recordOfSnapshot, runPk, SNAPSHOT_SK } from '../../runtime/run-record.js';
import type { Store } from '../../runtime/store.js';
import { runStartedEvent } from '../submit/run-input.js';
import { readWorkflow } from '../submit/workflows.js';
import { type LogLinks, type RecorderEvent, translate } from './events.js';

/**
 * The recorder (DESIGN §4): execution status changes, ECS task state changes and job hooks
 * become the run's event log and snapshot (runtime/run-log.ts). When the run ends it releases the
 * workflow's concurrency lease and sets the TTL; when a job marked `releasedOnSuccess` exits 0 it
 * releases the job's gated dependants.
 */

export interface RecorderDeps {
  readonly store: Store;
  readonly logs?: LogLinks;
  /** Releases a job's gated dependants (the gate logic, answering completed gates). */
  readonly release?: (request: ReleaseRequest) => Promise<unknown>;
}

export type RecorderResult =
  | { readonly ignored: string }
  | {
      readonly runId: string;
      /** New log entries (0: a duplicate, or a run not recorded yet). */
      readonly added: number;
      readonly status?: string;
      readonly leaseReleased: boolean;
      readonly gateReleased: boolean;
    };

/** Records one event. Safe to call again with the same event, and with events in any order. */
export async function recordEvent(deps: RecorderDeps, event: RecorderEvent): Promise<RecorderResult> {
  const translated = translate(event, deps.logs);
  if ('ignored' in translated) return translated;
  const { runId } = translated;
  const workflowName = translated.workflow ?? (await snapshotWorkflow(deps.store, runId));
  const deployed = workflowName === undefined ? undefined : await readWorkflow(deps.store, workflowName);
  const events: KeyedEvent[] = [...translated.events];
  if (translated.started !== undefined && workflowName !== undefined) {
    events.push(
      runStartedEvent(workflowName, deployed, translated.started.input, translated.started.startDate),
    );
  }
  const { record, added } = await recordRunEvents(deps.store, runId, events, {
    ...(deployed?.ttlAfterFinishedSeconds === undefined
      ? {}
      : { ttlAfterFinishedSeconds: deployed.ttlAfterFinishedSeconds }),
  });
  let leaseReleased = false;
  if (record !== undefined && record.status !== 'running' && record.endedAt !== undefined) {
    leaseReleased = await releaseLease(deps.store, record.workflow, runId, record.endedAt);
  }
  let gateReleased = false;
  const job = translated.job;
  if (job !== undefined && deps.release !== undefined && deployed !== undefined) {
    const release = releaseOnSuccess(job, new Set(deployed.releasedOnSuccess));
    if (release !== undefined) {
      await deps.release(release);
      gateReleased = true;
    }
  }
  return {
    runId,
    added,
    ...(record === undefined ? {} : { status: record.status }),
    leaseReleased,
    gateReleased,
  };
}

async function snapshotWorkflow(store: Store, runId: string): Promise<string | undefined> {
  const item = await store.get({ pk: runPk(runId), sk: SNAPSHOT_SK });
  return item === undefined ? undefined : recordOfSnapshot(item).workflow;
}
