import type { ApprovalRequest } from '../../runtime/approvals.js';

// One approval request, as both the runtime's and the local server's tests ask for it.

export const T0 = Date.UTC(2026, 10, 22, 9, 0, 0);
export const HOUR = 3_600_000;
export const TOKEN = 'AQCEAAAAKgAAAAMAAAAAAAAAAY-secret-task-token-7f3a9c';
export const KEY = 'a-local-approval-key-of-32-bytes';
export const RUN = 'release-20261122-ab12';

/** A two-approver request of `release`'s `approve` job, with `fields` changed. */
export const approvalRequest = (fields: Partial<ApprovalRequest> = {}): ApprovalRequest => ({
  token: TOKEN,
  runId: RUN,
  workflow: 'release',
  job: 'approve',
  message: 'Deploy 1.2.3 to production?',
  approvers: ['alice@example.com', 'bob@example.com'],
  minApprovals: 1,
  timeoutSeconds: 7200,
  onTimeout: 'reject',
  ...fields,
});
