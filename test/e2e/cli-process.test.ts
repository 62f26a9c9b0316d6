import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root } from '../support/files.js';

/** `waterflow <args>` with its stdout closed by the reader before it prints: `| head` at its end. */
function withClosedStdout(args: ReadonlyArray<string>): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [join(root, 'bin', 'waterflow.js'), ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Closed long before the process has loaded enough to print anything.
  child.stdout.destroy();
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stderr })));
}

describe('the waterflow process', () => {
  it('ends quietly when the reader of its output stops early, as under | head', async () => {
    const { code, stderr } = await withClosedStdout(['schema']);

    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});
