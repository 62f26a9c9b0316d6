import { fail, ok, type UnitResult } from './result.js';

/** One year: the longest a Step Functions Standard workflow execution can run. */
export const MAX_DURATION_SECONDS = 365 * 24 * 60 * 60;

const UNIT_SECONDS = { d: 86_400, h: 3_600, m: 60, s: 1 } as const;
type Unit = keyof typeof UNIT_SECONDS;
const UNITS_LARGEST_FIRST: readonly Unit[] = ['d', 'h', 'm', 's'];

/** Spellings people write for our units, so the hint can give the fix. */
const UNIT_ALIASES: Readonly<Record<string, Unit>> = {
  D: 'd',
  day: 'd',
  days: 'd',
  H: 'h',
  hr: 'h',
  hrs: 'h',
  hour: 'h',
  hours: 'h',
  min: 'm',
  mins: 'm',
  minute: 'm',
  minutes: 'm',
  S: 's',
  sec: 's',
  secs: 's',
  second: 's',
  seconds: 's',
};

const EXAMPLES = 'write a number of seconds or a value like 90s, 10m, 2h, 1d or 1h30m';
const TOKEN = /(\d+(?:\.\d+)?)([a-zA-Z]+)/y;

interface RawPart {
  readonly number: string;
  readonly unit: string;
}

interface Part extends RawPart {
  readonly unit: Unit;
}

/**
 * Parses a duration (`90s`, `10m`, `2h`, `1d`, `1h30m`, `1.5h`, or a bare number of seconds)
 * into whole seconds, from 1s to 365d. Surrounding whitespace is ignored; inner whitespace is not allowed.
 */
export function parseDuration(input: string | number): UnitResult<number> {
  if (typeof input === 'number') return parseSeconds(input, String(input));
  const text = input.trim();
  const shown = `"${text}"`;
  if (text === '') return fail('duration is empty', EXAMPLES);
  if (/\s/.test(text)) {
    // "10 minutes": the joined form may be fixable too ("10minutes" -> "10m"); give that fix.
    const joined = text.replace(/\s+/g, '');
    const retry = parseDuration(joined);
    const fix = retry.ok ? `write "${joined}"` : (retry.hint ?? `write "${joined}"`);
    return fail(`duration ${shown} contains whitespace`, fix);
  }
  if (/^\d+(?:\.\d+)?$/.test(text)) return parseSeconds(Number(text), shown);
  if (text.startsWith('-')) return fail(`duration ${shown} is negative; it must be at least 1s`, EXAMPLES);
  const raw = tokenize(text);
  if (raw === undefined) return fail(`${shown} is not a duration`, EXAMPLES);
  const parts: Part[] = [];
  for (const { number, unit } of raw) {
    if (!isUnit(unit)) return unknownUnit(shown, { number, unit });
    parts.push({ number, unit });
  }
  return sumParts(shown, parts);
}

/** The canonical form of a number of seconds, largest units first, zero parts left out: 5400 is `1h30m`. */
export function formatDuration(seconds: number): string {
  if (!Number.isSafeInteger(seconds) || seconds <= 0) return `${seconds}s`;
  let rest = seconds;
  let out = '';
  for (const unit of UNITS_LARGEST_FIRST) {
    const count = Math.floor(rest / UNIT_SECONDS[unit]);
    rest -= count * UNIT_SECONDS[unit];
    if (count > 0) out += `${count}${unit}`;
  }
  return out;
}

function parseSeconds(value: number, shown: string): UnitResult<number> {
  if (!Number.isFinite(value)) return fail(`duration ${shown} is not a finite number`, EXAMPLES);
  if (!Number.isInteger(value)) {
    return fail(`duration ${shown} is not a whole number of seconds`, roundingHint(value));
  }
  return checkRange(value, shown);
}

function tokenize(text: string): RawPart[] | undefined {
  const parts: RawPart[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    const match = TOKEN.exec(text);
    if (match === null) return undefined;
    parts.push({ number: match[1] ?? '', unit: match[2] ?? '' });
  }
  return parts;
}

/** Up to 9 digits times a day's seconds, four times over, stays well within exact integers. */
const MAX_PLAIN_DIGITS = 9;

