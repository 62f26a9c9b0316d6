import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileWorkflow } from '../../compiler/compile/compile.js';
import type { CompileOutput } from '../../compiler/compile/output.js';
import { type Diagnostic, formatDiagnostic } from '../../compiler/index.js';
import { aslProblems } from '../support/asl-validators.js';
import { corpusMissingReason, instanceToWorkflowYaml, loadInstances } from '../support/corpus.js';
import { filesIn, root } from '../support/files.js';

interface Case {
  readonly name: string;
  readonly file: string;
  readonly text: string;
}

/** `test/fixtures/<case>/workflow.yaml`: the golden compile fixtures. */
function fixtureCases(): Case[] {
  const dir = join(root, 'test', 'fixtures');
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(dir, entry.name, 'workflow.yaml')))
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const file = join('test', 'fixtures', name, 'workflow.yaml');
      return { name: `fixture ${name}`, file, text: readFileSync(join(root, file), 'utf8') };
    });
}

const exampleCases: Case[] = filesIn('examples', '.yaml').map(({ name, path, text }) => ({
  name: `example ${name}`,
  file: path,
  text,
}));

const instances = loadInstances();
if (instances === undefined) console.log(`compiled corpus ASL tests ${corpusMissingReason}`);
const corpusCases: Case[] = (instances ?? []).map((instance) => ({
  name: `corpus ${instance.name}`,
  file: `${instance.name}.yaml`,
  text: instanceToWorkflowYaml(instance),
}));

/** Compiles one workflow; fails the test with the compiler's errors if there are any. */
function compiled(testCase: Case, lowering: 'exact' | 'barrier'): CompileOutput {
  const result = compileWorkflow(testCase.text, testCase.file, { lowering });
  const errors = result.diagnostics.filter((d: Diagnostic) => d.severity === 'error').map(formatDiagnostic);
  expect(errors, `${testCase.name} does not compile`).toStrictEqual([]);
  if (result.output === undefined) throw new Error(`${testCase.name}: no output and no error`);
  return result.output;
}

/** Every validator error of the workflow's machine and its children, prefixed by machine. */
async function machineErrors(output: CompileOutput): Promise<string[]> {
  const machines = [{ name: '(main)', asl: output.asl }, ...output.children];
  const errors: string[] = [];
  for (const machine of machines) {
    const problems = await aslProblems(machine.asl);
    errors.push(...problems.errors.map((error) => `${machine.name}: ${error}`));
  }
  return errors;
}

describe.each(['exact', 'barrier'] as const)('compiled ASL with %s lowering', (lowering) => {
  it('has examples to check', () => {
    expect(exampleCases.length).toBeGreaterThan(0);
  });

  it.each([...exampleCases, ...fixtureCases()])('passes both ASL validators for $name', async (testCase) => {
    expect(await machineErrors(compiled(testCase, lowering))).toStrictEqual([]);
  });
});

describe.skipIf(corpusCases.length === 0)('compiled ASL of the WfInstances corpus', () => {
  it.each(corpusCases)('passes both ASL validators for $name', async (testCase) => {
    expect(await machineErrors(compiled(testCase, 'exact'))).toStrictEqual([]);
  });
});
