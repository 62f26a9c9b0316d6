import { describe, expect, it } from 'vitest';
import { matrixItemNames } from '../../local/engine/engine.js';

describe('matrixItemNames', () => {
  it('names equal items apart by their order among equals: <job> (<value>) #2, #3', () => {
    expect(matrixItemNames('each', ['a', 'b', 'a', 1, 'a', 1])).toStrictEqual([
      'each (a)',
      'each (b)',
      'each (a) #2',
      'each (1)',
      'each (a) #3',
      'each (1) #2',
    ]);
  });

  it('names equal object items apart too, and leaves distinct ones as the language names them', () => {
    expect(matrixItemNames('each', [{ n: 1 }, { n: 2 }, { n: 1 }])).toStrictEqual([
      'each (n=1)',
      'each (n=2)',
      'each (n=1) #2',
    ]);
  });
});
