/** A value parsed from user input, or why it could not be: never an exception. */
export type UnitResult<T, F extends UnitFailure = UnitFailure> = { readonly ok: true; readonly value: T } | F;

/** What was found, what is allowed (`message`) and how to fix it (`hint`); the caller adds the location. */
export interface UnitFailure {
  readonly ok: false;
  readonly message: string;
  readonly hint?: string;
}

/** Wraps a parsed value. */
export function ok<T>(value: T): { readonly ok: true; readonly value: T } {
  return { ok: true, value };
}

/** A failure; `hint` is left out rather than set to `undefined` (exactOptionalPropertyTypes). */
export function fail(message: string, hint?: string): UnitFailure {
  return hint === undefined ? { ok: false, message } : { ok: false, message, hint };
}
