import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CompileOptions, compileWorkflow, formatDiagnostic } from '../../compiler/index.js';
import { root } from '../support/files.js';

// UPDATE_GOLDEN=1 rewrites the expected files; review the diff before committing.
const update = process.env.UPDATE_GOLDEN === '1';
const fixtures = join(root, 'test/fixtures');
const cases = readdirSync(fixtures)
  .filter((name) => existsSync(join(fixtures, name, 'workflow.yaml')))
  .sort();

function golden(file: string, actual: unknown): void {
  const text = `${JSON.stringify(actual, null, 2)}\n`;
  if (update || !existsSync(file)) writeFileSync(file, text);
  expect(JSON.parse(text)).toStrictEqual(JSON.parse(readFileSync(file, 'utf8')));
}

describe('compiled ASL golden cases', () => {
  it('has at least 15 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(15);
  });

  it.each(cases)('compiles %s to its expected ASL, whole', (name) => {
    // Prepare
    const dir = join(fixtures, name);
    const optionsFile = join(dir, 'options.json');
    const options: CompileOptions = existsSync(optionsFile)
      ? JSON.parse(readFileSync(optionsFile, 'utf8'))
      : {};

    // Act
    const result = compileWorkflow(
      readFileSync(join(dir, 'workflow.yaml'), 'utf8'),
      `test/fixtures/${name}/workflow.yaml`,
      options,
    );

    // Assess
    expect(result.diagnostics.map(formatDiagnostic)).toStrictEqual([]);
    const output = result.output;
    if (output === undefined) throw new Error('no output');
    golden(join(dir, 'expected.asl.json'), output.asl);
    for (const child of output.children) golden(join(dir, `expected.${child.name}.asl.json`), child.asl);
    // Task definitions only where a case keeps them, so that ASL-only cases stay ASL-only.
    const taskdefs = join(dir, 'expected.taskdefs.json');
    if (existsSync(taskdefs)) golden(taskdefs, output.taskDefinitions);
  });

  it.each(cases)('compiles %s to byte-identical output twice', (name) => {
    const text = readFileSync(join(fixtures, name, 'workflow.yaml'), 'utf8');
    const first = JSON.stringify(compileWorkflow(text, 'w.yaml').output);
    const second = JSON.stringify(compileWorkflow(text, 'w.yaml').output);

    expect(second).toBe(first);
  });
});
