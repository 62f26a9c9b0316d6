/** How bad a diagnostic is: errors stop compilation, warnings do not. */
export type Severity = 'error' | 'warning';

/**
 * One problem found in a workflow file. Diagnostics are data: passes return them, the CLI
 * prints them once. `path` is the location in the document (`spec.stages[0].jobs[1].needs[0]`
 * as an array); `line` and `column` are 1-based and point at the YAML node.
 */
export interface Diagnostic {
  readonly code: DiagnosticCode;
  readonly severity: Severity;
  readonly message: string;
  readonly path: ReadonlyArray<string | number>;
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly hint?: string;
}

/**
 * Stable diagnostic codes. WF1xxx: syntax and shape; WF2xxx: names and graph; WF3xxx:
 * expressions; WF4xxx: compilation limits. A code never changes meaning once released.
 */
export const diagnosticCodes = {
  WF1001: 'YAML syntax error',
  WF1002: 'document is empty or not a mapping',
  WF1003: 'more than one YAML document',
  WF1004: 'unsupported apiVersion or kind',
  WF1101: 'wrong type',
  WF1102: 'unknown field',
  WF1103: 'missing required field',
  WF1104: 'value not allowed',
  WF1105: 'invalid format',
  WF1106: 'value out of range',
  WF1107: 'unknown job type',
  WF1108: 'conflicting fields',
  WF1201: 'invalid duration',
  WF1202: 'no Fargate size fits the resources',
  WF1203: 'invalid cron expression',
  WF1204: 'unknown time zone',
  WF1205: 'param default or value does not match its type',
  WF1206: 'inconsistent retry policy',
  WF1207: 'invalid secret source',
  WF1208: 'invalid matrix',
  WF2001: 'duplicate job name',
  WF2002: 'duplicate stage name',
  WF2003: 'unknown job in needs',
  WF2004: 'unknown stage in dependsOn',
  WF2005: 'self-dependency',
  WF2006: 'dependency cycle between jobs',
  WF2007: 'dependency cycle between stages',
  WF2008: 'empty stage',
  WF2009: 'unknown secret',
  WF2010: 'unknown artifact',
  WF2011: 'duplicate declaration',
  WF2101: 'unused param',
  WF2102: 'unused secret',
  WF2103: 'job can never run',
  WF3001: 'expression syntax error',
  WF3002: 'unknown name in expression',
  WF3003: 'job is not upstream',
  WF3004: 'undeclared output',
  WF3005: 'unknown matrix key',
  WF3006: 'unknown function',
  WF3007: 'name not available here',
  WF3008: 'comparison of incompatible types',
  WF4001: 'workflow exceeds a Step Functions limit',
  WF4002: 'expression not supported in Step Functions',
  WF4003: 'not available in AWS',
} as const;

export type DiagnosticCode = keyof typeof diagnosticCodes;

/** True when any diagnostic in the list is an error. */
export function hasErrors(diagnostics: ReadonlyArray<Diagnostic>): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/** Orders diagnostics by file, line, column, then code, so that output is stable. */
export function sortDiagnostics(diagnostics: ReadonlyArray<Diagnostic>): Diagnostic[] {
  return [...diagnostics].sort(
    (a, b) =>
      a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.code.localeCompare(b.code),
  );
}
