import { stringify } from 'yaml';
import { validateWorkflow } from '../../compiler/index.js';
import type { Job, Workflow } from '../../compiler/ir.js';

/** A minimal valid workflow around the given stages, as YAML text. */
export function workflowYaml(spec: Record<string, unknown>, name = 'test-workflow'): string {
  return stringify({ apiVersion: 'waterflow.io/v1', kind: 'Workflow', metadata: { name }, spec });
}

/** A container job with a no-op command, merged with `fields`. */
export function job(name: string, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return { name, container: 'alpine:3.20', commands: ['true'], ...fields };
}

/** Validates a spec that must be valid; throws with the diagnostics if it is not. */
export function validSpec(spec: Record<string, unknown>): Workflow {
  const result = validateWorkflow(workflowYaml(spec), 'test.yaml');
  if (result.workflow === undefined) {
    throw new Error(
      `expected a valid workflow:\n${result.diagnostics.map((d) => `${d.code} ${d.message}`).join('\n')}`,
    );
  }
  return result.workflow;
}

/** The normalised job of that name. */
export function jobNamed(workflow: Workflow, name: string): Job {
  const found = workflow.jobs.find((j) => j.name === name);
  if (found === undefined) throw new Error(`no job ${name}`);
  return found;
}

/** `file:line:col CODE message` lines of a YAML text, for inline snapshots. */
export function problems(text: string): string[] {
  return validateWorkflow(text, 'wf.yaml').diagnostics.map(
    (d) => `${d.line}:${d.column} ${d.code} ${d.message}${d.hint === undefined ? '' : ` | ${d.hint}`}`,
  );
}
