import * as z from 'zod';
import { workflowEditorSchema } from './workflow-schema.js';

/** The JSON Schema of the language, for editors (yaml-language-server) and other tools. */
export function workflowJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(workflowEditorSchema, {
    io: 'input',
    unrepresentable: 'any',
    target: 'draft-7',
  });
  return {
    ...schema,
    $id: 'https://waterflow.dev/schema/waterflow.io/v1/workflow.json',
    title: 'Waterflow workflow (waterflow.io/v1)',
  };
}
