import { describe, expect, it } from 'vitest';
import { parse } from '../../../compiler/parse/parse.js';
import { problems } from '../../support/workflow.js';

/**
 * The same text with a comment that looks like an anchor, which sends `parse` from js-yaml to
 * the yaml package: both must read it the same way.
 */
function withAnchorComment(text: string): string {
  return `${text}# &anchor\n`;
}

function dataOf(text: string): unknown {
  return parse(text, 'wf.yaml').parsed?.data;
}

describe('parse on keys that are not plain strings', () => {
  it.each([
    [
      'a one-element sequence key followed by its value without a space',
      'a: {[b]:1}\n',
      { a: { '[ b ]': 1 } },
    ],
    ['a one-element sequence key of a pair in a sequence', 'a: [[b]:1]\n', { a: [{ '[ b ]': 1 }] }],
    ['a one-element sequence key with no value', 'a: {[b]}\n', { a: { '[ b ]': null } }],
    ['a one-element sequence key after another entry', 'a: {x: 1, [b]}\n', { a: { x: 1, '[ b ]': null } }],
    ['an explicit one-element sequence key in a flow mapping', 'a: {? [b]}\n', { a: { '[ b ]': null } }],
    ['a one-element sequence key after a comment', 'a: { # c\n  [b]}\n', { a: { '[ b ]': null } }],
    ['an empty sequence key', 'a: {[]:1}\n', { a: { '[]': 1 } }],
    ['a null key in a block mapping', 'null: 1\nb: 2\n', { '': 1, b: 2 }],
    ['a ~ key', 'a:\n  ~: 1\n', { a: { '': 1 } }],
    ['an empty key in a flow mapping', 'a: {: 1}\n', { a: { '': 1 } }],
    ['an empty key of a pair in a sequence', 'a: [: 1]\n', { a: [{ '': 1 }] }],
  ])('reads %s as the yaml package does', (_, text, expected) => {
    expect(dataOf(text)).toStrictEqual(expected);
    expect(dataOf(withAnchorComment(text))).toStrictEqual(expected);
  });

  it('reports the same problems for a stage with an empty key whether or not the file has an anchor', () => {
    // The shape of a counterexample the comment property found: `[: {...}]` in spec.stages.
    const text = `apiVersion: waterflow.io/v1
kind: Workflow
metadata: { name: wf }
spec:
  stages:
    [:
      { name: a, jobs: [{ name: j, container: alpine:3.20, commands: [echo] }] }
    ]
`;

    expect(problems(text)).toStrictEqual(problems(withAnchorComment(text)));
    expect(problems(text)).toMatchInlineSnapshot(`
      [
        "6:6 WF1102 unknown field "" in spec.stages[0] | allowed fields: name, description, dependsOn, onFailure, jobs",
        "6:6 WF1103 spec.stages[0] is missing the required field "name" (a string)",
        "6:6 WF1103 spec.stages[0] is missing the required field "jobs" (a list)",
      ]
    `);
  });

  it('reports the same problems for a job with a one-element sequence key whether or not the file has an anchor', () => {
    const text = `apiVersion: waterflow.io/v1
kind: Workflow
metadata: { name: wf }
spec:
  stages:
    - name: a
      jobs: [{ name: j, container: alpine:3.20, commands: [echo], [image]:x }]
`;

    expect(problems(text)).toStrictEqual(problems(withAnchorComment(text)));
    expect(problems(text)).toMatchInlineSnapshot(`
      [
        "7:14 WF1102 unknown field "[ image ]" in job "j" | allowed fields: type, name, description, needs, if, when, continueOnFailure, timeout, env, retry, matrix, outputs, artifacts, artifactsFrom, compensate, container, commands, resources, exitCodes",
      ]
    `);
  });
});

