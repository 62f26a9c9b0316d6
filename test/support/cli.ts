import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { main } from '../../cli/main.js';
import { root } from './files.js';

/** Runs the CLI in-process from the repository root; returns exit code and output. */
export async function runCli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    readFile: (path) => readFile(join(root, path), 'utf8'),
  });
  return { code, stdout, stderr };
}
