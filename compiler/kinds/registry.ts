import type { JobKind } from '../ir.js';
import { approvalKind } from './approval.js';
import { containerKind } from './container.js';
import type { JobKindModule } from './kind.js';
import { nestedWorkflowKind } from './nested-workflow.js';

/** Every job kind, in the order used to infer a kind when `type` is absent. */
export const jobKinds: ReadonlyArray<JobKindModule> = [approvalKind, nestedWorkflowKind, containerKind];

/** The kinds' validation schemas as a tuple, so that the job union keeps each kind's type. */
export const jobValidationSchemas = [
  approvalKind.schema,
  nestedWorkflowKind.schema,
  containerKind.schema,
] as const;

/** The module of a kind. */
export function kindModule(kind: JobKind): JobKindModule {
  const found = jobKinds.find((k) => k.kind === kind);
  if (found === undefined) throw new TypeError(`no job kind module for "${kind}"`);
  return found;
}

/** The kind a job without `type` has. */
export function inferKind(job: Readonly<Record<string, unknown>>): JobKind {
  return (jobKinds.find((k) => k.infer(job)) ?? containerKind).kind;
}
