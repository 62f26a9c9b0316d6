import * as z from 'zod';
import { commands, duration, envName, image, json, name, scalar } from './fields.js';

/** `{ secretKeyRef: { name, key } }`: an env value read from a declared secret. */
export const secretKeyRef = z.strictObject({
  secretKeyRef: z.strictObject({ name, key: z.string().min(1).optional() }),
});

const envMap = z.record(envName, z.union([scalar, secretKeyRef]));
const envList = z.array(
  z.union([
    z.strictObject({ name: envName, value: scalar }),
    z.strictObject({ name: envName, valueFrom: secretKeyRef }),
  ]),
);

/** Environment: a map, or a Kubernetes-style list of `{ name, value | valueFrom }`. */
export const env = z.union([envMap, envList]);

export const retry = z.strictObject({
  maxAttempts: z.int().min(1).max(100),
  backoff: z.enum(['exponential', 'linear', 'fixed']).optional(),
  delay: duration.optional(),
  factor: z.number().min(1).max(10).optional(),
  maxDelay: duration.optional(),
  jitter: z.enum(['none', 'full']).optional(),
});

const quantity = z.union([z.string(), z.number()]);

/** Requested resources; rounded up to a Fargate size by `normalize`. */
export const resources = z.strictObject({
  cpu: quantity.optional(),
  memory: quantity.optional(),
  disk: quantity.optional(),
});

export const exitCodes = z.array(
  z.strictObject({
    action: z.enum(['Ignore', 'Count', 'FailJob']),
    operator: z.enum(['In', 'NotIn']).optional(),
    values: z.array(z.int().min(0).max(255)).min(1),
  }),
);

export const matrix = z.strictObject({
  values: z.record(name, z.array(scalar)).optional(),
  include: z.array(z.record(name, scalar)).optional(),
  exclude: z.array(z.record(name, scalar)).optional(),
  fromJson: z.string().optional(),
  maxParallel: z.int().min(1).max(10_000).optional(),
  failFast: z.boolean().optional(),
});

export const artifact = z.strictObject({ name, path: z.string().min(1) });
export const artifactsFrom = z.strictObject({ job: name, artifacts: z.array(name).min(1) });

/** A container run outside the DAG: `compensate` of a job, or the workflow's `onExit`. */
export const containerAction = z.strictObject({
  name: name.optional(),
  container: image.optional(),
  commands,
  env: env.optional(),
  resources: resources.optional(),
  timeout: duration.optional(),
});

export const param = z.strictObject({
  type: z.enum(['string', 'integer', 'number', 'boolean', 'array', 'object']).optional(),
  default: json.optional(),
  required: z.boolean().optional(),
  enum: z.array(json).min(1).optional(),
  description: z.string().optional(),
});
