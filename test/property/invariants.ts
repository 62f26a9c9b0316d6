import { diagnosticCodes } from '../../compiler/diagnostics/diagnostic.js';
import { type ValidationResult, validateWorkflow } from '../../compiler/validate-workflow.js';

/** The file name every property passes to `validateWorkflow`. */
export const FILE = 'workflow.yaml';

/** The lengths of the lines of `text` in UTF-16 units, as the yaml package counts columns. */
function lineLengths(text: string): number[] {
  return text.split('\n').map((line) => line.length);
}

/**
 * What is wrong with a validation result, whatever the input: a workflow comes with no error
 * and a graph, otherwise there is at least one error; every diagnostic has a known code and is
 * located in `text`, and they come sorted by position.
 */
export function violations(text: string, result: ValidationResult): string[] {
  const problems: string[] = [];
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  if (result.workflow !== undefined && errors.length > 0) {
    problems.push(`a workflow is returned together with ${errors.length} error(s)`);
  }
  if (result.workflow === undefined && errors.length === 0) {
    problems.push('no workflow is returned, but there is no error to say why');
  }
  if ((result.workflow === undefined) !== (result.graph === undefined)) {
    problems.push('the workflow and its graph must be returned together');
  }
  const lines = lineLengths(text);
  result.diagnostics.forEach((d, i) => {
    const at = `diagnostic ${i} (${d.code} ${d.line}:${d.column} ${JSON.stringify(d.message)})`;
    if (!Object.hasOwn(diagnosticCodes, d.code)) problems.push(`${at}: unknown code`);
    if (d.severity !== 'error' && d.severity !== 'warning') problems.push(`${at}: severity ${d.severity}`);
    if (d.file !== FILE) problems.push(`${at}: file ${JSON.stringify(d.file)}`);
    if (!Number.isInteger(d.line) || d.line < 1 || d.line > lines.length + 1) {
      problems.push(`${at}: line outside 1..${lines.length + 1}`);
    }
    // A column may point just past the end of its line (a missing value, the end of the text).
    const width = lines[d.line - 1] ?? 0;
    if (!Number.isInteger(d.column) || d.column < 1 || d.column > width + 1) {
      problems.push(`${at}: column outside 1..${width + 1}`);
    }
    if (typeof d.message !== 'string' || d.message.trim() === '') problems.push(`${at}: empty message`);
    if (d.hint !== undefined && (typeof d.hint !== 'string' || d.hint.trim() === '')) {
      problems.push(`${at}: empty hint`);
    }
    const pathOk = Array.isArray(d.path) && d.path.every((s) => typeof s === 'string' || Number.isInteger(s));
    if (!pathOk) problems.push(`${at}: path ${JSON.stringify(d.path)} is not a list of keys and indexes`);
    const previous = result.diagnostics[i - 1];
    if (
      previous !== undefined &&
      (previous.line > d.line || (previous.line === d.line && previous.column > d.column))
    ) {
      problems.push(`${at}: not sorted by position after ${previous.line}:${previous.column}`);
    }
  });
  return problems;
}

/** Runs `fn` and returns what it wrote to the console or as process warnings. */
function captureOutput<T>(fn: () => T): { value: T; output: string[] } {
  const output: string[] = [];
  const saved = {
    emitWarning: process.emitWarning,
    log: console.log,
    warn: console.warn,
    error: console.error,
  };
  const record = (...args: unknown[]): void => {
    output.push(args.map(String).join(' '));
  };
  process.emitWarning = record;
  console.log = record;
  console.warn = record;
  console.error = record;
  try {
    return { value: fn(), output };
  } finally {
    process.emitWarning = saved.emitWarning;
    console.log = saved.log;
    console.warn = saved.warn;
    console.error = saved.error;
  }
}

/**
 * Validates `text` and throws, with the text and the problems, when an invariant is broken.
 * `validateWorkflow` itself throwing fails the property too: fast-check reports the error.
 */
export function checkValidation(text: string): ValidationResult {
  const { value: result, output } = captureOutput(() => validateWorkflow(text, FILE));
  const problems = violations(text, result);
  // The compiler does no I/O (DESIGN section 1): diagnostics are its only output.
  for (const line of output) problems.push(`wrote to the console: ${line}`);
  if (problems.length > 0) {
    throw new Error(`invariants broken:\n  ${problems.join('\n  ')}\n--- text ---\n${text}`);
  }
  return result;
}
