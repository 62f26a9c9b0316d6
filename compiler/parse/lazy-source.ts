import { type Document, LineCounter, parseAllDocuments } from 'yaml';
import {
  createPrefixSourceMap,
  createSourceMap,
  type Position,
  type PrefixSourceMap,
  type SourceMap,
} from './source.js';

/** The first prefix parsed for positions, and how much longer each next one is. */
const FIRST_PREFIX = 64 * 1024;
const GROWTH = 8;

/** The end of the first non-blank line that ends at or after `size`, or the text's length. */
function cutAt(text: string, size: number): number {
  let end = text.indexOf('\n', Math.max(0, size - 1));
  while (end !== -1 && text.slice(text.lastIndexOf('\n', end - 1) + 1, end).trim() === '')
    end = text.indexOf('\n', end + 1);
  return end === -1 ? text.length : end + 1;
}

function wholeMap(file: string, text: string): SourceMap {
  const lines = new LineCounter();
  const doc = parseAllDocuments(text, { lineCounter: lines, uniqueKeys: true });
  const first = Array.isArray(doc) ? doc[0] : undefined;
  return first === undefined
    ? { file, locate: () => ({ line: 1, column: 1 }), locateInScalar: () => ({ line: 1, column: 1 }) }
    : createSourceMap(file, text, first, lines);
}

/** The map of a prefix that parses as one document without errors, or undefined. */
export function prefixMap(prefix: string): PrefixSourceMap | undefined {
  const lines = new LineCounter();
  const docs = parseAllDocuments(prefix, { lineCounter: lines, uniqueKeys: true, logLevel: 'error' });
  const doc: Document | undefined = Array.isArray(docs) && docs.length === 1 ? docs[0] : undefined;
  return doc === undefined || doc.errors.length > 0 ? undefined : createPrefixSourceMap(prefix, doc, lines);
}

/**
 * The source map of the fast path, which read the data with js-yaml and has no positions: the
 * first question parses with `yaml`, which costs seconds for a 5 MB file. Most diagnostics
 * point near the top (`spec.stages`, the first jobs), so the map parses growing prefixes of
 * the text, each answering what text after it cannot change, and the whole text last.
 * `firstPrefix` is the length of the first prefix; tests make it short.
 * @default firstPrefix 65536
 */
export function lazySourceMap(file: string, text: string, firstPrefix = FIRST_PREFIX): SourceMap {
  let size = firstPrefix;
  let prefix: PrefixSourceMap | undefined;
  let whole: SourceMap | undefined;
  const ask = (question: (map: PrefixSourceMap) => Position | undefined): Position => {
    while (whole === undefined) {
      const answer = prefix === undefined ? undefined : question(prefix);
      if (answer !== undefined) return answer;
      const cut = cutAt(text, size);
      size *= GROWTH;
      if (cut >= text.length) whole = wholeMap(file, text);
      else prefix = prefixMap(text.slice(0, cut));
    }
    // The whole text's map answers every question.
    return question(whole) ?? { line: 1, column: 1 };
  };
  return {
    file,
    locate: (path, target) => ask((map) => map.locate(path, target)),
    locateInScalar: (path, offset) => ask((map) => map.locateInScalar(path, offset)),
  };
}
