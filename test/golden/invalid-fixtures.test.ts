import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic, validateWorkflow } from '../../compiler/index.js';
import { filesIn, root } from '../support/files.js';

// UPDATE_GOLDEN=1 rewrites the expected files; review the diff before committing.
const update = process.env.UPDATE_GOLDEN === '1';
const fixtures = filesIn('test/fixtures/invalid', '.yaml');

describe('invalid workflow fixtures', () => {
  it('has at least 40 invalid files', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(40);
  });

  it.each(fixtures)('reports $name with the expected code, line and column', ({ path, text }) => {
    // Prepare
    const intended = /^# expect: (WF\d{4})/.exec(text)?.[1];
    const expectedFile = join(root, path.replace(/\.yaml$/, '.expected.txt'));

    // Act
    const result = validateWorkflow(text, path);
    const rendered = `${result.diagnostics.map(formatDiagnostic).join('\n')}\n`;

    // Assess
    expect(result.workflow).toBeUndefined();
    expect(result.diagnostics.find((d) => d.severity === 'error')?.code).toBe(intended);
    if (update || !existsSync(expectedFile)) writeFileSync(expectedFile, rendered);
    expect(rendered).toBe(readFileSync(expectedFile, 'utf8'));
  });
});
