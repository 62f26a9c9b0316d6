import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, for tests that read examples and fixtures. */
export const root = fileURLToPath(new URL('../../', import.meta.url));

/** Files in a folder of the repository, as `{ name, path, text }`, sorted by name. */
export function filesIn(
  folder: string,
  extension: string,
): Array<{ name: string; path: string; text: string }> {
  const dir = join(root, folder);
  return readdirSync(dir)
    .filter((file) => file.endsWith(extension))
    .sort()
    .map((file) => ({
      name: file.slice(0, -extension.length),
      path: relative(root, join(dir, file)),
      text: readFileSync(join(dir, file), 'utf8'),
    }));
}
