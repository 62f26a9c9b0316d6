import { describe, expect, it } from 'vitest';
import { checkExpression } from '../../../compiler/expr/check.js';
import type { ExprScope } from '../../../compiler/expr/scope.js';
import { parseValid, scopeWith } from './helpers.js';

function check(source: string, overrides: Partial<ExprScope> = {}) {
  return checkExpression(parseValid(source), scopeWith(overrides));
}

/** `CODE message` lines, the way a reader sees them. */
function reported(source: string, overrides: Partial<ExprScope> = {}): string[] {
  return check(source, overrides).map((problem) => `${problem.code} ${problem.message}`);
}

describe('checkExpression', () => {
  it('accepts every kind of name a job may use', () => {
    const source = [
      'params.environment',
      "params.regions[0] == params.config['a-b'].c",
      'matrix.go',
      'needs.build.outputs.version',
      "needs.build.outputs['image-tag']",
      'needs.test.result',
      'run.id',
      'workflow.name',
    ].join(' && ');

    expect(check(source)).toStrictEqual([]);
  });

  describe('params', () => {
    it('reports an unknown param with a suggestion and the declared params', () => {
      expect(check("params.batchsize == 'x' || params.envirnoment")).toStrictEqual([
        {
          code: 'WF3002',
          message: 'unknown param "batchsize" (did you mean "batchSize"?)',
          hint: 'declared params: environment, batchSize, ratio, dryRun, regions, config',
          start: 0,
          end: 16,
        },
        {
          code: 'WF3002',
          message: 'unknown param "envirnoment" (did you mean "environment"?)',
          hint: 'declared params: environment, batchSize, ratio, dryRun, regions, config',
          start: 27,
          end: 45,
        },
      ]);
    });

    it('says when the workflow declares no params', () => {
      expect(check('params.x', { params: new Map() })).toMatchObject([
        { code: 'WF3002', message: 'unknown param "x"', hint: 'this workflow declares no params' },
      ]);
    });

    it('reports "params" without a param name', () => {
      expect([...reported('params'), ...reported('params[0]')]).toMatchInlineSnapshot(`
        [
          "WF3002 "params" needs a param name, as in params.environment",
          "WF3002 "params" needs a param name, as in params.environment",
        ]
      `);
    });

    it('reports reading into a scalar param', () => {
      expect(check('params.environment.name')).toMatchObject([
        {
          code: 'WF3002',
          message: '"params.environment.name" reads into param "environment", which is a string',
          hint: 'only array and object params have items or properties',
        },
      ]);
    });
  });

  describe('matrix', () => {
    it('reports an unknown matrix key with a suggestion', () => {
      expect(check('matrix.shrd')).toStrictEqual([
        {
          code: 'WF3005',
          message: 'unknown matrix key "shrd" (did you mean "shard"?)',
          hint: "this job's matrix keys: go, shard",
          start: 0,
          end: 11,
        },
      ]);
    });

    it('reports a matrix key used in a job without a matrix', () => {
      expect(reported('matrix.go', { matrix: undefined })).toStrictEqual([
        'WF3005 "matrix.go" is used, but this job has no matrix',
      ]);
    });

    it('accepts any key of a matrix built from JSON', () => {
      expect(check('matrix.anything', { matrix: 'dynamic' })).toStrictEqual([]);
    });

    it('reports "matrix" without a key', () => {
      expect(reported('matrix')).toStrictEqual(['WF3002 "matrix" needs a key, as in matrix.<key>']);
    });
  });

  describe('needs', () => {
    it('reports an unknown job with a suggestion', () => {
      expect(reported('needs.buld.outputs.version')).toStrictEqual([
        'WF3002 unknown job "buld" in "needs.buld.outputs.version" (did you mean "build"?)',
      ]);
    });

    it('reports a job that exists but is not upstream', () => {
      expect(check('needs.notify.result')).toStrictEqual([
        {
          code: 'WF3003',
          message: 'job "notify" is not upstream of this job; add it to needs',
          start: 0,
          end: 19,
        },
      ]);
    });

    it('reports an undeclared output with a suggestion and the declared outputs', () => {
      expect(check('needs.build.outputs.verison')).toMatchObject([
        {
          code: 'WF3004',
          message: 'job "build" does not declare output "verison" (did you mean "version"?)',
          hint: 'outputs of "build": version, image-tag',
        },
      ]);
    });

    it('says how to declare outputs on a job that has none', () => {
      expect(check('needs.test.outputs.coverage')).toMatchObject([
        { code: 'WF3004', hint: 'job "test" declares no outputs; declare them with outputs: [name]' },
      ]);
    });

    it('reports both an undeclared output and a missing needs edge', () => {
      expect(reported('needs.notify.outputs.url')).toStrictEqual([
        'WF3004 job "notify" does not declare output "url"',
        'WF3003 job "notify" is not upstream of this job; add it to needs',
      ]);
    });

    it('reports names that are neither outputs nor result', () => {
      expect([
        ...reported('needs'),
        ...reported('needs.build'),
        ...reported('needs.build.output.version'),
        ...reported('needs.build.outputs'),
        ...reported('needs.build.outputs.version.major'),
        ...reported('needs.build.result.code'),
      ]).toMatchInlineSnapshot(`
        [
          "WF3002 "needs" needs a job name, as in needs.<job>.outputs.<name> or needs.<job>.result",
          "WF3002 "needs.build" is not a name; use needs.build.outputs.<name> or needs.build.result",
          "WF3002 "needs.build.output.version" is not a name; use needs.build.outputs.<name> or needs.build.result (did you mean "outputs"?)",
          "WF3002 "needs.build.outputs" needs an output name, as in needs.build.outputs.<name>",
          "WF3002 "needs.build.outputs.version.major" reads into output "version", which is a string",
          "WF3002 "needs.build.result.code" is not a name; use needs.build.outputs.<name> or needs.build.result",
        ]
      `);
    });
  });

  describe('run and workflow', () => {
    it('allows run.status only in onExit', () => {
      expect(check('run.status')).toStrictEqual([
        {
          code: 'WF3007',
          message: 'run.status is only available in onExit',
          hint: 'the status of the run is known once every job has ended',
          start: 0,
          end: 10,
        },
      ]);
      expect(check('run.status', { allowRunStatus: true })).toStrictEqual([]);
    });

    it('reports unknown fields of run and workflow', () => {
      expect([
        ...reported('run.ids'),
        ...reported('workflow.nam'),
        ...reported('workflow'),
      ]).toMatchInlineSnapshot(`
        [
          "WF3002 unknown name "run.ids"; run has id and status (did you mean "id"?)",
          "WF3002 unknown name "workflow.nam"; workflow has name (did you mean "name"?)",
          "WF3002 unknown name "workflow"; workflow has name",
        ]
      `);
    });
  });

  describe('unknown roots', () => {
    it('lists the valid roots and suggests the closest', () => {
      expect(check('param.environment')).toStrictEqual([
        {
          code: 'WF3002',
          message: 'unknown name "param.environment" (did you mean "params"?)',
          hint: 'expressions can use params.<name>, matrix.<key>, needs.<job>.outputs.<name>, needs.<job>.result, run.id, run.status and workflow.name',
          start: 0,
          end: 17,
        },
      ]);
    });

    it('reports a name that is not close to any root', () => {
      expect(reported("foo.bar['x y']")).toStrictEqual(['WF3002 unknown name "foo.bar[\'x y\']"']);
    });

    it('tells that a function name needs parentheses', () => {
      expect(reported('always')).toStrictEqual(['WF3002 "always" is a function: write always()']);
    });
  });

  describe('functions', () => {
    it('accepts every function with the right number of arguments', () => {
      const source = [
        'success()',
        'failure()',
        'always()',
        'cancelled()',
        "contains(params.regions, 'eu')",
        "startsWith(params.environment, 'prod')",
        "endsWith(params.environment, 'x')",
        "format('{0}-{1}', matrix.go, matrix.shard)",
        'join(params.regions)',
        "join(params.regions, ', ')",
        'toJSON(params.config)',
        'fromJSON(needs.build.outputs.version)',
        'fromJson(needs.build.outputs.version)',
      ].join(' || ');

      expect(check(source)).toStrictEqual([]);
    });

    it('reports an unknown function with a suggestion', () => {
      expect(check("contain(params.regions, 'eu')")).toStrictEqual([
        {
          code: 'WF3006',
          message: 'unknown function "contain" (did you mean "contains"?)',
          hint: 'functions: success, failure, cancelled, always, contains, startsWith, endsWith, format, join, toJSON, fromJSON',
          start: 0,
          end: 29,
        },
      ]);
    });

    it('suggests the right case of a function name', () => {
      expect(reported('tojson(params.config)')).toStrictEqual([
        'WF3006 unknown function "tojson" (did you mean "toJSON"?)',
      ]);
    });

    it('reports a wrong number of arguments', () => {
      expect([
        ...reported("contains('a')"),
        ...reported('success(1)'),
        ...reported('format()'),
        ...reported("join(params.regions, ',', 'x')"),
        ...reported('toJSON()'),
      ]).toMatchInlineSnapshot(`
        [
          "WF3006 contains() takes 2 arguments, found 1",
          "WF3006 success() takes no arguments, found 1",
          "WF3006 format() takes at least 1 argument, found 0",
          "WF3006 join() takes 1 or 2 arguments, found 3",
          "WF3006 toJSON() takes 1 argument, found 0",
        ]
      `);
    });

    it('allows status functions only in conditions', () => {
      expect(check('!failure() && always()', { allowStatusFunctions: false })).toMatchObject([
        {
          code: 'WF3007',
          message: "failure() can only be used in a job's if/when condition",
          start: 1,
          end: 10,
        },
        {
          code: 'WF3007',
          message: "always() can only be used in a job's if/when condition",
          start: 14,
          end: 22,
        },
      ]);
    });

    it('checks the arguments of a call, even of an unknown function', () => {
      expect(reported('nope(params.nope)')).toStrictEqual([
        'WF3006 unknown function "nope"',
        'WF3002 unknown param "nope"',
      ]);
    });

    it('checks a literal format string against the values that follow it', () => {
      expect([
        ...reported("format('{0} {2}', 1, 2)"),
        ...reported("format('{0', 1)"),
        ...reported("format('}', 1)"),
      ]).toMatchInlineSnapshot(`
          [
            "WF3006 format string uses {2} but only 2 value(s) follow it",
            "WF3006 invalid format string: "{" at index 0 does not start a placeholder like {0}",
            "WF3006 invalid format string: "}" at index 0 closes no placeholder",
          ]
        `);
    });

    it('accepts literal braces in a format string', () => {
      expect(check("format('{{{0}}}', 1)")).toStrictEqual([]);
    });
  });

  describe('comparisons of incompatible types', () => {
    it('reports a param compared with a literal of another type', () => {
      expect(check("params.batchSize == 'ten'")).toStrictEqual([
        {
          code: 'WF3008',
          message: "params.batchSize (integer) is compared with 'ten' (string)",
          hint: 'values of different types are converted to numbers before "=="; compare with an integer',
          start: 0,
          end: 25,
        },
      ]);
    });

    it('reports the classic boolean compared with a string', () => {
      expect(reported("params.dryRun != 'true'")).toStrictEqual([
        "WF3008 params.dryRun (boolean) is compared with 'true' (string)",
      ]);
    });

    it('reports types known from results, functions and operators', () => {
      expect([
        ...reported('needs.build.result == 1'),
        ...reported('contains(params.regions, 1) == 1'),
        ...reported('(params.ratio > 1) < 2'),
        ...reported("(params.environment || 'x') >= 3"),
        ...reported('run.id == false', { allowRunStatus: true }),
      ]).toMatchInlineSnapshot(`
        [
          "WF3008 needs.build.result (string) is compared with 1 (number)",
          "WF3008 contains(params.regions, 1) (boolean) is compared with 1 (number)",
          "WF3008 params.ratio > 1 (boolean) is compared with 2 (number)",
          "WF3008 params.environment || 'x' (string) is compared with 3 (number)",
          "WF3008 run.id (string) is compared with false (boolean)",
        ]
      `);
    });

    it('accepts integers compared with decimals, and any type compared with null', () => {
      expect(
        check('params.batchSize < 2.5 && params.ratio == params.batchSize && params.config != null'),
      ).toStrictEqual([]);
    });

    it('leaves matrix values, outputs and mixed operands unchecked', () => {
      expect(
        check(
          "matrix.shard == 1 && needs.build.outputs.version > 2 && (params.environment || 1) == true && fromJSON('1') == 'x'",
        ),
      ).toStrictEqual([]);
    });
  });
});
