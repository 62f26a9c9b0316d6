import type * as z from 'zod';
import type { DiagnosticSink } from '../diagnostics/sink.js';
import type { Template } from '../expr/ast.js';
import type { ContainerAction, DocPath, EnvVar, JobCommon, Resources } from '../ir.js';
import type { containerAction, env, resources } from '../language/blocks.js';
import type { defaults } from '../language/workflow-schema.js';

/** The normalised part every job kind shares; a kind module adds its own fields. */
export type JobBase = JobCommon;

export type RawEnv = z.output<typeof env>;
export type RawResources = z.output<typeof resources>;
export type RawContainerAction = z.output<typeof containerAction>;
export type RawDefaults = z.output<typeof defaults>;

/** What kind modules get from `normalize`: the sink, the defaults and shared value normalisers. */
export interface NormalizeContext {
  readonly sink: DiagnosticSink;
  readonly defaults: RawDefaults;
  readonly workflowName: string;
  /** Parses a `${{ }}` template, reporting syntax errors at `path`. */
  template(source: string, path: DocPath): Template;
  /** A list of templates from a string or a list of strings. */
  templates(value: string | ReadonlyArray<string>, path: DocPath): Template[];
  env(raw: RawEnv | undefined, path: DocPath): EnvVar[];
  /** Resources merged over `spec.defaults.resources` and rounded up to a Fargate size. */
  resources(raw: RawResources | undefined, path: DocPath): Resources;
  action(raw: RawContainerAction, path: DocPath, defaultName: string): ContainerAction;
}
