import { type Diagnostic, formatDiagnostic, validateWorkflow } from '../compiler/index.js';
import { type CliIo, ExitCode, readInput } from './io.js';

export interface ValidateOptions {
  readonly format: 'text' | 'json';
}

/** `waterflow validate FILE...`: 0 when every file is valid, 1 when one is not, 2 when one cannot be read. */
export async function validateCommand(
  files: ReadonlyArray<string>,
  options: ValidateOptions,
  io: CliIo,
): Promise<number> {
  const all: Diagnostic[] = [];
  let exit: number = ExitCode.ok;
  for (const file of files) {
    let text: string;
    try {
      text = await readInput(io, file);
    } catch (error) {
      io.stderr(`${(error as Error).message}\n`);
      exit = ExitCode.usage;
      continue;
    }
    const result = validateWorkflow(text, file);
    all.push(...result.diagnostics);
    if (result.workflow === undefined && exit === ExitCode.ok) exit = ExitCode.failed;
    if (options.format === 'text') {
      for (const d of result.diagnostics) io.stdout(`${formatDiagnostic(d)}\n`);
      const warnings = result.diagnostics.filter((d) => d.severity === 'warning').length;
      if (result.workflow !== undefined) {
        const jobs = result.workflow.jobs.length;
        io.stdout(
          `${file}: valid (${jobs} job${jobs === 1 ? '' : 's'}${warnings > 0 ? `, ${warnings} warning${warnings === 1 ? '' : 's'}` : ''})\n`,
        );
      } else {
        const errors = result.diagnostics.length - warnings;
        io.stdout(`${file}: invalid (${errors} error${errors === 1 ? '' : 's'})\n`);
      }
    }
  }
  if (options.format === 'json') io.stdout(`${JSON.stringify(all, null, 2)}\n`);
  return exit;
}
