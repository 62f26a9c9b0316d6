import { checkExpressions } from './check/expressions.js';
import { type Diagnostic, hasErrors, sortDiagnostics } from './diagnostics/diagnostic.js';
import { checkGraph, checkStructure } from './graph/check-graph.js';
import type { WorkflowGraph } from './graph/graph.js';
import { skeletonFromData } from './graph/skeleton.js';
import type { Workflow } from './ir.js';
import { normalize } from './normalize/normalize.js';
import { parse } from './parse/parse.js';
import type { SourceMap } from './parse/source.js';
import { validate } from './validate/validate.js';

export interface ValidationResult {
  /** Present when there is no error (warnings may remain). */
  readonly workflow?: Workflow;
  readonly graph?: WorkflowGraph;
  /** Locates document paths, for the diagnostics of later passes (compile). */
  readonly source?: SourceMap;
  /** Sorted by position. */
  readonly diagnostics: ReadonlyArray<Diagnostic>;
}

/**
 * Runs the front passes, `parse -> validate -> normalize -> graph -> expressions`, on one
 * file's text. Each pass reports everything it finds; a pass runs only on error-free input,
 * except the structural graph checks, which also run on the parts of a misshapen file that
 * have the right shape.
 * Never throws on user input.
 */
export function validateWorkflow(text: string, file: string): ValidationResult {
  const parsed = parse(text, file);
  if (parsed.parsed === undefined) return { diagnostics: sortDiagnostics(parsed.diagnostics) };
  const { source, data } = parsed.parsed;
  const shaped = validate(parsed.parsed);
  if (shaped.workflow === undefined) {
    // Names and edges can still be checked on what has the right shape: report those too.
    const structural = checkStructure(skeletonFromData(data), source);
    return { diagnostics: sortDiagnostics([...shaped.diagnostics, ...structural]) };
  }
  const normalized = normalize(shaped.workflow, source);
  const diagnostics = [...shaped.diagnostics, ...normalized.diagnostics];
  if (hasErrors(diagnostics)) return { diagnostics: sortDiagnostics(diagnostics) };
  const graphed = checkGraph(normalized.workflow, source);
  diagnostics.push(...graphed.diagnostics);
  if (graphed.graph === undefined) return { diagnostics: sortDiagnostics(diagnostics) };
  diagnostics.push(...checkExpressions(normalized.workflow, graphed.graph, source));
  const sorted = sortDiagnostics(diagnostics);
  if (hasErrors(sorted)) return { diagnostics: sorted };
  return { workflow: normalized.workflow, graph: graphed.graph, source, diagnostics: sorted };
}
