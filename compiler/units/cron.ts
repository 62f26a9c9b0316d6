import { type CronFailure, type CronField, type CronItem, FIELD_SPECS, parseField } from './cron-field.js';
import { ok, type UnitResult } from './result.js';

export type { CronFailure, CronField, CronFieldName, CronItem } from './cron-field.js';

/** A valid 5-field Unix cron expression, field by field. */
export interface CronSchedule {
  readonly source: string;
  readonly minute: CronField;
  readonly hour: CronField;
  readonly dayOfMonth: CronField;
  readonly month: CronField;
  readonly dayOfWeek: CronField;
}

const FIELD_LIST = 'minute hour day-of-month month day-of-week';
const UNIX_CRON = 'schedules are 5-field Unix cron, as in GitHub Actions';

/** What the `@` macros of some crons stand for, to hint the 5 fields. */
const MACROS: Readonly<Record<string, string>> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

/**
 * Validates a 5-field Unix cron expression (`min hour dom month dow`: numbers, `*`, ranges,
 * steps, lists, JAN-DEC, SUN-SAT, day-of-week 0-7); a failure gives the span to point at.
 */
export function parseCron(expression: string): UnitResult<CronSchedule, CronFailure> {
  const tokens = [...expression.matchAll(/\S+/g)].map((m) => ({ text: m[0], offset: m.index }));
  const shape = checkShape(expression, tokens);
  if (shape !== undefined) return shape;
  const field = (i: 0 | 1 | 2 | 3 | 4) => {
    const token = tokens[i] ?? { text: '', offset: expression.length };
    return parseField(FIELD_SPECS[i], i + 1, token.text, token.offset);
  };
  const minute = field(0);
  if (!minute.ok) return minute;
  const hour = field(1);
  if (!hour.ok) return hour;
  const dayOfMonth = field(2);
  if (!dayOfMonth.ok) return dayOfMonth;
  const month = field(3);
  if (!month.ok) return month;
  const dayOfWeek = field(4);
  if (!dayOfWeek.ok) return dayOfWeek;
  return ok({
    source: expression,
    minute: minute.value,
    hour: hour.value,
    dayOfMonth: dayOfMonth.value,
    month: month.value,
    dayOfWeek: dayOfWeek.value,
  });
}

interface Token {
  readonly text: string;
  readonly offset: number;
}

function checkShape(expression: string, tokens: readonly Token[]): CronFailure | undefined {
  const first = tokens[0];
  if (first === undefined) return failAt('cron expression is empty', 0, 0, `write 5 fields: ${FIELD_LIST}`);
  if (/^\s*cron\(.*\)\s*$/s.test(expression)) {
    return failAt(
      `cron expression "${expression.trim()}" is in EventBridge form; ${UNIX_CRON}`,
      first.offset,
      expression.trim().length,
      `write the 5 Unix fields without "cron(...)": ${FIELD_LIST}`,
    );
  }
  if (first.text.startsWith('@')) {
    const macro = MACROS[first.text.toLowerCase()];
    const hint = macro === undefined ? `write 5 fields: ${FIELD_LIST}` : `write "${macro}"`;
    return failAt(
      `cron macro "${first.text}" is not supported; ${UNIX_CRON}`,
      first.offset,
      first.text.length,
      hint,
    );
  }
  if (tokens.length === 5) return undefined;
  return wrongCount(expression, tokens);
}

function wrongCount(expression: string, tokens: readonly Token[]): CronFailure {
  const count = tokens.length;
  const message = `cron expression "${expression.trim()}" has ${count} field${count === 1 ? '' : 's'}; it needs 5: ${FIELD_LIST}`;
  const extra = tokens[5];
  if (extra === undefined) {
    return failAt(message, expression.trimEnd().length, 0, `add the missing fields; ${UNIX_CRON}`);
  }
  const hint =
    count === 6
      ? 'drop the seconds or year field: Waterflow adds the year EventBridge needs'
      : `remove the extra fields; ${UNIX_CRON}`;
  return failAt(message, extra.offset, expression.trimEnd().length - extra.offset, hint);
}

function failAt(message: string, offset: number, length: number, hint?: string): CronFailure {
  const failure = { ok: false as const, message, offset, length };
  return hint === undefined ? failure : { ...failure, hint };
}

/**
 * Converts a 5-field Unix cron expression to the EventBridge Scheduler form
 * `cron(min hour dom month dow year)`: `?` in day-of-month or day-of-week, days numbered 1-7 = SUN-SAT.
 */
export function toEventBridgeCron(expression: string): UnitResult<string, CronFailure> {
  const parsed = parseCron(expression);
  if (!parsed.ok) return parsed;
  const { minute, hour, dayOfMonth, month, dayOfWeek } = parsed.value;
  let dom: string;
  let dow: string;
  if (dayOfWeek.text === '*') {
    dom = eventBridgeField(dayOfMonth);
    dow = '?';
  } else if (dayOfMonth.text === '*') {
    dom = '?';
    dow = eventBridgeDays(dayOfWeek.values);
  } else {
    return bothDays(dayOfMonth, dayOfWeek);
  }
  const fields = [eventBridgeField(minute), eventBridgeField(hour), dom, eventBridgeField(month), dow, '*'];
  return ok(`cron(${fields.join(' ')})`);
}

/** Unix cron ORs a restricted day-of-month with a restricted day-of-week; EventBridge takes only one. */
function bothDays(dayOfMonth: CronField, dayOfWeek: CronField): CronFailure {
  return failAt(
    `field 3 (day-of-month) "${dayOfMonth.text}" and field 5 (day-of-week) "${dayOfWeek.text}" are both set, and EventBridge Scheduler can restrict only one of them`,
    dayOfWeek.offset,
    dayOfWeek.text.length,
    'set one of them to "*" and add a second schedule for the other',
  );
}

/** Minute, hour, day-of-month or month in EventBridge form: items keep their shape but for steps. */
function eventBridgeField(field: CronField): string {
  return field.text === '*' ? '*' : field.items.map(eventBridgeItem).join(',');
}

function eventBridgeItem(item: CronItem): string {
  if (item.step === undefined) return item.text.toUpperCase();
  // EventBridge documents `start/step` only: `*/15` is `0/15`, and a stepped range is spelt out.
  if (item.kind === 'range') return item.values.join(',');
  return `${item.values[0] ?? 0}/${item.step}`;
}

/** Day-of-week values (0-6, Sunday 0) as an EventBridge list: 1-7 = SUN-SAT, runs as ranges. */
function eventBridgeDays(values: readonly number[]): string {
  if (values.length === 7) return '*';
  const days = values.map((v) => v + 1);
  const runs: string[] = [];
  let start = days[0];
  for (let i = 0; i < days.length; i++) {
    const day = days[i];
    const next = days[i + 1];
    if (start === undefined || day === undefined) break;
    if (next === day + 1) continue;
    runs.push(start === day ? `${day}` : `${start}-${day}`);
    start = next;
  }
  return runs.join(',');
}
