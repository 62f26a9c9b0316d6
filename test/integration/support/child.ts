import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { root } from '../../support/files.js';

/** A second `node` process that runs a script importing the repository's TypeScript sources. */
export interface Child {
  /** The next JSON line the child prints on stdout. */
  next(): Promise<unknown>;
  /** Writes one line to the child's stdin. */
  send(line: string): void;
  /** Resolves with the exit code once the child has exited. */
  readonly exited: Promise<number | null>;
  kill(): void;
}

/** URL of a repository file, for `import` statements in child scripts. */
export function sourceUrl(path: string): string {
  return pathToFileURL(join(root, path)).href;
}

/** Writes `script` (an ES module) to `dir` and runs it with TypeScript imports enabled. */
export async function spawnScript(
  dir: string,
  script: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Child> {
  const file = join(dir, `child-${Math.random().toString(36).slice(2)}.mjs`);
  await writeFile(file, script);
  const register = join(root, 'test/integration/support/register-ts.mjs');
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, ['--import', register, file], {
    env,
    stdio: 'pipe',
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  return {
    async next() {
      const line = await lines.next();
      if (line.done === true) throw new Error(`the child exited without a line; stderr:\n${stderr}`);
      return JSON.parse(line.value);
    },
    send(line) {
      child.stdin.write(`${line}\n`);
    },
    exited,
    kill() {
      if (child.exitCode === null) child.kill();
    },
  };
}
