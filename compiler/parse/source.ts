import { type Document, isMap, isPair, isScalar, isSeq, type LineCounter, type Node } from 'yaml';
import type { DocPath } from '../ir.js';

/** A 1-based line and column. */
export interface Position {
  readonly line: number;
  readonly column: number;
}

/**
 * Maps document paths to positions in the YAML text. Passes after `parse` receive this
 * instead of the YAML document, so that they can locate diagnostics without re-reading YAML.
 */
export interface SourceMap {
  readonly file: string;
  /** The position of the value at `path`, or of the nearest existing ancestor. */
  locate(path: DocPath, target?: 'value' | 'key'): Position;
  /** The position `offset` characters into the scalar at `path` (for expressions). */
  locateInScalar(path: DocPath, offset: number): Position;
}

interface Found {
  readonly node: Node | null;
  readonly keyNode?: Node;
  readonly exact: boolean;
}

function findNode(root: Node | null, path: DocPath): Found {
  let node = root;
  let keyNode: Node | undefined;
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find(
        (item) => isScalar(item.key) && String(item.key.value) === String(segment),
      );
      if (pair === undefined) return { node, exact: false };
      keyNode = isScalar(pair.key) ? pair.key : undefined;
      // A key with no value (`name:`) still has a position: its key.
      node = (pair.value as Node | null) ?? keyNode ?? node;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment];
      if (item === undefined || isPair(item)) return { node, exact: false };
      keyNode = undefined;
      node = item as Node;
    } else {
      return { node, exact: false };
    }
  }
  return keyNode === undefined ? { node, exact: true } : { node, keyNode, exact: true };
}

/** Builds the source map of a parsed YAML document. */
export function createSourceMap(file: string, text: string, doc: Document, lines: LineCounter): SourceMap {
  const at = (offset: number): Position => {
    const { line, col } = lines.linePos(Math.max(0, Math.min(offset, text.length)));
    return { line, column: col };
  };
  const root = doc.contents as Node | null;
  return {
    file,
    locate: (path, target = 'value') => at(nodeOffset(findNode(root, path), target)),
    locateInScalar: (path, offset) => at(scalarOffsetOf(findNode(root, path), text, offset)),
  };
}

/** A source map over the start of a text: undefined where the rest of the text may matter. */
export interface PrefixSourceMap {
  locate(path: DocPath, target?: 'value' | 'key'): Position | undefined;
  locateInScalar(path: DocPath, offset: number): Position | undefined;
}

/**
 * Builds the source map of `prefix`, the start of a text up to the end of a line, parsed
 * without errors. Text after a line cannot move where a node of it starts, so a path that
 * ends at a value there is located as in the whole text. A value missing so far (`key:` at
 * the cut) may start after it, a scalar may go on past the cut unless a later line ended it,
 * and an offset past the cut has lines the prefix does not know: those, and paths not found,
 * are left to a longer prefix.
 */
export function createPrefixSourceMap(prefix: string, doc: Document, lines: LineCounter): PrefixSourceMap {
  const at = (offset: number): Position | undefined => {
    if (offset >= prefix.length) return undefined;
    const { line, col } = lines.linePos(Math.max(0, offset));
    return { line, column: col };
  };
  const root = doc.contents as Node | null;
  // Where the last line with content starts: what ends before it, that line has ended.
  const lastLine = prefix.trimEnd().lastIndexOf('\n') + 1;
  const settled = (path: DocPath): Found | undefined => {
    const found = findNode(root, path);
    const range = found.node?.range;
    if (!found.exact || range === undefined || range === null || found.node === found.keyNode)
      return undefined;
    // An empty value ends the prefix unless a later line decided what follows the key.
    return range[0] === range[1] && range[2] > lastLine ? undefined : found;
  };
  return {
    locate(path, target = 'value') {
      const found = settled(path);
      return found === undefined ? undefined : at(nodeOffset(found, target));
    },
    locateInScalar(path, offset) {
      const found = settled(path);
      const end = found?.node?.range?.[2];
      if (found === undefined || end === undefined || end > lastLine) return undefined;
      return at(scalarOffsetOf(found, prefix, offset));
    },
  };
}

/** Where the value at a path starts, or its key. */
function nodeOffset(found: Found, target: 'value' | 'key'): number {
  const node = target === 'key' && found.keyNode !== undefined ? found.keyNode : found.node;
  return node?.range?.[0] ?? 0;
}

/** Where `offset` characters into the scalar at a path lie; the start of anything else. */
function scalarOffsetOf(found: Found, text: string, offset: number): number {
  const node = found.node;
  if (!isScalar(node) || node.range === undefined) return node?.range?.[0] ?? 0;
  return scalarOffset(text, node, offset);
}

/**
 * Where character `offset` of a scalar's value lies in the text. Exact for plain and quoted
 * scalars on one line; block scalars are mapped line by line past their indentation.
 */
function scalarOffset(text: string, node: Node & { type?: string | null }, offset: number): number {
  const [start, end] = node.range ?? [0, 0];
  const raw = text.slice(start, end);
  if (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE') return start + 1 + offset;
  if (node.type !== 'BLOCK_LITERAL' && node.type !== 'BLOCK_FOLDED') return start + offset;
  // Skip the header line (`|`, `>-`, ...), then walk the value's lines.
  const bodyStart = raw.indexOf('\n') + 1;
  const body = raw.slice(bodyStart);
  const indent = /^ */.exec(body)?.[0].length ?? 0;
  let remaining = offset;
  let cursor = start + bodyStart;
  for (const line of body.split('\n')) {
    const content = line.slice(indent);
    if (remaining <= content.length) return cursor + indent + remaining;
    remaining -= content.length + 1;
    cursor += line.length + 1;
  }
  return start;
}
