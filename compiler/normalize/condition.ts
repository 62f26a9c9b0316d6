import type { DiagnosticSink } from '../diagnostics/sink.js';
import { parseCondition } from '../expr/template.js';
import type { Condition, DocPath } from '../ir.js';

/** The default condition: run when every upstream job succeeded or its failure was tolerated. */
export const SUCCESS: Condition = {
  expr: { kind: 'call', name: 'success', args: [], start: 0, end: 9 },
  source: 'success()',
  offset: 0,
};

/**
 * `if`/`when` as an expression. Booleans and zen-flow's `always`/`never` are accepted as
 * written; a bare expression and one wrapped in `${{ }}` mean the same.
 */
export function normalizeCondition(
  raw: string | boolean | undefined,
  path: DocPath,
  sink: DiagnosticSink,
): Condition {
  if (raw === undefined) return SUCCESS;
  if (typeof raw === 'boolean' || raw === 'never') {
    const value = raw === true;
    return {
      expr: { kind: 'literal', value, start: 0, end: String(raw).length },
      source: String(raw),
      path,
      offset: 0,
    };
  }
  if (raw.trim() === 'always') {
    return {
      expr: { kind: 'call', name: 'always', args: [], start: 0, end: 6 },
      source: raw,
      path,
      offset: 0,
    };
  }
  const parsed = parseCondition(raw);
  for (const error of parsed.errors) sink.error('WF3001', path, error.message, { offset: error.start });
  const expr = parsed.expr ?? { kind: 'literal', value: false, start: 0, end: 0 };
  return { expr, source: raw, path, offset: parsed.offset };
}
