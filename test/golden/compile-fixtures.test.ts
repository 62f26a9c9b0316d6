import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { StateMachine } from '../../compiler/asl/types.js';
import { definitionBytes, type SizeCache } from '../../compiler/compile/stats.js';
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
  // As text: the order of states and fields is part of the output (it reads top to bottom).
  expect(text).toBe(readFileSync(file, 'utf8'));
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

describe('definition sizes', () => {
  it.each(cases)('reports the size of %s as the bytes of its compact JSON', (name) => {
    // Prepare
    const text = readFileSync(join(fixtures, name, 'workflow.yaml'), 'utf8');

    // Act
    const output = compileWorkflow(text, 'w.yaml').output;

    // Assess
    if (output === undefined) throw new Error('no output');
    expect(output.stats.definitionBytes).toBe(Buffer.byteLength(JSON.stringify(output.asl), 'utf8'));
  });

  it('measures a split workflow whose text is not ASCII as the bytes of its compact JSON', () => {
    // Prepare: 40 jobs with Greek commands and up to 3 needs each, split at 8 KB.
    const jobs = Array.from({ length: 40 }, (_, i) => {
      const needs = [i - 1, i - 3, i - 7].filter((n) => n >= 0).map((n) => `step-${n}`);
      return `        - { name: step-${i}, container: alpine:3.20, commands: ["echo βήμα ${i} ü"]${needs.length > 0 ? `, needs: [${needs.join(', ')}]` : ''} }`;
    });
    const text = `apiVersion: waterflow.io/v1\nkind: Workflow\nmetadata: { name: greek, description: "Ελληνικά" }\nspec:\n  stages:\n    - name: all\n      jobs:\n${jobs.join('\n')}\n`;
    const limits = { definitionBytes: 8 * 1024, historyEvents: 100_000 };

    // Act
    const output = compileWorkflow(text, 'w.yaml', { split: { at: limits, part: limits } }).output;

    // Assess
    if (output === undefined) throw new Error('no output');
    expect(output.children.length).toBeGreaterThan(1);
    expect(output.stats.definitionBytes).toBe(Buffer.byteLength(JSON.stringify(output.asl), 'utf8'));
    // States measured once are remembered: a machine that reuses them, in a Parallel too, measures the same.
    const sizes: SizeCache = new Map();
    for (const child of output.children) {
      const bytes = Buffer.byteLength(JSON.stringify(child.asl), 'utf8');
      expect(definitionBytes(child.asl, sizes)).toBe(bytes);
      expect(definitionBytes(child.asl, sizes)).toBe(bytes);
      const wrapped: StateMachine = {
        StartAt: 'all',
        States: { all: { Type: 'Parallel', Branches: [child.asl, child.asl], End: true } },
      };
      expect(definitionBytes(wrapped, sizes)).toBe(Buffer.byteLength(JSON.stringify(wrapped), 'utf8'));
    }
  });
});
