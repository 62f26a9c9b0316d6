import { describe, expect, it } from 'vitest';
import { jsonBytes } from '../../../compiler/compile/stats.js';

const utf8 = (value: unknown) => Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');

describe('the JSON size count', () => {
  it.each([
    ['plain ASCII', { Type: 'Task', Next: 'job-1 gate', ResultPath: null }],
    ['quotes, backslashes and control characters', { 'a"b': 'c\\d\n\t\u0001\u007f' }],
    ['text outside ASCII', { Comment: 'Ελληνικά 日本語 😀', ключ: 'é' }],
    ['a lone surrogate', ['\ud800', 'x\udfffy']],
    ['numbers', [0, -1, 1.5, 1e21, 2 ** 53, Number.NaN, Number.POSITIVE_INFINITY, -0]],
    ['booleans and null', [true, false, null]],
    ['undefined members left out, undefined items written as null', { a: undefined, b: [undefined, 1] }],
    ['functions left out', { f: () => 1, g: 2 }],
    ['nested empties', { a: {}, b: [], c: [[{}]], d: '' }],
    ['integer-like keys, which come first', { b: 1, 2: 'two', 1: 'one' }],
    ['an object with no prototype', Object.assign(Object.create(null), { x: 1, y: 'z' })],
    ['a date (toJSON)', { at: new Date(0) }],
  ])('counts %s as JSON.stringify writes it', (_what, value) => {
    expect(jsonBytes(value)).toBe(utf8(value));
  });

  it('does not count inherited members', () => {
    const value = Object.create({ inherited: 'yes' }) as Record<string, unknown>;
    value.own = 1;

    expect(jsonBytes(value)).toBe(utf8(value));
  });
});
