import * as z from 'zod';
import type { ApprovalJob } from '../ir.js';
import { jobCommonFields } from '../language/job-common.js';
import { lowerApproval } from './approval-asl.js';
import { completeJob, defineKind } from './kind.js';

/** Approvals wait a day unless told otherwise; `spec.defaults.timeout` is for containers. */
const DEFAULT_APPROVAL_TIMEOUT_SECONDS = 24 * 60 * 60;

const fields = {
  ...jobCommonFields,
  message: z.string().optional(),
  approvers: z.array(z.string().min(1)).min(1).optional(),
  minApprovals: z.int().min(1).max(100).optional(),
  onTimeout: z.enum(['reject', 'approve']).optional(),
};

/** A job that pauses the run until people approve or reject it. */
export const approvalKind = defineKind({
  kind: 'approval',
  schema: z.strictObject({ type: z.literal('approval'), ...fields }),
  editorSchema: z.strictObject({ type: z.literal('approval'), ...fields }),
  infer: () => false,
  normalize: (raw, base, ctx): ApprovalJob => {
    const approvers = raw.approvers ?? [];
    const minApprovals = raw.minApprovals ?? 1;
    if (approvers.length > 0 && minApprovals > approvers.length) {
      ctx.sink.error(
        'WF1106',
        [...base.path, 'minApprovals'],
        `job "${base.name}" needs ${minApprovals} approvals but names only ${approvers.length} approver${approvers.length === 1 ? '' : 's'}`,
        { hint: 'lower minApprovals or add approvers' },
      );
    }
    const message = raw.message ?? `Approve "${base.name}" in workflow "${ctx.workflowName}"?`;
    return completeJob<ApprovalJob>(base, {
      kind: 'approval',
      timeoutSeconds: raw.timeout ?? DEFAULT_APPROVAL_TIMEOUT_SECONDS,
      message: ctx.template(message, raw.message === undefined ? base.path : [...base.path, 'message']),
      approvers,
      minApprovals,
      onTimeout: raw.onTimeout ?? 'reject',
    });
  },
  templates: (job: ApprovalJob) => [{ template: job.message, path: job.message.path ?? job.path }],
  lower: lowerApproval,
});
