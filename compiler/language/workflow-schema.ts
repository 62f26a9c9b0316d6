import * as z from 'zod';
import { jobKinds, jobValidationSchemas } from '../kinds/registry.js';
import { containerAction, env, param, resources, retry } from './blocks.js';
import { cron, duration, image, json, name, timezone, workflowName } from './fields.js';
import { report } from './issue.js';

export const API_VERSION = 'waterflow.io/v1';
export const KIND = 'Workflow';

const secretSource = z.string().superRefine((input, ctx) => {
  if (/^(aws-secretsmanager|ssm|env):\/\/\S+$/.test(input)) return;
  const scheme = /^(aws-secretsmanager|ssm|env):\/\/$/.exec(input)?.[1];
  if (scheme !== undefined) {
    report(ctx, {
      code: 'WF1207',
      message: `secret source "${input}" names no secret after "${scheme}://"`,
      hint: scheme === 'env' ? 'write env://VARIABLE_NAME' : `write ${scheme}://<name>`,
    });
    return;
  }
  report(ctx, {
    code: 'WF1207',
    message: `secret source "${input}" is not one of aws-secretsmanager://, ssm:// or env://`,
    hint: 'for example "aws-secretsmanager://prod/db", "ssm:///prod/db/password" or "env://DB_PASSWORD"',
  });
});

export const defaults = z.strictObject({
  retry: retry.optional(),
  timeout: duration.optional(),
  resources: resources.optional(),
  container: image.optional(),
});

const metadata = z.strictObject({
  name: workflowName,
  description: z.string().optional(),
  labels: z.record(z.string(), z.string()).optional(),
});

/** The workflow schema around a job schema: validation and editors use different job unions. */
function workflowSchema<J extends z.ZodType>(job: J) {
  const stage = z.strictObject({
    name,
    description: z.string().optional(),
    dependsOn: z.array(z.string()).optional(),
    onFailure: z.enum(['fail', 'continue']).optional(),
    jobs: z.array(job),
  });
  const spec = z.strictObject({
    params: z.record(name, param).optional(),
    schedule: z
      .array(z.strictObject({ cron, timezone: timezone.optional(), params: z.record(name, json).optional() }))
      .optional(),
    concurrency: z.strictObject({ policy: z.enum(['Allow', 'Forbid', 'Replace']) }).optional(),
    timeout: duration.optional(),
    ttlAfterFinished: duration.optional(),
    failFast: z.boolean().optional(),
    env: env.optional(),
    secrets: z.array(z.strictObject({ name, source: secretSource })).optional(),
    defaults: defaults.optional(),
    stages: z.array(stage).min(1),
    onExit: containerAction.optional(),
  });
  return z.strictObject({
    apiVersion: z.literal(API_VERSION),
    kind: z.literal(KIND),
    metadata,
    spec,
  });
}

const [first, ...rest] = jobKinds;
if (first === undefined) throw new TypeError('no job kinds registered');

/** Validation schema: jobs carry an explicit `type` (the parse step infers it where absent). */
export const workflowValidationSchema = workflowSchema(z.discriminatedUnion('type', jobValidationSchemas));

/** Editor schema: what a user may write, `type` optional where it can be inferred. */
export const workflowEditorSchema = workflowSchema(
  z.union([first.editorSchema, ...rest.map((k) => k.editorSchema)]),
);

export type RawWorkflow = z.output<typeof workflowValidationSchema>;
export type RawSpec = RawWorkflow['spec'];
export type RawStage = RawSpec['stages'][number];
export type RawJob = RawStage['jobs'][number];
