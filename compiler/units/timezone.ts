import { closest } from '../diagnostics/suggest.js';

/**
 * Current IANA names that ICU (and so `Intl.supportedValuesOf`) still lists under their old
 * name: without these, `Asia/Kolkata` would be refused while `Asia/Calcutta` passes.
 * Each maps to the old name, which stays valid too.
 */
const RENAMED: Readonly<Record<string, string>> = {
  'Africa/Asmara': 'Africa/Asmera',
  'America/Argentina/Buenos_Aires': 'America/Buenos_Aires',
  'America/Argentina/Catamarca': 'America/Catamarca',
  'America/Argentina/Cordoba': 'America/Cordoba',
  'America/Argentina/Jujuy': 'America/Jujuy',
  'America/Argentina/Mendoza': 'America/Mendoza',
  'America/Atikokan': 'America/Coral_Harbour',
  'America/Indiana/Indianapolis': 'America/Indianapolis',
  'America/Kentucky/Louisville': 'America/Louisville',
  'America/Nuuk': 'America/Godthab',
  'Asia/Ho_Chi_Minh': 'Asia/Saigon',
  'Asia/Kathmandu': 'Asia/Katmandu',
  'Asia/Kolkata': 'Asia/Calcutta',
  'Asia/Yangon': 'Asia/Rangoon',
  'Atlantic/Faroe': 'Atlantic/Faeroe',
  'Europe/Kyiv': 'Europe/Kiev',
  'Pacific/Chuuk': 'Pacific/Truk',
  'Pacific/Kanton': 'Pacific/Enderbury',
  'Pacific/Pohnpei': 'Pacific/Ponape',
};

let known: ReadonlySet<string> | undefined;

/** `Intl.DateTimeFormat`'s name for a zone (it canonicalises case and aliases), or undefined if unknown. */
function resolve(name: string): string | undefined {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

/** `UTC` and the `Etc/` zones; those `Intl` does not know (`Etc/GMT+13`) are filtered out by the caller. */
function etcZones(): string[] {
  const offsets = Array.from({ length: 15 }, (_, i) => i);
  const fixed = offsets.flatMap((n) => [`Etc/GMT+${n}`, `Etc/GMT-${n}`]);
  const aliases = ['Etc/GMT', 'Etc/GMT0', 'Etc/Greenwich', 'Etc/UCT', 'Etc/Universal', 'Etc/UTC', 'Etc/Zulu'];
  return ['UTC', ...aliases, ...fixed];
}

/** Every accepted name, spelled exactly as IANA spells it; built once. */
function knownZones(): ReadonlySet<string> {
  if (known !== undefined) return known;
  const extra = [...etcZones(), ...Object.keys(RENAMED)].filter((name) => resolve(name) !== undefined);
  known = new Set([...Intl.supportedValuesOf('timeZone'), ...extra]);
  return known;
}

/** True for an IANA time zone name spelled exactly (`Europe/Paris`, `UTC`, `Etc/GMT+5`). */
export function isValidTimeZone(name: string): boolean {
  return knownZones().has(name);
}

/**
 * The valid name `name` most likely means: a case or spelling fix (`europe/pari` -> `Europe/Paris`),
 * or the canonical name of a legacy alias (`US/Pacific` -> `America/Los_Angeles`).
 */
export function suggestTimeZone(name: string): string | undefined {
  const zones = knownZones();
  // An alias Intl resolves is an exact answer (`GMT` is `UTC`); edit distance is only a guess.
  const resolved = resolve(name);
  if (resolved !== undefined) {
    const current = Object.keys(RENAMED).find((modern) => RENAMED[modern] === resolved) ?? resolved;
    if (current !== name && zones.has(current)) return current;
  }
  return closest(name, zones);
}
