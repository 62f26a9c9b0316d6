import { spawnSync } from 'node:child_process';
import { root } from './files.js';

/**
 * vitest global setup: builds `dist/` so that tests which start `bin/waterflow.js` as a process
 * (a second terminal, Ctrl-C, a killed run) run the code under test, not a stale build.
 * tsc emits even with type errors; `npm run typecheck` is what catches those.
 */
export default function setup(): void {
  spawnSync(process.execPath, [`${root}/node_modules/typescript/bin/tsc`, '-p', 'tsconfig.build.json'], {
    cwd: root,
    stdio: 'ignore',
  });
}
