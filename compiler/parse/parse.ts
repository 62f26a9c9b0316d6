import { FAILSAFE_SCHEMA, load, Type, type YAMLException } from 'js-yaml';
import { LineCounter, parseAllDocuments, type YAMLError } from 'yaml';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { lazySourceMap } from './lazy-source.js';
import { createSourceMap, type SourceMap } from './source.js';

/** A YAML file turned into plain data, with the means to locate any path in it. */
export interface ParsedFile {
  readonly data: unknown;
  readonly source: SourceMap;
  /**
   * True when the data is known to be a tree of plain objects, arrays and scalars, no object
   * reachable twice: the fast path, which sends anchors and tags to the precise one.
   */
  readonly tree?: boolean;
}

export interface ParseResult {
  readonly parsed?: ParsedFile;
  readonly diagnostics: Diagnostic[];
}

function yamlDiagnostic(file: string, text: string, error: YAMLError): Diagnostic {
  const position = positionAt(text, error.pos[0]);
  // The yaml package appends a source excerpt after the first line; we print our own location.
  const message = (error.message.split('\n')[0] ?? error.message).replace(/ at line \d+, column \d+:?$/, '');
  return {
    code: 'WF1001',
    severity: 'error',
    message: `YAML syntax error: ${message}`,
    path: [],
    file,
    line: position.line,
    column: position.col,
    hint: 'check indentation, quoting and that every mapping key is followed by ": "',
  };
}

/**
 * Line and column of `offset` in `text`. The yaml package's own `linePos` counts wrong in a stream
 * of several documents with directives (`%YAML` after a first document); the offset is right.
 */
function positionAt(text: string, offset: number): { line: number; col: number } {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const lineStart = before.lastIndexOf('\n') + 1;
  let line = 1;
  for (let i = before.indexOf('\n'); i >= 0; i = before.indexOf('\n', i + 1)) line++;
  return { line, col: before.length - lineStart + 1 };
}

// The core schema's scalars. Module constants: a regex literal in a function is a new object
// at every call, and these run for every plain scalar of a file.
const NULL = /^(?:~|null|Null|NULL|)$/;
const BOOL = /^(?:true|True|TRUE|false|False|FALSE)$/;
const INT = /^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$/;
const FLOAT =
  /^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;

// First characters each can start with: most scalars are names and commands, which one
// character rules out without running four regexes.
const isDigit = (c: number) => c >= 48 && c <= 57;
const PLUS = 43;
const MINUS = 45;
const DOT = 46;
const startsNull = (data: string) => data.length <= 4 && (data === '' || '~nN'.includes(data.charAt(0)));
const startsBool = (data: string) =>
  (data.length === 4 || data.length === 5) && 'tTfF'.includes(data.charAt(0));
const startsNumber = (data: string, dot: boolean) => {
  const c = data.charCodeAt(0);
  return isDigit(c) || c === PLUS || c === MINUS || (dot && c === DOT);
};

/**
 * YAML 1.2's core schema, as the `yaml` package reads it: js-yaml's own CORE_SCHEMA takes
 * `0b101` and `+0x1F` for numbers and `+.5` for a string, which would make the same file valid
 * or not depending on the path it took.
 */
const YAML_12_CORE = FAILSAFE_SCHEMA.extend({
  implicit: [
    new Type('tag:yaml.org,2002:null', {
      kind: 'scalar',
      resolve: (data: string) => startsNull(data) && NULL.test(data),
      construct: () => null,
    }),
    new Type('tag:yaml.org,2002:bool', {
      kind: 'scalar',
      resolve: (data: string) => startsBool(data) && BOOL.test(data),
      construct: (data: string) => data.toLowerCase() === 'true',
    }),
    new Type('tag:yaml.org,2002:int', {
      kind: 'scalar',
      resolve: (data: string) => startsNumber(data, false) && INT.test(data),
      construct: (data: string) =>
        data.startsWith('0o')
          ? Number.parseInt(data.slice(2), 8)
          : data.startsWith('0x')
            ? Number.parseInt(data.slice(2), 16)
            : Number(data),
    }),
    new Type('tag:yaml.org,2002:float', {
      kind: 'scalar',
      resolve: (data: string) => startsNumber(data, true) && FLOAT.test(data),
      construct: (data: string) => {
        const lower = data.toLowerCase();
        if (lower.endsWith('.inf'))
          return lower.startsWith('-') ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
        return lower === '.nan' ? Number.NaN : Number(data);
      },
    }),
  ],
});

/** Where YAML allows a comment between two tokens: spaces, line breaks and `# ...` lines. */
const GAP = String.raw`(?:\s|#[^\n]*\n)*`;

/** Text that js-yaml reads otherwise than the yaml package; one pattern, as each scans the whole text. */
const READ_OTHERWISE = new RegExp(
  [
    // A sequence key, which js-yaml reads as the text of its one item (`[a]` as `a`, `[]` as ``)
    // where the yaml package writes `[ a ]`, and the data cannot tell: before a `:`, which in flow
    // needs no space after it (`{[a]:1}`), or where a flow entry starts (`{[a]}`, `{x: 1, [a]}`,
    // `[? [a]]`).
    String.raw`\]${GAP}:`,
    String.raw`[{,?]${GAP}\[`,
    // `%YAML 1.1`, under which the yaml package reads `yes` as true and merges `<<` keys.
    '^%',
    // A comment right after a quote or a flow indicator (`"a"# b`, `[a,# b`): js-yaml skips it,
    // the yaml package wants a space before it.
    String.raw`["'[\]{},]#`,
  ].join('|'),
  'm',
);

