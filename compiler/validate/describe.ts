import { formatPath } from '../diagnostics/format.js';
import type { DocPath } from '../ir.js';

/** The value at `path` in plain data, or undefined. */
export function valueAt(data: unknown, path: DocPath): unknown {
  let value = data;
  for (const segment of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string | number, unknown>)[segment];
  }
  return value;
}

function nameAt(data: unknown, path: DocPath): string | undefined {
  const value = valueAt(data, [...path, 'name']);
  return typeof value === 'string' ? value : undefined;
}

/**
 * A readable label for a field: `retry.backoff of job "test"`, `stage "build"`,
 * `spec.concurrency.policy`. Users think in jobs and stages, not in array indexes.
 */
export function describeField(data: unknown, path: DocPath): string {
  const jobAt = path.indexOf('jobs');
  if (path[0] === 'spec' && path[1] === 'stages' && typeof path[2] === 'number') {
    if (jobAt === 3 && typeof path[4] === 'number') {
      const owner = labelled(
        'job',
        nameAt(data, path.slice(0, 5)),
        `spec.stages[${path[2]}].jobs[${path[4]}]`,
      );
      return withRest(path.slice(5), owner);
    }
    const owner = labelled('stage', nameAt(data, path.slice(0, 3)), `spec.stages[${path[2]}]`);
    return withRest(path.slice(3), owner);
  }
  return path.length === 0 ? 'the document' : formatPath(path);
}

function labelled(what: string, name: string | undefined, fallback: string): string {
  return name === undefined ? fallback : `${what} "${name}"`;
}

function withRest(rest: DocPath, owner: string): string {
  return rest.length === 0 ? owner : `${formatPath(rest)} of ${owner}`;
}

/** A JSON value as a message shows it: strings quoted and cut, lists and mappings by kind. */
export function showValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `"${value.length > 40 ? `${value.slice(0, 40)}...` : value}"`;
  return String(value);
}
