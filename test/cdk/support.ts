import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../cdk/lib/app.js';
import type { WaterflowStack } from '../../cdk/lib/waterflow-stack.js';
import type { WorkflowSource } from '../../cdk/lib/workflows.js';

/** A CloudFormation template's JSON, as `Template.toJSON()` gives it. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface Resource {
  readonly Type: string;
  readonly Properties?: { [key: string]: Json };
}

export interface Synthesized {
  readonly stack: WaterflowStack;
  readonly template: Template;
  /** Error and warning annotations (cdk-nag's findings among them), as `<path>: <message>`. */
  readonly errors: ReadonlyArray<string>;
  readonly warnings: ReadonlyArray<string>;
}

/**
 * The Waterflow stack of an app with `context`, synthesized once (a second synth would run the
 * aspects again), its handlers not bundled (the tests read the template; `cdk synth` bundles
 * them), with cdk-nag's checks applied.
 */
export function synthStack(
  context: Record<string, unknown> = {},
  workflows?: ReadonlyArray<WorkflowSource>,
): Synthesized {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } });
  const stack = buildApp(app, workflows === undefined ? {} : { workflows });
  const artifact = app.synth().getStackArtifact(stack.artifactId);
  const messages = (level: string) =>
    artifact.messages.filter((m) => m.level === level).map((m) => `${m.id}: ${String(m.entry.data)}`);
  return {
    stack,
    template: Template.fromJSON(artifact.template as Record<string, unknown>),
    errors: messages('error'),
    warnings: messages('warning'),
  };
}

/** Every statement of every policy document in the template, with where it is. */
export function policyStatements(
  resources: Readonly<Record<string, Resource>>,
): Array<{ readonly where: string; readonly statement: { [key: string]: Json } }> {
  const found: Array<{ readonly where: string; readonly statement: { [key: string]: Json } }> = [];
  const visit = (value: Json, where: string): void => {
    if (Array.isArray(value)) {
      value.forEach((item, i) => {
        visit(item, `${where}[${i}]`);
      });
      return;
    }
    if (value === null || typeof value !== 'object') return;
    const statements = value.Statement;
    if (Array.isArray(statements)) {
      for (const statement of statements) {
        if (statement !== null && typeof statement === 'object' && !Array.isArray(statement)) {
          found.push({ where, statement });
        }
      }
    }
    for (const [key, child] of Object.entries(value)) visit(child, `${where}.${key}`);
  };
  for (const [id, resource] of Object.entries(resources)) visit(resource.Properties ?? {}, id);
  return found;
}

/** An IAM statement's actions as a list. */
export function actionsOf(statement: { [key: string]: Json }): string[] {
  const actions = statement.Action;
  if (typeof actions === 'string') return [actions];
  return Array.isArray(actions) ? actions.filter((a): a is string => typeof a === 'string') : [];
}
