import { describe, expect, it } from 'vitest';
import { parseCron, toEventBridgeCron } from '../../../compiler/units/cron.js';

/** The message and hint, with a caret line under the span the failure points at. */
function render(expression: string): string {
  const result = parseCron(expression);
  if (result.ok) return `${expression}\n  ok`;
  const caret = `${' '.repeat(result.offset)}${'^'.repeat(Math.max(result.length, 1))}`;
  const hint = result.hint === undefined ? '' : `\n  hint: ${result.hint}`;
  return `${expression}\n${caret}\n  ${result.message}${hint}`;
}

function renderAll(expressions: readonly string[]): string {
  return expressions.map(render).join('\n\n');
}

describe('parseCron', () => {
  it.each([
    ['*/15 * * * *', 'minute', [0, 15, 30, 45]],
    ['0-30/10 * * * *', 'minute', [0, 10, 20, 30]],
    ['5/15 * * * *', 'minute', [5, 20, 35, 50]],
    ['1,15,30 * * * *', 'minute', [1, 15, 30]],
    ['0 9-17 * * *', 'hour', [9, 10, 11, 12, 13, 14, 15, 16, 17]],
    ['0 */6 * * *', 'hour', [0, 6, 12, 18]],
    ['0 0 */10 * *', 'dayOfMonth', [1, 11, 21, 31]],
    ['0 0 31 * *', 'dayOfMonth', [31]],
    ['0 0 * JAN-MAR *', 'month', [1, 2, 3]],
    ['0 0 * jan,jul,Dec *', 'month', [1, 7, 12]],
    ['0 0 * */4 *', 'month', [1, 5, 9]],
    ['0 0 * * MON-FRI', 'dayOfWeek', [1, 2, 3, 4, 5]],
    ['0 0 * * 7', 'dayOfWeek', [0]],
    ['0 0 * * 0,7', 'dayOfWeek', [0]],
    ['0 0 * * 5-7', 'dayOfWeek', [0, 5, 6]],
    ['0 0 * * sat,SUN', 'dayOfWeek', [0, 6]],
    ['0 0 * * *', 'dayOfWeek', [0, 1, 2, 3, 4, 5, 6]],
    ['0 0 * * */2', 'dayOfWeek', [0, 2, 4, 6]],
  ] as const)('reads "%s" with %s matching %j', (expression, field, values) => {
    const result = parseCron(expression);

    expect(result.ok && result.value[field].values).toStrictEqual(values);
  });

  it('keeps each field as written with its offset, across any run of spaces and tabs', () => {
    const result = parseCron('  0\t9   *  *  1-5 ');

    expect(result.ok && [result.value.minute, result.value.hour, result.value.dayOfWeek]).toStrictEqual([
      {
        name: 'minute',
        text: '0',
        offset: 2,
        items: [{ text: '0', kind: 'single', values: [0] }],
        values: [0],
      },
      {
        name: 'hour',
        text: '9',
        offset: 4,
        items: [{ text: '9', kind: 'single', values: [9] }],
        values: [9],
      },
      {
        name: 'day-of-week',
        text: '1-5',
        offset: 14,
        items: [{ text: '1-5', kind: 'range', values: [1, 2, 3, 4, 5] }],
        values: [1, 2, 3, 4, 5],
      },
    ]);
  });

  it('explains a wrong number of fields, and the forms of other crons', () => {
    const expressions = [
      '',
      '* * * *',
      '0 0 * * * 2025',
      '0 0 0 * * * *',
      'cron(0 9 * * ? *)',
      '@daily',
      '@reboot',
    ];
    expect(renderAll(expressions)).toMatchInlineSnapshot(`
      "
      ^
        cron expression is empty
        hint: write 5 fields: minute hour day-of-month month day-of-week

      * * * *
             ^
        cron expression "* * * *" has 4 fields; it needs 5: minute hour day-of-month month day-of-week
        hint: add the missing fields; schedules are 5-field Unix cron, as in GitHub Actions

      0 0 * * * 2025
                ^^^^
        cron expression "0 0 * * * 2025" has 6 fields; it needs 5: minute hour day-of-month month day-of-week
        hint: drop the seconds or year field: Waterflow adds the year EventBridge needs

      0 0 0 * * * *
                ^^^
        cron expression "0 0 0 * * * *" has 7 fields; it needs 5: minute hour day-of-month month day-of-week
        hint: remove the extra fields; schedules are 5-field Unix cron, as in GitHub Actions

      cron(0 9 * * ? *)
      ^^^^^^^^^^^^^^^^^
        cron expression "cron(0 9 * * ? *)" is in EventBridge form; schedules are 5-field Unix cron, as in GitHub Actions
        hint: write the 5 Unix fields without "cron(...)": minute hour day-of-month month day-of-week

      @daily
      ^^^^^^
        cron macro "@daily" is not supported; schedules are 5-field Unix cron, as in GitHub Actions
        hint: write "0 0 * * *"

      @reboot
      ^^^^^^^
        cron macro "@reboot" is not supported; schedules are 5-field Unix cron, as in GitHub Actions
        hint: write 5 fields: minute hour day-of-month month day-of-week"
    `);
  });

  it('names the first bad field by position and points at the bad part', () => {
    const expressions = [
      '0 25 * * *',
      '60 * * * *',
      '0 0 0 * *',
      '0 0 32 * *',
      '0 0 * 13 *',
      '0 0 * * 8',
      '0 1-25 * * *',
      '0 0 1,15,45 * *',
      '0 MON * * *',
      '0 0 * JANUARY *',
      '0 0 * * MONDAY',
      '0 0 * * FUN',
      '0 9 * * 5-1',
      '0 22-2 * * *',
      '*/0 * * * *',
      '*/60 * * * *',
      '*/x * * * *',
      '*/5/2 * * * *',
      '1,,2 * * * *',
      '1, * * * *',
      '0 0 1- * *',
      '0 0 1-2-3 * *',
      '0 0 ? * *',
      '0 0 L * *',
      '0 0 15W * *',
      '0 0 * * 5#3',
      '0 0 * * 5L',
      '0 25 32 * *',
    ];
    expect(renderAll(expressions)).toMatchInlineSnapshot(`
      "0 25 * * *
        ^^
        field 2 (hour) "25" is out of range 0-23

      60 * * * *
      ^^
        field 1 (minute) "60" is out of range 0-59

      0 0 0 * *
          ^
        field 3 (day-of-month) "0" is out of range 1-31

      0 0 32 * *
          ^^
        field 3 (day-of-month) "32" is out of range 1-31

      0 0 * 13 *
            ^^
        field 4 (month) "13" is out of range 1-12

      0 0 * * 8
              ^
        field 5 (day-of-week) "8" is out of range 0-7

      0 1-25 * * *
          ^^
        field 2 (hour) "1-25": "25" is out of range 0-23

      0 0 1,15,45 * *
               ^^
        field 3 (day-of-month) "1,15,45": "45" is out of range 1-31

      0 MON * * *
        ^^^
        field 2 (hour) "MON" is not a number; allowed: 0-23

      0 0 * JANUARY *
            ^^^^^^^
        field 4 (month) "JANUARY" is not a number or a name; allowed: 1-12 or JAN-DEC
        hint: write "JAN"

      0 0 * * MONDAY
              ^^^^^^
        field 5 (day-of-week) "MONDAY" is not a number or a name; allowed: 0-7 (0 and 7 are Sunday) or SUN-SAT
        hint: write "MON"

      0 0 * * FUN
              ^^^
        field 5 (day-of-week) "FUN" is not a number or a name; allowed: 0-7 (0 and 7 are Sunday) or SUN-SAT

      0 9 * * 5-1
              ^^^
        field 5 (day-of-week) "5-1" is a range that goes backwards
        hint: write the lower value first; for a range that wraps around, use a list like "22-23,0-2"

      0 22-2 * * *
        ^^^^
        field 2 (hour) "22-2" is a range that goes backwards
        hint: write the lower value first; for a range that wraps around, use a list like "22-23,0-2"

      */0 * * * *
        ^
        field 1 (minute) "*/0": "0" is out of range 1-59 for a step

      */60 * * * *
        ^^
        field 1 (minute) "*/60": "60" is out of range 1-59 for a step

      */x * * * *
        ^
        field 1 (minute) "*/x": "x" is not a step; a step is a number 1-59
        hint: write e.g. "*/15"

      */5/2 * * * *
        ^^^
        field 1 (minute) "*/5/2": "5/2" is not a step; a step is a number 1-59
        hint: write e.g. "*/15"

      1,,2 * * * *
      ^^^^
        field 1 (minute) "1,,2" has an empty list item
        hint: remove the extra ","

      1, * * * *
      ^^
        field 1 (minute) "1," has an empty list item
        hint: remove the extra ","

      0 0 1- * *
          ^^
        field 3 (day-of-month) "1-" is missing a value; allowed: 1-31

      0 0 1-2-3 * *
            ^^^
        field 3 (day-of-month) "1-2-3": "2-3" is not a number; allowed: 1-31

      0 0 ? * *
          ^
        field 3 (day-of-month) "?" is EventBridge syntax; schedules are Unix cron, as in GitHub Actions
        hint: write "*": Waterflow adds the "?" EventBridge needs

      0 0 L * *
          ^
        field 3 (day-of-month) "L" uses L, W or #, which Unix cron does not have; schedules are Unix cron, as in GitHub Actions
        hint: list the days instead, e.g. "1,15" or "MON-FRI"

      0 0 15W * *
          ^^^
        field 3 (day-of-month) "15W" uses L, W or #, which Unix cron does not have; schedules are Unix cron, as in GitHub Actions
        hint: list the days instead, e.g. "1,15" or "MON-FRI"

      0 0 * * 5#3
              ^^^
        field 5 (day-of-week) "5#3" uses L, W or #, which Unix cron does not have; schedules are Unix cron, as in GitHub Actions
        hint: list the days instead, e.g. "1,15" or "MON-FRI"

      0 0 * * 5L
              ^^
        field 5 (day-of-week) "5L" uses L, W or #, which Unix cron does not have; schedules are Unix cron, as in GitHub Actions
        hint: list the days instead, e.g. "1,15" or "MON-FRI"

      0 25 32 * *
        ^^
        field 2 (hour) "25" is out of range 0-23"
    `);
  });
});