function sumParts(shown: string, parts: readonly Part[]): UnitResult<number> {
  let previous = -1;
  let plain = true;
  for (const part of parts) {
    const rank = UNITS_LARGEST_FIRST.indexOf(part.unit);
    if (rank <= previous) return outOfOrder(shown, parts);
    previous = rank;
    if (part.number.length > MAX_PLAIN_DIGITS || part.number.includes('.')) plain = false;
  }
  // Whole numbers of a few digits add up exactly as numbers; bigints are slow, and durations many.
  if (plain) {
    let seconds = 0;
    for (const part of parts) seconds += Number(part.number) * UNIT_SECONDS[part.unit];
    return seconds > MAX_DURATION_SECONDS ? tooLong(shown) : checkRange(seconds, shown);
  }
  let total = 0n;
  let denominator = 1n;
  for (const part of parts) {
    const unit = part.unit;
    // Exact decimal arithmetic: 0.1h must be 360s, not 360.00000000000006s.
    const [whole = '', fraction = ''] = part.number.split('.');
    const scale = 10n ** BigInt(fraction.length);
    total = total * scale + BigInt(whole + fraction) * BigInt(UNIT_SECONDS[unit]) * denominator;
    denominator *= scale;
  }
  if (total % denominator !== 0n) {
    const approx = Number(total) / Number(denominator);
    return fail(`duration ${shown} is not a whole number of seconds`, roundingHint(approx));
  }
  const seconds = total / denominator;
  // Compare as bigint first: a huge total would lose precision as a number.
  return seconds > BigInt(MAX_DURATION_SECONDS) ? tooLong(shown) : checkRange(Number(seconds), shown);
}

function isUnit(unit: string): unit is Unit {
  return Object.hasOwn(UNIT_SECONDS, unit);
}

function unknownUnit(shown: string, part: RawPart): UnitResult<number> {
  const message = `unknown unit "${part.unit}" in duration ${shown}; the units are d, h, m and s`;
  const written = `"${part.number}${part.unit}"`;
  const alias = UNIT_ALIASES[part.unit];
  if (alias !== undefined) return fail(message, `write "${part.number}${alias}" instead of ${written}`);
  if (/^w(eeks?)?$/i.test(part.unit) && /^\d+$/.test(part.number)) {
    return fail(message, `write "${Number(part.number) * 7}d" instead of ${written}`);
  }
  if (part.unit === 'ms') return fail(message, 'durations are whole seconds: write at least "1s"');
  if (/^y(ears?)?$/i.test(part.unit)) return fail(message, 'write "365d" for a year, the longest allowed');
  return fail(message, EXAMPLES);
}

function outOfOrder(shown: string, parts: readonly Part[]): UnitResult<number> {
  const message = `duration ${shown} repeats a unit or puts a smaller one first; write each of d, h, m, s at most once, largest first`;
  // Hint the same total in canonical form when it is a whole number of seconds.
  const sum = parts.reduce((acc, part) => acc + Number(part.number) * UNIT_SECONDS[part.unit], 0);
  return Number.isInteger(sum) && sum > 0 && sum <= MAX_DURATION_SECONDS
    ? fail(message, `write "${formatDuration(sum)}"`)
    : fail(message);
}

function checkRange(seconds: number, shown: string): UnitResult<number> {
  if (seconds < 0) return fail(`duration ${shown} is negative; it must be at least 1s`, EXAMPLES);
  if (seconds === 0) return fail(`duration ${shown} is zero; it must be at least 1s`, EXAMPLES);
  if (seconds > MAX_DURATION_SECONDS) return tooLong(shown);
  return ok(seconds);
}

function tooLong(shown: string): UnitResult<number> {
  return fail(
    `duration ${shown} is longer than 365d, the longest a Step Functions Standard workflow can run`,
    'ask for at most 365d',
  );
}

function roundingHint(seconds: number): string {
  const down = Math.floor(seconds);
  const up = Math.ceil(seconds);
  return down >= 1 ? `round to "${formatDuration(down)}" or "${formatDuration(up)}"` : 'round up to "1s"';
}
