import type { DocPath } from '../ir.js';
import type { SourceMap } from '../parse/source.js';
import type { Diagnostic, DiagnosticCode, Severity } from './diagnostic.js';

export interface ReportOptions {
  readonly hint?: string | undefined;
  /** Point at the key of the mapping entry rather than at its value. */
  readonly target?: 'value' | 'key';
  /** Point `offset` characters into the scalar at the path. */
  readonly offset?: number | undefined;
}

/** Collects located diagnostics over a whole file; passes add to it, the caller reads `list`. */
export class DiagnosticSink {
  readonly list: Diagnostic[] = [];

  constructor(private readonly source: SourceMap) {}

  error(code: DiagnosticCode, path: DocPath, message: string, options: ReportOptions = {}): void {
    this.add('error', code, path, message, options);
  }

  warning(code: DiagnosticCode, path: DocPath, message: string, options: ReportOptions = {}): void {
    this.add('warning', code, path, message, options);
  }

  get hasErrors(): boolean {
    return this.list.some((d) => d.severity === 'error');
  }

  private add(
    severity: Severity,
    code: DiagnosticCode,
    path: DocPath,
    message: string,
    options: ReportOptions,
  ) {
    const position =
      options.offset === undefined
        ? this.source.locate(path, options.target)
        : this.source.locateInScalar(path, options.offset);
    const base = { code, severity, message, path: [...path], file: this.source.file, ...position };
    this.list.push(options.hint === undefined ? base : { ...base, hint: options.hint });
  }
}
