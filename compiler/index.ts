export type {
  ChoiceState,
  MapState,
  ParallelState,
  PassState,
  State,
  StateGraph,
  StateMachine,
  TaskState,
} from './asl/types.js';
export { type CompileOptions, compile, compileWorkflow, LIMITS } from './compile/compile.js';
export type * from './compile/output.js';
export type { Diagnostic, DiagnosticCode, Severity } from './diagnostics/diagnostic.js';
export { diagnosticCodes, hasErrors } from './diagnostics/diagnostic.js';
export { formatDiagnostic, formatDiagnostics, formatPath } from './diagnostics/format.js';
export type { WorkflowGraph } from './graph/graph.js';
export type * from './ir.js';
export { workflowJsonSchema } from './language/json-schema.js';
export { jobHash } from './lower/job-hash.js';
export { type ReusedResult, reusedResult } from './lower/reuse.js';
export { type ValidationResult, validateWorkflow } from './validate-workflow.js';
