import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDuration, MAX_DURATION_SECONDS, parseDuration } from '../../../compiler/units/duration.js';

/** One line per input: the value, or the message and hint a user would see. */
function render(inputs: ReadonlyArray<string | number>): string {
  return inputs
    .map((input) => {
      const result = parseDuration(input);
      const shown = typeof input === 'string' ? `"${input}"` : String(input);
      if (result.ok) return `${shown} -> ${result.value}`;
      return `${shown} -> ${result.message}${result.hint === undefined ? '' : ` [hint: ${result.hint}]`}`;
    })
    .join('\n');
}

describe('parseDuration', () => {
  it.each([
    ['90s', 90],
    ['10m', 600],
    ['2h', 7_200],
    ['1d', 86_400],
    ['1h30m', 5_400],
    ['1d2h', 93_600],
    ['1d2h3m4s', 93_784],
    ['1h0m', 3_600],
    ['1.5h', 5_400],
    ['0.5m', 30],
    ['0.1h', 360],
    ['1h0.5m', 3_630],
    ['90', 90],
    [' 2h ', 7_200],
    ['1s', 1],
    ['365d', MAX_DURATION_SECONDS],
    ['8760h', MAX_DURATION_SECONDS],
    ['31536000s', MAX_DURATION_SECONDS],
    ['0000000000090s', 90],
  ])('reads "%s" as %i seconds', (input, seconds) => {
    expect(parseDuration(input)).toStrictEqual({ ok: true, value: seconds });
  });

  it.each([
    [90, 90],
    [1, 1],
    [MAX_DURATION_SECONDS, MAX_DURATION_SECONDS],
  ])('reads the bare number %i as seconds', (input, seconds) => {
    expect(parseDuration(input)).toStrictEqual({ ok: true, value: seconds });
  });

  it('refuses a long duration however many digits it is written with', () => {
    const tooLong = {
      ok: false,
      hint: 'ask for at most 365d',
    };

    expect(parseDuration('999999999d')).toMatchObject(tooLong);
    expect(parseDuration('9999999999999999999s')).toMatchObject(tooLong);
    expect(parseDuration('31536001s')).toMatchObject(tooLong);
  });

  it('explains every rejected duration with what was found and how to fix it', () => {
    const inputs = [
      '',
      '0',
      0,
      '0s',
      '0h0m',
      -5,
      '-5m',
      '1h 30m',
      '30m1h',
      '1h1h',
      '1.5s',
      1.5,
      '0.5s',
      '2w',
      '10min',
      '1H',
      '100ms',
      '1y',
      '2years',
      'abc',
      '.5h',
      '366d',
      '1d1s365d',
      31_536_001,
      Number.NaN,
      Number.POSITIVE_INFINITY,
    ];
    expect(render(inputs)).toMatchInlineSnapshot(`
      """ -> duration is empty [hint: write a number of seconds or a value like 90s, 10m, 2h, 1d or 1h30m]
      "0" -> duration "0" is zero; it must be at least 1s [hint: write a number of seconds or a value like 90s, 10m, 2h, 1d or 1h30m]
      0 -> duration 0 is zero; it must be at least 1s [hint: write a number of seconds or a value like 90s, 10m, 2h, 1d or 1h30m]
      "0s" -> duration "0s" is zero; it must be at least 1s [hint: write a number of seconds or a value like 90s, 10m, 2h, 1d or 1h30m]
      "0h0m" -> duration "0h0m" is zero; it must be at least 1s [hint: write a number of seconds or a value like 90s, 10m, 2h, 1d or 1h30m]
      -5 -> duration -5 is negative; it must be at least 1s [hint: write a number of seconds or a value like 90s, 10m, 2h, 1d or 1h30m]
      "-5m" -> duration "-5m" is negative; it must be at least 1s [hint: write a number of seconds or a value like 90s, 10m, 2h, 1d or 1h30m]
      "1h 30m" -> duration "1h 30m" contains whitespace [hint: write "1h30m"]
      "30m1h" -> duration "30m1h" repeats a unit or puts a smaller one first; write each of d, h, m, s at most once, largest first [hint: write "1h30m"]
      "1h1h" -> duration "1h1h" repeats a unit or puts a smaller one first; write each of d, h, m, s at most once, largest first [hint: write "2h"]
      "1.5s" -> duration "1.5s" is not a whole number of seconds [hint: round to "1s" or "2s"]
      1.5 -> duration 1.5 is not a whole number of seconds [hint: round to "1s" or "2s"]
      "0.5s" -> duration "0.5s" is not a whole number of seconds [hint: round up to "1s"]
      "2w" -> unknown unit "w" in duration "2w"; the units are d, h, m and s [hint: write "14d" instead of "2w"]
      "10min" -> unknown unit "min" in duration "10min"; the units are d, h, m and s [hint: write "10m" instead of "10min"]
      "1H" -> unknown unit "H" in duration "1H"; the units are d, h, m and s [hint: write "1h" instead of "1H"]
      "100ms" -> unknown unit "ms" in duration "100ms"; the units are d, h, m and s [hint: durations are whole seconds: write at least "1s"]
      "1y" -> unknown unit "y" in duration "1y"; the units are d, h, m and s [hint: write "365d" for a year, the longest allowed]
      "2years" -> unknown unit "years" in duration "2years"; the units are d, h, m and s [hint: write "365d" for a year, the longest allowed]
      "abc" -> "abc" is not a duration [hint: write a number of seconds or a value like 90s, 10m, 2h, 1d or 1h30m]
      ".5h" -> ".5h" is not a duration [hint: write a number of seconds or a value like 90s, 10m, 2h, 1d or 1h30m]
      "366d" -> duration "366d" is longer than 365d, the longest a Step Functions Standard workflow can run [hint: ask for at most 365d]
      "1d1s365d" -> duration "1d1s365d" repeats a unit or puts a smaller one first; write each of d, h, m, s at most once, largest first
      31536001 -> duration 31536001 is longer than 365d, the longest a Step Functions Standard workflow can run [hint: ask for at most 365d]
      NaN -> duration NaN is not a finite number [hint: write a number of seconds or a value like 90s, 10m, 2h, 1d or 1h30m]
      Infinity -> duration Infinity is not a finite number [hint: write a number of seconds or a value like 90s, 10m, 2h, 1d or 1h30m]"
    `);
  });
});

describe('formatDuration', () => {
  it.each([
    [1, '1s'],
    [90, '1m30s'],
    [3_600, '1h'],
    [5_400, '1h30m'],
    [86_400, '1d'],
    [93_784, '1d2h3m4s'],
    [86_401, '1d1s'],
    [MAX_DURATION_SECONDS, '365d'],
  ])('formats %i seconds as %s', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });

  it('gives back what parseDuration reads, for every valid number of seconds', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX_DURATION_SECONDS }), (seconds) => {
        expect(parseDuration(formatDuration(seconds))).toStrictEqual({ ok: true, value: seconds });
      }),
    );
  });
});
