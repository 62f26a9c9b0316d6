// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are workflow templates, not JavaScript ones.
import { describe, expect, it } from 'vitest';
import {
  parseCondition,
  parseTemplate,
  staticText,
  templateIsStatic,
} from '../../../compiler/expr/template.js';
import { shape } from './helpers.js';

function messagesOf(errors: ReadonlyArray<{ message: string }>): string[] {
  return errors.map((error) => error.message);
}

describe('parseTemplate', () => {
  it('splits text and expressions, with each expression offset into the template', () => {
    // Act
    const { template, errors } = parseTemplate('go test -shard ${{ matrix.shard }}!');

    // Assess
    expect(errors).toStrictEqual([]);
    expect(template).toStrictEqual({
      source: 'go test -shard ${{ matrix.shard }}!',
      parts: [
        { kind: 'text', text: 'go test -shard ' },
        {
          kind: 'expr',
          expr: { kind: 'name', path: ['matrix', 'shard'], start: 0, end: 12 },
          source: 'matrix.shard',
          offset: 19,
        },
        { kind: 'text', text: '!' },
      ],
    });
  });

  it('keeps a plain string as one text part', () => {
    const { template, errors } = parseTemplate('echo {{ not an expression }} $HOME');

    expect(errors).toStrictEqual([]);
    expect(template.parts).toStrictEqual([{ kind: 'text', text: 'echo {{ not an expression }} $HOME' }]);
    expect(templateIsStatic(template)).toBe(true);
    expect(staticText(template)).toBe('echo {{ not an expression }} $HOME');
  });

  it('has no parts for an empty string', () => {
    expect(parseTemplate('').template.parts).toStrictEqual([]);
  });

  it('parses adjacent expressions without text between them', () => {
    const { template } = parseTemplate('${{a}}${{ b }}');

    expect(
      template.parts.map((part) => (part.kind === 'expr' ? [shape(part.expr), part.offset] : part.text)),
    ).toStrictEqual([
      ['a', 3],
      ['b', 10],
    ]);
    expect(templateIsStatic(template)).toBe(false);
    expect(staticText(template)).toBeUndefined();
  });

  it('does not close an expression at "}}" inside a quoted string', () => {
    // Act
    const { template, errors } = parseTemplate("x ${{ format('{{0}}}}', a) }} y");

    // Assess
    expect(errors).toStrictEqual([]);
    expect(template.parts).toMatchObject([
      { kind: 'text', text: 'x ' },
      { kind: 'expr', source: "format('{{0}}}}', a)" },
      { kind: 'text', text: ' y' },
    ]);
  });

  it('does not open an expression at "${{" inside a quoted string', () => {
    const { template, errors } = parseTemplate("${{ contains(a, '${{') }} and ${{ b }}");

    expect(errors).toStrictEqual([]);
    expect(template.parts.filter((part) => part.kind === 'expr').map((part) => part.source)).toStrictEqual([
      "contains(a, '${{')",
      'b',
    ]);
  });

  it('reports an unterminated "${{" from where it opens', () => {
    // Act
    const { template, errors } = parseTemplate('echo ${{ params.x } done');

    // Assess
    expect(errors).toStrictEqual([
      {
        code: 'WF3001',
        message: 'unterminated "${{" at column 6: expected "}}" before the end of the text',
        start: 5,
        end: 24,
      },
    ]);
    expect(template.parts).toStrictEqual([
      { kind: 'text', text: 'echo ' },
      { kind: 'text', text: '${{ params.x } done' },
    ]);
  });

  it('reports a string that swallows the closing braces as unterminated', () => {
    expect(messagesOf(parseTemplate("echo ${{ 'it''s }}").errors)).toMatchInlineSnapshot(`
      [
        "unterminated string starting at column 10 (write '' for a quote inside a string)",
      ]
    `);
  });

  it('reports a quote that ends a string early as an unexpected name', () => {
    expect(messagesOf(parseTemplate("echo ${{ 'it's }}").errors)).toMatchInlineSnapshot(`
      [
        "expected an operator or the end of the expression, found "s" at column 14",
      ]
    `);
  });

  it('reports syntax errors at their offset and column in the template', () => {
    // Act
    const { errors } = parseTemplate('echo ${{ a }} ${{ b # c }}');

    // Assess
    expect(errors).toStrictEqual([
      { code: 'WF3001', message: 'unexpected character "#" at column 21', start: 20, end: 21 },
    ]);
  });

  it('reports parse errors of every expression, with line and column in a multi-line script', () => {
    const { errors } = parseTemplate('set -e\necho ${{ a == }}\necho ${{ (b }}');

    expect(errors.map(({ message, start }) => ({ message, start }))).toMatchInlineSnapshot(`
      [
        {
          "message": "expected an expression, found end of expression",
          "start": 20,
        },
        {
          "message": "expected ")" to close "(" at line 3, column 10, found end of expression",
          "start": 35,
        },
      ]
    `);
  });

  it('reports an empty expression', () => {
    expect(parseTemplate('a ${{ }} b').errors).toStrictEqual([
      { code: 'WF3001', message: 'empty expression in "${{ }}" at column 3', start: 2, end: 8 },
    ]);
  });
});

describe('parseCondition', () => {
  it('parses a bare expression from offset 0', () => {
    const { expr, offset, errors } = parseCondition("params.env == 'prod'");

    expect(errors).toStrictEqual([]);
    expect(offset).toBe(0);
    expect(expr && shape(expr)).toBe('(== params.env "prod")');
  });

  it('unwraps one "${{ ... }}" around the whole value, with the offset of the inner expression', () => {
    const { expr, offset, errors } = parseCondition("  ${{ needs.build.result == 'failure' }} ");

    expect(errors).toStrictEqual([]);
    expect(offset).toBe(6);
    expect(expr).toMatchObject({ kind: 'binary', start: 0, end: 31 });
  });

  it('refuses text outside the "${{ ... }}"', () => {
    expect(parseCondition('${{ a }} && ${{ b }}').errors).toStrictEqual([
      {
        code: 'WF3001',
        message:
          'a condition is either a bare expression or one "${{ ... }}" around the whole value; write "${{ a && b }}", not "${{ a }} && ${{ b }}"',
        start: 0,
        end: 20,
      },
    ]);
  });

  it('refuses a "${{ ... }}" in the middle of a bare expression', () => {
    expect(messagesOf(parseCondition('a == ${{ b }}').errors)).toMatchInlineSnapshot(`
      [
        "a condition is either a bare expression or one "\${{ ... }}" around the whole value; write "\${{ a && b }}", not "\${{ a }} && \${{ b }}"",
      ]
    `);
  });

  it('accepts "${{" inside a string of a bare expression', () => {
    const { expr, errors } = parseCondition("contains(params.x, '${{')");

    expect(errors).toStrictEqual([]);
    expect(expr?.kind).toBe('call');
  });

  it('reports syntax errors of a wrapped condition at their offset in the value', () => {
    expect(parseCondition('${{ a && }}').errors).toStrictEqual([
      { code: 'WF3001', message: 'expected an expression, found end of expression', start: 8, end: 8 },
    ]);
  });

  it('reports an empty condition', () => {
    expect(messagesOf(parseCondition('').errors)).toStrictEqual([
      'expected an expression, found end of expression',
    ]);
  });
});
