import {
  type ApprovalStatus,
  approvalKeys,
  readRecord,
  recordItem,
  type UndeliveredReason,
} from './approval-records.js';
import type { Store } from './store.js';

/**
 * Records that a decision could not reach its waiting task: the approval becomes `expired` with
 * the reason, so that its page and the run record say what happened instead of "approved". Only
 * the decision that settled the approval (status `decided`) is changed; true when this call did.
 */
export async function recordUndelivered(
  store: Store,
  id: string,
  decided: Extract<ApprovalStatus, 'approved' | 'rejected'>,
  reason: UndeliveredReason,
): Promise<boolean> {
  const item = await store.get(approvalKeys.record(id));
  if (item === undefined) return false;
  const record = readRecord(item);
  if (record.status !== decided) return false;
  return store.putIf(
    approvalKeys.record(id),
    recordItem({ ...record, status: 'expired', undelivered: reason }),
    'status',
    decided,
  );
}
