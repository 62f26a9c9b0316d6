import { describe, expect, it } from 'vitest';
import { formatDiagnostic, validateWorkflow } from '../../compiler/index.js';
import { filesIn } from '../support/files.js';

const examples = filesIn('examples', '.yaml');

describe('examples', () => {
  it('has at least six examples', () => {
    expect(examples.length).toBeGreaterThanOrEqual(6);
  });

  it.each(examples)('validates $name with no error and no warning', ({ path, text }) => {
    const result = validateWorkflow(text, path);

    expect(result.diagnostics.map(formatDiagnostic)).toStrictEqual([]);
    expect(result.workflow?.jobs.length).toBeGreaterThan(0);
  });
});