describe('parse on flow collections and quoted scalars over several lines', () => {
  it.each([
    ['a flow mapping', 'a:\n  - { b: 1,\n c: 2 }\n'],
    ['a flow sequence', 'a:\n  b: [1,\n  2]\n'],
    ['a double-quoted scalar', 'a:\n  b: "x\n y"\n'],
  ])(
    'rejects %s continued on a line indented no deeper than its parent, as the yaml package does',
    (_, text) => {
      expect(parse(text, 'wf.yaml').diagnostics.map((d) => d.code)).toStrictEqual(['WF1001']);
      expect(parse(withAnchorComment(text), 'wf.yaml').diagnostics.map((d) => d.code)).toStrictEqual([
        'WF1001',
      ]);
    },
  );

  it('reads a flow mapping continued deeper than its parent on either path', () => {
    const text = 'a:\n  - { b: 1,\n   c: 2 }\n';

    expect(dataOf(text)).toStrictEqual({ a: [{ b: 1, c: 2 }] });
    expect(dataOf(withAnchorComment(text))).toStrictEqual({ a: [{ b: 1, c: 2 }] });
  });

  it('rejects an example whose artifact mapping goes on at too small an indent, with or without an anchor', () => {
    // The shape of a counterexample the comment property found in examples/etl-fan-out.yaml.
    const text = `apiVersion: waterflow.io/v1
kind: Workflow
metadata: { name: wf }
spec:
  stages:
    - name: a
      jobs:
        - name: j
          container: alpine:3.20
          commands: [echo]
          artifacts:
            - { name: customers, path:
 data/customers.csv }
`;

    expect(problems(text)).toStrictEqual(problems(withAnchorComment(text)));
    expect(problems(text)).toMatchInlineSnapshot(`
      [
        "12:39 WF1001 YAML syntax error: Flow map in block collection must be sufficiently indented and end with a } | check indentation, quoting and that every mapping key is followed by ": "",
      ]
    `);
  });
});

describe('parse on a comment with no space before it', () => {
  it.each([
    ['a double-quoted scalar', 'a: "x"# c\n'],
    ['a single-quoted scalar', "a: 'x'# c\n"],
    ['a flow sequence', 'a: [x]# c\n'],
    ['a flow mapping', 'a: {x: 1}# c\n'],
    ['the start of a flow sequence', 'a: [# c\n  x]\n'],
    ['a comma', 'a: [x,# c\n  y]\n'],
  ])('rejects it after %s, as the yaml package does', (_, text) => {
    expect(parse(text, 'wf.yaml').diagnostics.map((d) => d.code)).toStrictEqual(['WF1001']);
    expect(parse(withAnchorComment(text), 'wf.yaml').diagnostics.map((d) => d.code)).toStrictEqual([
      'WF1001',
    ]);
  });
});

describe('parse on a %YAML directive', () => {
  it('reads a file under a %YAML 1.1 directive as the yaml package does', () => {
    const text = '%YAML 1.1\n---\na: yes\n';

    expect(dataOf(text)).toStrictEqual({ a: true });
    expect(dataOf(withAnchorComment(text))).toStrictEqual({ a: true });
  });
});

describe('parse on a syntax error in a stream with directives', () => {
  it('puts the error at the token it names, where the yaml package miscounts lines', () => {
    // Found by the property test: a second document's `%YAML` made linePos say 2:9, an empty line.
    const text = ' *b%YAML 1.2\n\n%TAG !e! tag:example.com,2000:\n>+%YAML 1.2\n:';

    expect(problems(text)).toStrictEqual([
      '4:9 WF1001 YAML syntax error: Not a YAML token: 1.2 | check indentation, quoting and that every mapping key is followed by ": "',
    ]);
  });
});

describe('parse on plain scalars of the core schema', () => {
  it.each([
    '~',
    'null',
    'Null',
    'NULL',
    'nil',
    'n',
    'true',
    'True',
    'TRUE',
    'false',
    'FALSE',
    'tru',
    'yes',
    '0',
    '-1',
    '+1',
    '012',
    '0o17',
    '0x1F',
    '0b101',
    '+0x1F',
    '1.5',
    '.5',
    '+.5',
    '-.5',
    '1.',
    '1e3',
    '1.5E-3',
    '.inf',
    '-.Inf',
    '+.INF',
    '.nan',
    '.NaN',
    '+',
    '-',
    '.',
    'job-1',
  ])('reads %s the same on the fast and the precise path', (scalar) => {
    const text = `a: ${scalar}\n`;

    expect(dataOf(text)).toStrictEqual(dataOf(withAnchorComment(text)));
  });
});
