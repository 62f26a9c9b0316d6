import * as z from 'zod';
import type { NestedWorkflowJob, WithValue } from '../ir.js';
import { json, name, workflowName } from '../language/fields.js';
import { jobCommonFields, runnableFields } from '../language/job-common.js';
import { completeJob, defineKind, type JobTemplate } from './kind.js';
import { lowerNestedWorkflow } from './nested-workflow-asl.js';

const { env: _env, artifacts: _artifacts, artifactsFrom: _from, ...nestedRunnable } = runnableFields;

const fields = {
  ...jobCommonFields,
  ...nestedRunnable,
  workflow: workflowName,
  with: z.record(name, json).optional(),
};

/** A job that runs another deployed Waterflow workflow and waits for it. */
export const nestedWorkflowKind = defineKind({
  kind: 'workflow',
  schema: z.strictObject({ type: z.literal('workflow'), ...fields }),
  editorSchema: z.strictObject({ type: z.literal('workflow').optional(), ...fields }),
  infer: (job) => 'workflow' in job,
  normalize: (raw, base, ctx): NestedWorkflowJob => {
    const withValues: Record<string, WithValue> = {};
    for (const [key, value] of Object.entries(raw.with ?? {})) {
      withValues[key] =
        typeof value === 'string'
          ? { kind: 'template', template: ctx.template(value, [...base.path, 'with', key]) }
          : { kind: 'value', value };
    }
    return completeJob<NestedWorkflowJob>(base, {
      kind: 'workflow',
      workflow: raw.workflow,
      with: withValues,
    });
  },
  templates: (job: NestedWorkflowJob): JobTemplate[] =>
    Object.values(job.with).flatMap((value) =>
      value.kind === 'template' ? [{ template: value.template, path: value.template.path ?? job.path }] : [],
    ),
  lower: lowerNestedWorkflow,
});