/** What only the precise path reads right: anchors (no alias limit in js-yaml), tags, complex keys. */
/**
 * Each pattern with a character it cannot match without: a search for one character is far
 * faster than a regex scan of the whole text, and most files have no `&`, `!` or `?`.
 */
const NEEDS_PRECISE: ReadonlyArray<readonly [string | undefined, RegExp]> = [
  // An anchor (`&name`, not the shell's `&&`) may be the root of an alias bomb.
  ['&', /(^|[\s:[{,-])&[^\s&,[\]{}]/m],
  // Explicit tags (`!!binary`, `!!timestamp`; not the `!=` of an expression) and explicit or collection keys.
  ['!', /(^|[\s:[{,-])![^\s=]/m],
  ['?', /(^|\s)\?(\s|$)/m],
  [':', /[\]}]\s*:(\s|$)/m],
  [undefined, READ_OTHERWISE],
];

/**
 * js-yaml only warns of some text that the yaml package rejects: a flow collection or a quoted
 * scalar continued on a line indented no deeper than its parent (`- { a: 1,\n b: 2 }`).
 */
function rejectWarning(warning: YAMLException): never {
  throw warning;
}

/**
 * The fast path: js-yaml reads plain data an order of magnitude faster than the `yaml`
 * package, which keeps node positions. Positions are only needed for diagnostics, so the
 * source map parses again with `yaml` the first time something asks where a path is. Anything
 * unusual (a syntax error or warning, several documents, anchors, tags, complex or null keys,
 * directives, an empty file) takes the precise path, which reports it exactly.
 */
function fastLoad(text: string): unknown {
  if (
    NEEDS_PRECISE.some(([char, pattern]) => (char === undefined || text.includes(char)) && pattern.test(text))
  )
    return undefined;
  try {
    const data = load(text, { schema: YAML_12_CORE, onWarning: rejectWarning });
    return data === null || typeof data !== 'object' || hasOddKey(data) ? undefined : data;
  } catch {
    return undefined;
  }
}

/**
 * Keys that js-yaml writes otherwise than the yaml package: a collection becomes `a,b` or
 * `[object Object]` (yaml: `[ a, b ]`), a null key `null` (yaml: the empty string). A string key
 * that only looks like one (`"null": 1`) takes the precise path too: slower, still right.
 */
function hasOddKey(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasOddKey);
  if (value === null || typeof value !== 'object') return false;
  // A loop over keys, not Object.entries: an array per object of the whole file adds up.
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    if (key === 'null' || key.includes(',') || key.includes('[object ')) return true;
    if (hasOddKey((value as Record<string, unknown>)[key])) return true;
  }
  return false;
}

/** Parses YAML text; syntax errors become WF1001 diagnostics located at the error. */
export function parse(text: string, file: string): ParseResult {
  const fast = fastLoad(text);
  if (fast !== undefined)
    return { parsed: { data: fast, source: lazySourceMap(file, text), tree: true }, diagnostics: [] };
  return parsePrecisely(text, file);
}

function parsePrecisely(text: string, file: string): ParseResult {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, {
    lineCounter: lines,
    prettyErrors: true,
    uniqueKeys: true,
    // The compiler does no I/O: yaml's default 'warn' level calls process.emitWarning.
    logLevel: 'error',
  });
  if (!Array.isArray(docs)) {
    // An empty stream: parseAllDocuments returns an EmptyStream.
    return { diagnostics: [emptyDiagnostic(file)] };
  }
  // Later syntax errors are mostly echoes of the first (an unclosed bracket reports five); give one.
  const firstError = docs.flatMap((doc) => doc.errors)[0];
  if (firstError !== undefined) return { diagnostics: [yamlDiagnostic(file, text, firstError)] };
  const [doc, second] = docs;
  if (doc === undefined) return { diagnostics: [emptyDiagnostic(file)] };
  if (second !== undefined) {
    const { line, col } = lines.linePos(second.range[0]);
    return {
      diagnostics: [
        {
          code: 'WF1003',
          severity: 'error',
          message: 'a workflow file holds one YAML document, found a second one',
          path: [],
          file,
          line,
          column: col,
          hint: 'put each workflow in its own file, or remove the "---" separator',
        },
      ],
    };
  }
  const source = createSourceMap(file, text, doc, lines);
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 1000 });
  } catch (error) {
    // Alias bombs and similar: the yaml package throws a ReferenceError with a message.
    const position = source.locate([]);
    return {
      diagnostics: [
        {
          code: 'WF1001',
          severity: 'error',
          message: `YAML syntax error: ${error instanceof Error ? error.message : String(error)}`,
          path: [],
          file,
          ...position,
        },
      ],
    };
  }
  return { parsed: { data, source }, diagnostics: [] };
}

function emptyDiagnostic(file: string): Diagnostic {
  return {
    code: 'WF1002',
    severity: 'error',
    message: 'the file is empty: a workflow needs apiVersion, kind, metadata and spec',
    path: [],
    file,
    line: 1,
    column: 1,
    hint: 'start from one of the files in examples/',
  };
}
