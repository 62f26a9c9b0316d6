import * as z from 'zod';
import type { ContainerJob } from '../ir.js';
import { exitCodes, resources } from '../language/blocks.js';
import { commands, image } from '../language/fields.js';
import { jobCommonFields, runnableFields } from '../language/job-common.js';
import { lowerContainer } from './container-asl.js';
import { completeJob, defineKind, type JobTemplate } from './kind.js';

const fields = {
  ...jobCommonFields,
  ...runnableFields,
  container: image.optional(),
  commands,
  resources: resources.optional(),
  exitCodes: exitCodes.optional(),
};

/** A job that runs shell commands in a container: an ECS Fargate task in AWS. */
export const containerKind = defineKind({
  kind: 'container',
  schema: z.strictObject({ type: z.literal('container'), ...fields }),
  editorSchema: z.strictObject({ type: z.literal('container').optional(), ...fields }),
  infer: (job) => !('workflow' in job),
  normalize: (raw, base, ctx): ContainerJob => {
    const image = raw.container ?? ctx.defaults.container;
    if (image === undefined) {
      ctx.sink.error('WF1103', base.path, `job "${base.name}" has no container image`, {
        hint: 'add "container: <image>" to the job, or "container" to spec.defaults',
      });
    }
    return completeJob<ContainerJob>(base, {
      kind: 'container',
      image: image ?? '',
      commands: ctx.templates(raw.commands, [...base.path, 'commands']),
      resources: ctx.resources(raw.resources, [...base.path, 'resources']),
      exitCodes: (raw.exitCodes ?? []).map((rule) => ({
        action: rule.action,
        operator: rule.operator ?? 'In',
        values: rule.values,
      })),
    });
  },
  templates: (job: ContainerJob): JobTemplate[] =>
    job.commands.map((template) => ({ template, path: template.path ?? job.path })),
  lower: lowerContainer,
});
