import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The file, inside a job's workdir, that `$WATERFLOW_OUTPUT` names. */
export const OUTPUT_FILE = '.waterflow-output';

/**
 * The outputs a job wrote to `$WATERFLOW_OUTPUT` in `workdir`: `key=value` lines and GitHub's
 * `key<<DELIMITER` heredoc form; the last value of a key wins; an absent file gives no outputs.
 */
export function readOutputs(workdir: string): Record<string, string> {
  const file = join(workdir, OUTPUT_FILE);
  return existsSync(file) ? parseOutputs(readFileSync(file, 'utf8')) : {};
}

/** Parses the text of an outputs file (see `readOutputs`); lines that are neither form are skipped. */
export function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc?.[1] !== undefined && heredoc[2] !== undefined) {
      const end = lines.indexOf(heredoc[2], i + 1);
      // An unterminated heredoc is not an output (GitHub fails the step; here it is ignored).
      if (end < 0) continue;
      outputs[heredoc[1]] = lines.slice(i + 1, end).join('\n');
      i = end;
      continue;
    }
    const eq = line.indexOf('=');
    if (eq > 0) outputs[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return outputs;
}
