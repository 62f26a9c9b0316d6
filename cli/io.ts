import { mkdir, readFile, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { unreadableBecause } from '../local/read-errors.js';

/** What the CLI touches outside itself; tests pass their own. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly readFile: (path: string) => Promise<string>;
}

export const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  readFile: (path) => readFile(path, 'utf8'),
};

/** Exit codes of the CLI contract. */
export const ExitCode = { ok: 0, failed: 1, usage: 2 } as const;

/** A user mistake the CLI reports in one line and exits with `code`, never with a stack trace. */
export class CliError extends Error {
  override readonly name = 'CliError';

  constructor(
    message: string,
    readonly code: number = ExitCode.usage,
  ) {
    super(message);
  }
}

/** Reads a file, turning fs errors into a one-line CliError. */
export async function readInput(io: CliIo, path: string): Promise<string> {
  try {
    return await io.readFile(path);
  } catch (error) {
    throw new CliError(`${path}: cannot read the file: ${unreadableBecause(error)}`);
  }
}

/**
 * `mkdir -p` that cannot spin: Node's recursive mkdir loops forever, at full CPU, where the
 * system answers ENOENT for a directory whose parent exists (`-o /proc/out`). Resolves once
 * `dir` is a directory; otherwise throws the system's error.
 */
export async function makeDirectory(dir: string): Promise<void> {
  const path = resolve(dir);
  try {
    await mkdir(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' && (await stat(path)).isDirectory()) return;
    const parent = dirname(path);
    if (code !== 'ENOENT' || parent === path || (await isDirectory(parent))) throw error;
    await makeDirectory(parent);
    // Once more, now that the parent exists: an ENOENT again is thrown above.
    await makeDirectory(path);
  }
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
