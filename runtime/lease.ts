import type { Store, StoreItem, StoreKey } from './store.js';

/**
 * A workflow's concurrency lease (`spec.concurrency` `Forbid` and `Replace`): one item per
 * workflow whose `runId` names the run that holds it. Taking, handing over and releasing are
 * single-item conditional writes on that field, so racing submits agree on one holder without
 * transactions. The item stays after a release, without `runId`.
 */

export interface LeaseHolder {
  readonly runId: string;
  /** The holder's execution, which `Replace` stops and a stale-lease check describes. */
  readonly executionArn: string;
  /** ISO time the holder took the lease. */
  readonly since: string;
}

export type TakeResult = { readonly taken: true } | { readonly taken: false; readonly holder: LeaseHolder };

/** The lease item's key. */
export function leaseKey(workflow: string): StoreKey {
  return { pk: `lease#${workflow}`, sk: 'lease' };
}

/** Why a lease could not be settled; `code` is stable. */
export class LeaseError extends Error {
  readonly code: 'WF9301';

  constructor(message: string) {
    super(message);
    this.name = 'Waterflow.LeaseError';
    this.code = 'WF9301';
  }
}

/**
 * Takes the free lease for `holder`, or says who holds it. Holding it already (a redelivered
 * submit of the same run) counts as taking it.
 */
export async function takeLease(store: Store, workflow: string, holder: LeaseHolder): Promise<TakeResult> {
  const key = leaseKey(workflow);
  // Each round fails only when another writer changed the item in between: a few are plenty.
  for (let round = 0; round < 8; round++) {
    if (await store.putIf(key, leaseItem(workflow, holder), 'runId', undefined)) return { taken: true };
    const current = holderOf(await store.get(key));
    if (current === undefined) continue;
    if (current.runId === holder.runId) return { taken: true };
    return { taken: false, holder: current };
  }
  throw new LeaseError(`the lease of workflow ${workflow} kept changing; submit again`);
}

/** Hands the lease from run `from` to `to`; false when `from` no longer holds it. */
export async function handOverLease(
  store: Store,
  workflow: string,
  from: string,
  to: LeaseHolder,
): Promise<boolean> {
  return store.putIf(leaseKey(workflow), leaseItem(workflow, to), 'runId', from);
}

/** Releases the lease if `runId` holds it (a late or repeated release changes nothing). */
export async function releaseLease(
  store: Store,
  workflow: string,
  runId: string,
  at: string,
): Promise<boolean> {
  return store.putIf(leaseKey(workflow), { workflow, releasedBy: runId, releasedAt: at }, 'runId', runId);
}

/** The run holding the lease, if any. */
export async function leaseHolder(store: Store, workflow: string): Promise<LeaseHolder | undefined> {
  return holderOf(await store.get(leaseKey(workflow)));
}

function leaseItem(workflow: string, holder: LeaseHolder): StoreItem {
  return { workflow, runId: holder.runId, executionArn: holder.executionArn, since: holder.since };
}

function holderOf(item: StoreItem | undefined): LeaseHolder | undefined {
  const runId = item?.runId;
  if (typeof runId !== 'string') return undefined;
  return {
    runId,
    executionArn: typeof item?.executionArn === 'string' ? item.executionArn : '',
    since: typeof item?.since === 'string' ? item.since : '',
  };
}
