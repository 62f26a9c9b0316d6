import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateWorkflow } from '../../bench/generate.js';
import type { ValidationResult } from '../../compiler/validate-workflow.js';
import { checkValidation } from './invariants.js';
import { loadExamples, mutate, mutationCase } from './mutations.js';
import { anyText, dumpedYaml, yamlishText } from './random-yaml.js';
import { validWorkflowText } from './valid-workflow.js';

/**
 * fast-check prints `{ seed, path }` when a property fails; replay it with
 * `FC_SEED=<seed> FC_PATH=<path> npx vitest run test/property`.
 */
function runs(numRuns: number): fc.Parameters<unknown> {
  const { FC_SEED: seed, FC_PATH: path } = process.env;
  return {
    numRuns,
    ...(seed === undefined ? {} : { seed: Number(seed) }),
    ...(path === undefined ? {} : { path }),
  };
}

const examplesDir = new URL('../../examples/', import.meta.url);
const examples = loadExamples(
  readdirSync(examplesDir)
    .filter((file) => /\.ya?ml$/.test(file))
    .sort()
    .map((file) => readFileSync(new URL(file, examplesDir), 'utf8')),
);

describe('validateWorkflow on any input', () => {
  // 2,500 + 2,500 + 1,500 + 2,500 + 1,000 = 10,000 cases per run.

  it('never throws on arbitrary text, and locates every diagnostic in it', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        checkValidation(text);
      }),
      runs(2_500),
    );
  });

  it('never throws on texts made of YAML syntax and workflow keywords', () => {
    fc.assert(
      fc.property(yamlishText, (text) => {
        checkValidation(text);
      }),
      runs(2_500),
    );
  });

  it('never throws on random values dumped to YAML, workflow-shaped or not', () => {
    fc.assert(
      fc.property(dumpedYaml, (text) => {
        checkValidation(text);
      }),
      runs(1_500),
    );
  });

  it('never throws on mutated examples, and reports a located error for each broken one', () => {
    expect(examples.length).toBeGreaterThan(0);
    fc.assert(
      fc.property(mutationCase, (c) => {
        checkValidation(mutate(examples, c));
      }),
      runs(2_500),
    );
  });

  it('accepts every structurally valid workflow without an error', () => {
    fc.assert(
      fc.property(validWorkflowText, (text) => {
        const result = checkValidation(text);
        const errors = result.diagnostics.filter((d) => d.severity === 'error');
        if (result.workflow === undefined) {
          throw new Error(
            `rejected: ${errors.map((d) => `${d.line}:${d.column} ${d.code} ${d.message}`).join('; ')}`,
          );
        }
      }),
      runs(1_000),
    );
  });
});

/**
 * What a user sees of a result: whether it is valid, and each diagnostic as printed. A syntax
 * error may be found at the end of the text, which a comment moves: only its code is kept.
 */
function seen(result: ValidationResult): { valid: boolean; diagnostics: string[] } {
  return {
    valid: result.workflow !== undefined,
    diagnostics: result.diagnostics.map((d) =>
      d.code === 'WF1001' ? d.code : `${d.line}:${d.column} ${d.code} ${d.message}`,
    ),
  };
}

/** Adds a comment line at the end of a text, which YAML ignores. */
function withComment(text: string, comment: string): string {
  return `${text}${text.endsWith('\n') ? '' : '\n'}# ${comment}\n`;
}

describe('validateWorkflow on equivalent texts', () => {
  it('gives the same result when a comment is added at the end of the file', () => {
    // Comments that look like anchors or aliases: today they send parse from js-yaml to the yaml
    // package, and the two must read every text the same way.
    const comment = fc.constantFrom('&anchor', '*alias', 'plain comment', 'x: &a [1]');
    const text = fc.oneof(
      mutationCase.map((c) => mutate(examples, c)),
      validWorkflowText,
      dumpedYaml,
    );
    fc.assert(
      fc.property(text, comment, (t, c) => {
        expect(seen(checkValidation(withComment(t, c)))).toStrictEqual(seen(checkValidation(t)));
      }),
      runs(1_000),
    );
  });
});

describe('the benchmark generator', () => {
  it('generates workflows that validate without any diagnostic', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 1, max: 12 }),
        fc.boolean(),
        fc.nat(),
        (jobs, stages, stageBarriers, seed) => {
          const result = checkValidation(generateWorkflow({ jobs, stages, stageBarriers, seed }));
          expect(result.diagnostics).toStrictEqual([]);
        },
      ),
      runs(30),
    );
  });

  it('generates the same text for the same options', () => {
    expect(generateWorkflow({ jobs: 50, seed: 7 })).toBe(generateWorkflow({ jobs: 50, seed: 7 }));
    expect(generateWorkflow({ jobs: 50, seed: 7 })).not.toBe(generateWorkflow({ jobs: 50, seed: 8 }));
  });
});