describe('toEventBridgeCron', () => {
  it.each([
    ['0 0 * * *', 'cron(0 0 * * ? *)'],
    ['0 9 * * 1-5', 'cron(0 9 ? * 2-6 *)'],
    ['0 9 * * MON-FRI', 'cron(0 9 ? * 2-6 *)'],
    ['0 12 * * 0', 'cron(0 12 ? * 1 *)'],
    ['0 12 * * 7', 'cron(0 12 ? * 1 *)'],
    ['0 12 * * 6', 'cron(0 12 ? * 7 *)'],
    ['0 12 * * 6,0', 'cron(0 12 ? * 1,7 *)'],
    ['0 12 * * sat,sun', 'cron(0 12 ? * 1,7 *)'],
    ['0 12 * * 5-7', 'cron(0 12 ? * 1,6-7 *)'],
    ['0 12 * * 1,3,5', 'cron(0 12 ? * 2,4,6 *)'],
    ['0 12 * * */2', 'cron(0 12 ? * 1,3,5,7 *)'],
    ['0 12 * * 0-6', 'cron(0 12 ? * * *)'],
    ['0 0 1 * *', 'cron(0 0 1 * ? *)'],
    ['0 0 1,15 * *', 'cron(0 0 1,15 * ? *)'],
    ['0 0 */2 * *', 'cron(0 0 1/2 * ? *)'],
    ['*/15 * * * *', 'cron(0/15 * * * ? *)'],
    ['5/15 * * * *', 'cron(5/15 * * * ? *)'],
    ['0-30/10 * * * *', 'cron(0,10,20,30 * * * ? *)'],
    ['0 9-17 * * *', 'cron(0 9-17 * * ? *)'],
    ['0 0 * jan-mar *', 'cron(0 0 * JAN-MAR ? *)'],
    ['0 0 * */3 *', 'cron(0 0 * 1/3 ? *)'],
    ['0 0 * feb/3 *', 'cron(0 0 * 2/3 ? *)'],
    ['0 0 * 2-11/3 *', 'cron(0 0 * 2,5,8,11 ? *)'],
    ['30 7 L-1 * *', undefined],
  ])('converts "%s" to %s', (expression, expected) => {
    const result = toEventBridgeCron(expression);

    expect(result.ok ? result.value : undefined).toBe(expected);
  });

  it('refuses day-of-month and day-of-week both set, which EventBridge cannot express', () => {
    // Act
    const result = toEventBridgeCron('0 9 1 * MON');

    // Assess
    expect(result).toStrictEqual({
      ok: false,
      message:
        'field 3 (day-of-month) "1" and field 5 (day-of-week) "MON" are both set, and EventBridge Scheduler can restrict only one of them',
      hint: 'set one of them to "*" and add a second schedule for the other',
      offset: 8,
      length: 3,
    });
  });

  it('refuses a stepped day-of-month with a day-of-week too', () => {
    expect(toEventBridgeCron('0 9 */2 * 1').ok).toBe(false);
  });

  it('passes the parse failure through', () => {
    expect(toEventBridgeCron('0 25 * * *')).toMatchObject({ ok: false, offset: 2, length: 2 });
  });
});
