import { describe, expect, it } from 'vitest';
import { evaluateIntrinsic } from '../../bench/simulator/intrinsics.js';
import { applyResultPath, readPath } from '../../bench/simulator/json-path.js';

const scope = {
  data: { run: { id: 'r1' }, jobs: { 'build-x': { ok: true, x: 3 } }, list: ['a', 'b', 'c'] },
  context: { Execution: { Name: 'exec-1' } },
  where: 'state "t"',
};

describe('evaluateIntrinsic', () => {
  it('formats with arguments from paths, keeping escaped braces and quotes', () => {
    const text = "States.Format('{}/\\{x\\}/{} it\\'s', $$.Execution.Name, $.jobs['build-x'].x)";
    expect(evaluateIntrinsic(text, scope)).toBe("exec-1/{x}/3 it's");
  });

  it('evaluates nested calls', () => {
    expect(evaluateIntrinsic("States.ArrayGetItem(States.StringSplit('a,b;c', ',;'), 2)", scope)).toBe('c');
    expect(evaluateIntrinsic('States.MathAdd(States.ArrayLength($.list), -1)', scope)).toBe(2);
    expect(evaluateIntrinsic("States.Array('sh', '-ec', $.run.id)", scope)).toStrictEqual([
      'sh',
      '-ec',
      'r1',
    ]);
  });

  it('merges objects shallowly or deeply', () => {
    const merge = (deep: boolean) =>
      evaluateIntrinsic(`States.JsonMerge($.a, $.b, ${deep})`, {
        ...scope,
        data: { a: { x: { p: 1 }, y: 1 }, b: { x: { q: 2 } } },
      });
    expect(merge(false)).toStrictEqual({ x: { q: 2 }, y: 1 });
    expect(merge(true)).toStrictEqual({ x: { p: 1, q: 2 }, y: 1 });
  });
});

describe('json paths', () => {
  it('reads dotted, bracketed and indexed paths', () => {
    expect(readPath("$.jobs['build-x'].ok", scope.data, scope.context)).toBe(true);
    expect(readPath('$.list[1]', scope.data, scope.context)).toBe('b');
    expect(readPath('$.missing.x', scope.data, scope.context)).toBeUndefined();
  });

  it('writes a result into a copy of the input, leaving the input alone', () => {
    const input = { jobs: { a: 1 } };
    expect(applyResultPath(input, { ok: true }, '$.jobs.b')).toStrictEqual({
      jobs: { a: 1, b: { ok: true } },
    });
    expect(input).toStrictEqual({ jobs: { a: 1 } });
    expect(applyResultPath(input, 5, null)).toBe(input);
  });
});
