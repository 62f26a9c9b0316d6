import * as z from 'zod';
import { artifact, artifactsFrom, containerAction, env, matrix, retry } from './blocks.js';
import { condition, duration, name } from './fields.js';

/** Fields every job kind accepts. */
export const jobCommonFields = {
  name,
  description: z.string().optional(),
  needs: z.array(z.string()).optional(),
  if: condition.optional(),
  when: condition.optional(),
  continueOnFailure: z.boolean().optional(),
  timeout: duration.optional(),
};

/** Fields of jobs that run something and may repeat, fan out and pass data on. */
export const runnableFields = {
  env: env.optional(),
  retry: retry.optional(),
  matrix: matrix.optional(),
  outputs: z.array(name).optional(),
  artifacts: z.array(artifact).optional(),
  artifactsFrom: z.array(artifactsFrom).optional(),
  compensate: containerAction.optional(),
};

export type RawJobCommon = z.output<z.ZodObject<typeof jobCommonFields>>;
export type RawRunnable = z.output<z.ZodObject<typeof runnableFields>>;
