import { type App, Aspects } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readConfig } from './config.js';
import { WaterflowStack } from './waterflow-stack.js';
import type { WorkflowSource } from './workflows.js';

export interface BuildOptions {
  /** Workflows to deploy instead of reading `workflowsDir` (tests). */
  readonly workflows?: ReadonlyArray<WorkflowSource>;
  /** Run cdk-nag's AwsSolutions checks as an aspect. @default true */
  readonly nag?: boolean;
}

/** Adds the Waterflow stack, configured from the app's context, and the cdk-nag checks. */
export function buildApp(app: App, options: BuildOptions = {}): WaterflowStack {
  const config = readConfig((key) => app.node.tryGetContext(key));
  const stack = new WaterflowStack(app, config.stackName, {
    config,
    description: 'Waterflow: YAML workflows on Step Functions and ECS Fargate',
    ...(options.workflows === undefined ? {} : { workflows: options.workflows }),
  });
  if (options.nag !== false) Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
  return stack;
}
