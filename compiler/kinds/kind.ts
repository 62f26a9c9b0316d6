import type * as z from 'zod';
import type { Template } from '../expr/ast.js';
import type { DocPath, Job, JobKind } from '../ir.js';
import type { Fragment, RunRequest } from '../lower/context.js';
import type { JobBase, NormalizeContext } from '../normalize/context.js';

/** Where a template of a job stands, and which names it may use. */
export interface JobTemplate {
  readonly template: Template;
  readonly path: DocPath;
}

/**
 * One job kind: its schema piece, its normalisation, and what later passes ask of it.
 * Shared passes look kinds up here instead of switching on `kind`.
 */
export interface JobKindModule<S extends z.ZodObject = z.ZodObject> {
  readonly kind: JobKind;
  /** The schema used for validation; its `type` literal is the discriminator. */
  readonly schema: S;
  /** The schema offered to editors: `type` may be left out where the kind is inferred. */
  readonly editorSchema: z.ZodObject;
  /** Whether a job without `type` is of this kind. */
  readonly infer: (job: Readonly<Record<string, unknown>>) => boolean;
  /** Turns validated raw data and the normalised common part into the IR job. */
  readonly normalize: (raw: unknown, base: JobBase, ctx: NormalizeContext) => Job;
  /** Every template of the job (commands, messages, env, `with`). */
  readonly templates: (job: Job) => JobTemplate[];
  /** The states that do the job's work, with its retry and failure handling. */
  readonly lower: (job: Job, request: RunRequest) => Fragment;
}

/** Declares a kind with a typed `normalize`; the registry stores it erased. */
export function defineKind<S extends z.ZodObject, J extends Job>(def: {
  kind: J['kind'];
  schema: S;
  editorSchema: z.ZodObject;
  infer: (job: Readonly<Record<string, unknown>>) => boolean;
  normalize: (raw: z.output<S>, base: JobBase, ctx: NormalizeContext) => J;
  templates: (job: J) => JobTemplate[];
  lower: (job: J, request: RunRequest) => Fragment;
}): JobKindModule<S> {
  return {
    kind: def.kind,
    schema: def.schema,
    editorSchema: def.editorSchema,
    infer: def.infer,
    // Validation ran with `def.schema`, so the raw value has its output type.
    normalize: (raw, base, ctx) => def.normalize(raw as z.output<S>, base, ctx),
    templates: (job) => (job.kind === def.kind ? def.templates(job as J) : []),
    lower: (job, request) => def.lower(job as J, request),
  };
}

/**
 * The IR job: `base` completed in place with the kind's fields (later ones win, as in a
 * spread). `base` is the job's own fresh object; spreading it into a new literal took ten
 * times as long (bases come in many shapes, which sends V8's object spread down its slow
 * path): two thirds of `normalize` at 10,000 jobs.
 */
export function completeJob<J extends Job>(base: JobBase, fields: Omit<J, keyof JobBase> & Partial<J>): J {
  return Object.assign(base, fields) as unknown as J;
}
