// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are workflow templates, not JavaScript ones.
import { describe, expect, it } from 'vitest';
import {
  type ExprContext,
  ExpressionEvaluationError,
  evaluate,
  evaluateCondition,
  renderTemplate,
} from '../../../compiler/expr/evaluate.js';
import { parseTemplate } from '../../../compiler/expr/template.js';
import type { JsonValue } from '../../../compiler/ir.js';
import { parseValid } from './helpers.js';

const context: ExprContext = {
  params: {
    environment: 'production',
    batchSize: 1000,
    dryRun: false,
    regions: ['eu-west-1', 'us-east-1'],
    config: { 'a-b': { c: 3 }, empty: '', zero: 0 },
  },
  matrix: { go: '1.22', shard: 2 },
  needs: {
    build: { result: 'success', outputs: { version: '1.2.3', items: '[{"n":1},{"n":2}]' } },
    test: { result: 'failure', outputs: {} },
  },
  run: { id: 'run-42' },
  workflow: { name: 'build-test-deploy' },
  jobStatus: { success: false, failure: true, cancelled: false },
};

function run(source: string, ctx: ExprContext = context): JsonValue {
  return evaluate(parseValid(source), ctx);
}

describe('evaluate', () => {
  it('reads params, matrix values, outputs, results, run and workflow', () => {
    expect(
      [
        'params.environment',
        "params.config['a-b'].c",
        'params.regions[1]',
        'matrix.shard',
        'needs.build.outputs.version',
        'needs.test.result',
        'run.id',
        'workflow.name',
      ].map((source) => run(source)),
    ).toStrictEqual(['production', 3, 'us-east-1', 2, '1.2.3', 'failure', 'run-42', 'build-test-deploy']);
  });

  it('evaluates a name with no value to null', () => {
    const { matrix: _, ...withoutMatrix } = context;

    expect(
      [
        'params.missing',
        'params.regions[5]',
        "params.regions['length']",
        'params.environment.length',
        'params.config.toString',
        'needs.deploy.result',
        'run.status',
        'matrix.go',
      ].map((source) => run(source, withoutMatrix)),
    ).toStrictEqual([null, null, null, null, null, null, null, null]);
  });

  it('reads run.status when the run has ended', () => {
    expect(run('run.status', { ...context, run: { id: 'run-42', status: 'failure' } })).toBe('failure');
  });

  describe('equality', () => {
    it.each([
      ["'a' == 'a'", true],
      ["'a' == 'A'", false],
      ['1 == 1.0', true],
      ["1 == '1'", true],
      ["'' == 0", true],
      ['null == 0', true],
      ["null == ''", true],
      ['null == null', true],
      ['true == 1', true],
      ["true == 'true'", false],
      ["'abc' == 0", false],
      ["' 2 ' == 2", true],
      ['false != 0', false],
      ['params.regions == fromJSON(\'["eu-west-1","us-east-1"]\')', true],
      ["params.config == fromJSON('{}')", false],
      ['params.regions == 0', false],
      ["params.regions != 'x'", true],
    ])('%s is %s', (source, expected) => {
      expect(run(source)).toBe(expected);
    });
  });

  describe('ordering', () => {
    it.each([
      ['1 < 2', true],
      ['2 <= 2', true],
      ['3 > 2.5', true],
      ['2 >= 3', false],
      ["'apple' < 'banana'", true],
      ["'B' < 'a'", true],
      ["'10' < 9", false],
      ["'10' > 9", true],
      ['true > false', true],
      ['null < 1', true],
      ["'abc' < 1", false],
      ["'abc' >= 1", false],
      ['params.regions > 0', false],
      ['params.regions <= 0', false],
      ['params.batchSize >= 1000', true],
    ])('%s is %s', (source, expected) => {
      expect(run(source)).toBe(expected);
    });
  });

  describe('logic', () => {
    it('returns the deciding operand of && and ||, not a boolean', () => {
      expect([
        run("params.environment && 'yes'"),
        run("params.config.empty && 'yes'"),
        run("params.config.zero || 'fallback'"),
        run("params.environment || 'fallback'"),
        run('params.missing || params.missing'),
      ]).toStrictEqual(['yes', '', 'fallback', 'production', null]);
    });

    it('does not evaluate the right operand when the left one decides', () => {
      // A bad JSON string would throw if fromJSON were called.
      expect(run("false && fromJSON('{')")).toBe(false);
      expect(run("'x' || fromJSON('{')")).toBe('x');
    });

    it('negates by truthiness', () => {
      expect(
        ["!''", '!0', '!null', '!false', "!'0'", '!params.regions', "!fromJSON('[]')", "!fromJSON('{}')"].map(
          (s) => run(s),
        ),
      ).toStrictEqual([true, true, true, true, false, false, false, false]);
    });
  });

  describe('functions', () => {
    it('answers the status functions from the job status', () => {
      expect(['success()', 'failure()', 'cancelled()', 'always()'].map((s) => run(s))).toStrictEqual([
        false,
        true,
        false,
        true,
      ]);
    });

    it('finds items in arrays by loose equality and substrings in strings, case-sensitively', () => {
      expect(
        [
          "contains(params.regions, 'eu-west-1')",
          "contains(params.regions, 'EU-WEST-1')",
          "contains(fromJSON('[1, 2]'), '2')",
          "contains(params.environment, 'duct')",
          'contains(params.batchSize, 100)',
          "contains('abc', 'B')",
        ].map((s) => run(s)),
      ).toStrictEqual([true, false, true, true, true, false]);
    });

    it('tests prefixes and suffixes of values converted to strings', () => {
      expect(
        [
          "startsWith(params.environment, 'prod')",
          "endsWith(params.environment, 'prod')",
          "startsWith(1000, '10')",
        ].map((s) => run(s)),
      ).toStrictEqual([true, false, true]);
    });

    it('formats values into placeholders, with doubled braces as literal braces', () => {
      expect(run("format('{0}-{1} {{x}} {0}', matrix.go, null)")).toBe('1.22- {x} 1.22');
    });

    it('joins arrays with a comma by default, or a given separator', () => {
      expect([
        run('join(params.regions)'),
        run("join(params.regions, ' | ')"),
        run("join('solo', '-')"),
      ]).toStrictEqual(['eu-west-1,us-east-1', 'eu-west-1 | us-east-1', 'solo']);
    });

    it('converts to and from JSON', () => {
      expect(run("toJSON(params.config['a-b'])")).toBe('{\n  "c": 3\n}');
      expect(run('fromJson(needs.build.outputs.items)')).toStrictEqual([{ n: 1 }, { n: 2 }]);
    });

    it('throws a located error for invalid JSON', () => {
      const act = () => run("'ok' && fromJSON('{nope')");

      expect(act).toThrow(ExpressionEvaluationError);
      expect(act).toThrow(
        expect.objectContaining({ start: 8, end: 25, message: 'fromJSON could not parse "{nope" as JSON' }),
      );
    });

    it('throws a located error for a format string that asks for a missing value', () => {
      expect(() => run("format('{1}', 'a')")).toThrow('format string uses {1} but has 1 value(s)');
    });
  });

  it('evaluates a condition by truthiness', () => {
    expect(evaluateCondition(parseValid("needs.test.result == 'failure' && params.batchSize"), context)).toBe(
      true,
    );
    expect(evaluateCondition(parseValid("params.config.empty || ''"), context)).toBe(false);
  });
});

describe('renderTemplate', () => {
  it('renders strings as they are, null as empty and other values as JSON', () => {
    // Prepare
    const { template, errors } = parseTemplate(
      'v=${{ needs.build.outputs.version }} n=${{ params.batchSize }} b=${{ params.dryRun }} x=${{ params.nope }} r=${{ params.regions }}',
    );
    expect(errors).toStrictEqual([]);

    // Act
    const text = renderTemplate(template, context);

    // Assess
    expect(text).toBe('v=1.2.3 n=1000 b=false x= r=["eu-west-1","us-east-1"]');
  });

  it('renders a template without expressions as its text', () => {
    expect(renderTemplate(parseTemplate('plain }} text').template, context)).toBe('plain }} text');
  });
});
