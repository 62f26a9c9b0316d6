import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { workflowJsonSchema } from '../../compiler/index.js';
import { parse as parseFile } from '../../compiler/parse/parse.js';
import { validate } from '../../compiler/validate/validate.js';
import { filesIn, root } from '../support/files.js';

/** Codes of problems that a JSON Schema can see: shape, types, names, enums, ranges. */
const SCHEMA_LEVEL = new Set([
  'WF1002',
  'WF1004',
  'WF1101',
  'WF1102',
  'WF1103',
  'WF1104',
  'WF1105',
  'WF1106',
  'WF1107',
]);

const ajv = new Ajv({ allErrors: true, strict: false });
const check = ajv.compile(workflowJsonSchema());

describe('the JSON Schema of the language', () => {
  it('is the committed waterflow.schema.json', () => {
    const committed = JSON.parse(readFileSync(join(root, 'waterflow.schema.json'), 'utf8'));
    expect(committed).toStrictEqual(workflowJsonSchema());
  });

  it.each(filesIn('examples', '.yaml'))('accepts the example $name', ({ text }) => {
    const valid = check(parse(text));
    expect(check.errors ?? []).toStrictEqual([]);
    expect(valid).toBe(true);
  });

  // Schema-level: the shape pass rejects the file, and for reasons a JSON Schema can express.
  const schemaLevel = filesIn('test/fixtures/invalid', '.yaml').filter(({ path, text }) => {
    const parsed = parseFile(text, path).parsed;
    if (parsed === undefined) return false;
    const shaped = validate(parsed);
    return shaped.workflow === undefined && shaped.diagnostics.every((d) => SCHEMA_LEVEL.has(d.code));
  });

  it('has schema-level invalid fixtures to reject', () => {
    expect(schemaLevel.length).toBeGreaterThanOrEqual(10);
  });

  it.each(schemaLevel)('rejects the schema-level invalid fixture $name', ({ text }) => {
    expect(check(parse(text))).toBe(false);
  });
});
