export type { Diagnostic, DiagnosticCode, Severity } from './diagnostics/diagnostic.js';
export { diagnosticCodes, hasErrors } from './diagnostics/diagnostic.js';
export { formatDiagnostic, formatDiagnostics, formatPath } from './diagnostics/format.js';
export type { WorkflowGraph } from './graph/graph.js';
export type * from './ir.js';
export { workflowJsonSchema } from './language/json-schema.js';
export { type ValidationResult, validateWorkflow } from './validate-workflow.js';
