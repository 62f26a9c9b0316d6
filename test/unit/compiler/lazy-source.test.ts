import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateWorkflow } from '../../../bench/generate.js';
import type { DocPath } from '../../../compiler/ir.js';
import { lazySourceMap, prefixMap } from '../../../compiler/parse/lazy-source.js';
import { parse } from '../../../compiler/parse/parse.js';
import type { Position, PrefixSourceMap } from '../../../compiler/parse/source.js';
import { filesIn, root } from '../../support/files.js';

/** Every path in the data, and below each a key and an index that do not exist. */
function pathsOf(value: unknown, path: DocPath = []): DocPath[] {
  const missing: DocPath[] = [
    [...path, 'missing'],
    [...path, 99],
  ];
  if (Array.isArray(value))
    return [path, ...missing, ...value.flatMap((item, i) => pathsOf(item, [...path, i]))];
  if (value !== null && typeof value === 'object')
    return [
      path,
      ...missing,
      ...Object.entries(value).flatMap(([key, item]) => pathsOf(item, [...path, key])),
    ];
  return [path, ...missing];
}

type Question = (map: PrefixSourceMap) => Position | undefined;

/** The questions diagnostics ask of a path: its value, its key, characters into its scalar. */
function questions(path: DocPath): Array<[string, Question]> {
  const name = path.join('.');
  return [
    [`${name} value`, (map) => map.locate(path)],
    [`${name} key`, (map) => map.locate(path, 'key')],
    ...[0, 1, 5, 17, 40].map((offset): [string, Question] => [
      `${name} +${offset}`,
      (map) => map.locateInScalar(path, offset),
    ]),
  ];
}

/** YAML whose values may go on past any line: block scalars, blank lines, empty values, folded plain text. */
const TRICKY = `apiVersion: waterflow.io/v1
kind: Workflow
metadata:
  name: tricky
  description:
    a plain scalar
    over three
    lines
spec:
  env:
    EMPTY:
    NEXT: "quoted
      over lines"
  stages:
    - name: a
      jobs:
        - name: j
          container: alpine:3
          commands:
            - |
              echo one

              echo three
            - >-
              folded
              text
            # a comment between items
            - plain
          outputs: [a,
            b]
          env: { A: x,
                 B: y }
        - name: k
          container:
          commands: []
`;

function texts(): Array<{ name: string; text: string }> {
  const fixtures = readdirSync(join(root, 'test/fixtures'), { withFileTypes: true })
    .filter(
      (entry) => entry.isDirectory() && existsSync(join(root, 'test/fixtures', entry.name, 'workflow.yaml')),
    )
    .map((entry) => ({
      name: entry.name,
      text: readFileSync(join(root, 'test/fixtures', entry.name, 'workflow.yaml'), 'utf8'),
    }));
  const all = [
    { name: 'tricky', text: TRICKY },
    { name: 'tricky, CRLF', text: TRICKY.replace(/\n/g, '\r\n') },
    { name: 'generated', text: generateWorkflow({ jobs: 12, seed: 3 }) },
    ...filesIn('examples', '.yaml'),
    ...filesIn('test/fixtures/invalid', '.yaml'),
    ...fixtures,
  ];
  // Files that hold no mapping (empty, a list, a syntax error) have nothing to locate.
  return all.filter(({ text }) => {
    const data = parse(text, 'wf.yaml').parsed?.data;
    return data !== null && typeof data === 'object' && !Array.isArray(data);
  });
}

describe('the lazy source map', () => {
  it.each(texts())('locates paths of $name from a prefix only as the whole text would', ({ text }) => {
    // Prepare
    const asked = pathsOf(parse(text, 'wf.yaml').parsed?.data).flatMap(questions);
    const whole = lazySourceMap('wf.yaml', text, Number.POSITIVE_INFINITY);
    const expected = asked.map(([name, question]) => `${name} ${show(question(whole))}`);
    // Every line end in short texts, about 30 of them in long ones.
    const ends = [...text.matchAll(/\n/g)].map((match) => match.index + 1);
    const step = Math.ceil(ends.length / 30);

    // Act
    let answered = 0;
    const found = ends
      .filter((_, i) => i % step === 0)
      .map((end) => {
        const map = prefixMap(text.slice(0, end));
        return asked.map(([name, question], i) => {
          const answer = map === undefined ? undefined : question(map);
          if (answer !== undefined) answered += 1;
          return answer === undefined ? expected[i] : `${name} ${show(answer)}`;
        });
      });

    // Assess
    for (const answers of found) expect(answers).toStrictEqual(expected);
    expect(answered).toBeGreaterThan(0);
  });

  it('gives the answers of the whole text in a file longer than its first prefix', () => {
    // Prepare
    const text = generateWorkflow({ jobs: 300, seed: 1 });
    const paths: DocPath[] = [
      ['spec', 'stages'],
      ['spec', 'stages', 0, 'jobs', 0, 'commands', 1],
      ['spec', 'stages', 2, 'jobs', 99, 'name'],
      ['spec', 'stages', 2, 'missing'],
    ];
    const whole = lazySourceMap('wf.yaml', text, Number.POSITIVE_INFINITY);

    // Act
    const lazy = lazySourceMap('wf.yaml', text);
    const found = paths.map((path) => lazy.locate(path));

    // Assess
    expect(text.length).toBeGreaterThan(64 * 1024);
    expect(found).toStrictEqual(paths.map((path) => whole.locate(path)));
  });

  it('answers a question about the top of a long file from its first lines', () => {
    // Prepare
    const text = generateWorkflow({ jobs: 2000, seed: 1 });

    // Act
    const map = prefixMap(text.slice(0, text.indexOf('\n', 5000) + 1));

    // Assess
    expect(map?.locate(['spec', 'stages'])).toStrictEqual(
      lazySourceMap('wf.yaml', text, Number.POSITIVE_INFINITY).locate(['spec', 'stages']),
    );
  });
});

function show(position: Position | undefined): string {
  return position === undefined ? 'none' : `${position.line}:${position.column}`;
}
