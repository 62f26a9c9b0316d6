/**
 * Inserts `value` into `list`, kept in increasing order (numbers by value, strings by code unit,
 * as `sort()` orders them), after any equal values; with `unique`, a value already there is not
 * added again. For the short lists of a job's edges, where `sort()` would allocate a work array
 * for each one.
 */
export function insertOrdered<T extends number | string>(list: T[], value: T, unique = false): void {
  let i = list.length;
  while (i > 0 && (list[i - 1] as T) > value) i--;
  if (unique && i > 0 && list[i - 1] === value) return;
  list.splice(i, 0, value);
}
