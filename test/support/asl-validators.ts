import { createRequire } from 'node:module';
import type { ASTNode, Diagnostic, PropertyASTNode } from 'amazon-states-language-service';
import aslService from 'amazon-states-language-service';

/** What the two ASL validators say about one state machine definition, one line per problem. */
export interface AslProblems {
  /** Problems that make the definition invalid, prefixed by the validator that found them. */
  readonly errors: string[];
  /** Diagnostics below Error severity (amazon-states-language-service 1.16.1 reports none). */
  readonly warnings: string[];
}

interface AslValidatorOptions {
  readonly checkPaths: boolean;
  readonly checkArn: boolean;
}

/** asl-validator's CommonJS export (it ships no type declarations). */
type AslValidator = (
  definition: unknown,
  options: AslValidatorOptions,
) => { readonly isValid: boolean; readonly errors: ReadonlyArray<unknown> };

function isAslValidator(value: unknown): value is AslValidator {
  return typeof value === 'function';
}

const aslValidator: unknown = createRequire(import.meta.url)('asl-validator');

// One language service for every call: creating it compiles the bundled ASL JSON schema.
const languageService = aslService.getLanguageService({});

/** Validates a state machine with asl-validator and amazon-states-language-service. */
export async function aslProblems(asl: object): Promise<AslProblems> {
  const fromService = await serviceProblems(asl);
  return {
    errors: [...validatorProblems(asl), ...fromService.errors],
    warnings: fromService.warnings,
  };
}

function validatorProblems(asl: object): string[] {
  if (!isAslValidator(aslValidator)) throw new TypeError('asl-validator does not export a function');
  // The validator writes a default QueryLanguage into every state: give it a copy.
  const definition = withoutFalsePositives(structuredClone(asl));
  const { errors } = aslValidator(definition, { checkPaths: true, checkArn: true });
  return errors.map((error) => `asl-validator: ${describeValidatorError(error, asl)}`);
}

/** The fields asl-validator checks as payload templates (`paths.json#/definitions/asl_payload_template`). */
const payloadTemplateFields = new Set([
  'Parameters',
  'ResultSelector',
  'ItemSelector',
  'Credentials',
  'Assign',
  'BatchInput',
]);

/**
 * The definition with two things replaced that asl-validator 4.0.0 wrongly rejects, although Step
 * Functions takes them. Its messages are not filtered instead because it reports only the deepest
 * schema error and then skips all its other checks: one false positive would hide every real error.
 * - Array items in payload templates must match `^(?!\{% )(.+)(?! %\})$` (its "not JSONata"
 *   pattern), where `.` stops at line breaks, and may not be null: `["sh", "-ec", "a\nb"]`, `[""]`
 *   and `[null]` are rejected, though `Parameters` may hold any JSON (our ECS `Command` is a script).
 * - Its intrinsic grammar (asl-path-validator 0.16) has no `\\` escape, which the ASL spec defines as
 *   a literal backslash in an intrinsic's string: `States.Format('printf \'%s\\n\'')` is rejected.
 *   Each `\\` becomes `\'`, an escape it knows, so the rest of the expression is still parsed.
 */
function withoutFalsePositives(value: unknown, inTemplate = false): unknown {
  if (Array.isArray(value)) {
    return value.map((item: unknown) =>
      inTemplate && (item === null || (typeof item === 'string' && !/^.+$/.test(item)))
        ? 'false-positive-placeholder'
        : withoutFalsePositives(item, inTemplate),
    );
  }
  if (!isRecord(value)) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, field]) => {
      if (inTemplate && key.endsWith('.$') && typeof field === 'string' && field.startsWith('States.')) {
        return [key, field.replace(/\\(.)/gs, (pair, char: string) => (char === '\\' ? "\\'" : pair))];
      }
      return [key, withoutFalsePositives(field, inTemplate || payloadTemplateFields.has(key))];
    }),
  );
}

/** `CODE message (found: ...)`; errors are `{ "Error code", Message, schemaError? }` objects. */
function describeValidatorError(error: unknown, asl: object): string {
  if (!isRecord(error)) return JSON.stringify(error);
  const code = typeof error['Error code'] === 'string' ? error['Error code'] : 'UNKNOWN';
  // Messages start with the JSON pointer, which is empty for the root.
  const message =
    typeof error.Message === 'string' ? error.Message.replace(/^ /, '(root) ') : JSON.stringify(error);
  const schemaError = error.schemaError;
  if (!isRecord(schemaError) || typeof schemaError.instancePath !== 'string') return `${code} ${message}`;
  return `${code} ${message} (found: ${excerpt(valueAtPointer(asl, schemaError.instancePath))})`;
}

async function serviceProblems(asl: object): Promise<AslProblems> {
  const text = JSON.stringify(asl, null, 2);
  const document = aslService.TextDocument.create('file:///state-machine.asl.json', 'json', 1, text);
  const jsonDocument = languageService.parseJSONDocument(document);
  const diagnostics = await languageService.doValidation(document, jsonDocument);
  const root = rootOf(jsonDocument);
  const describe = (diagnostic: Diagnostic): string => {
    const offset = document.offsetAt(diagnostic.range.start);
    const where = root === undefined ? `${diagnostic.range.start.line + 1}` : pathAt(root, offset);
    const found = text.slice(offset, document.offsetAt(diagnostic.range.end));
    // Some ranges cover only the opening brace of an object: the path says enough then.
    const shown = found.length > 1 ? ` (found: ${excerpt(found)})` : '';
    return `amazon-states-language-service: ${where}: ${diagnostic.message}${shown}`;
  };
  const isError = (diagnostic: Diagnostic): boolean =>
    diagnostic.severity === undefined || diagnostic.severity === aslService.DiagnosticSeverity.Error;
  return {
    errors: diagnostics.filter(isError).map(describe),
    warnings: diagnostics.filter((diagnostic) => !isError(diagnostic)).map(describe),
  };
}

/** The parsed tree: the service types the document as `{}`, but its value has a `root`. */
function rootOf(jsonDocument: object): ASTNode | undefined {
  return 'root' in jsonDocument && isAstNode(jsonDocument.root) ? jsonDocument.root : undefined;
}

function isAstNode(value: unknown): value is ASTNode {
  return isRecord(value) && typeof value.type === 'string' && typeof value.offset === 'number';
}

/** The JSONPath of the innermost value at `offset`, e.g. `$.States["compile gate"].Next`. */
function pathAt(root: ASTNode, offset: number): string {
  let path = '$';
  let node: ASTNode | undefined = root;
  const contains = (child: ASTNode): boolean =>
    offset >= child.offset && offset < child.offset + child.length;
  while (node !== undefined) {
    if (node.type === 'object') {
      const property: PropertyASTNode | undefined = node.properties.find(contains);
      if (property === undefined) break;
      const key = property.keyNode.value;
      path += /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
      node =
        property.valueNode !== undefined && contains(property.valueNode) ? property.valueNode : undefined;
    } else if (node.type === 'array') {
      const index = node.items.findIndex(contains);
      if (index < 0) break;
      path += `[${index}]`;
      node = node.items[index];
    } else {
      break;
    }
  }
  return path;
}

/** The value at a JSON pointer (`/States/A/Next`), or undefined. */
function valueAtPointer(value: unknown, pointer: string): unknown {
  let current = value;
  for (const raw of pointer.split('/').slice(1)) {
    const segment = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (Array.isArray(current)) current = current[Number(segment)];
    else if (isRecord(current)) current = current[segment];
    else return undefined;
  }
  return current;
}

function excerpt(value: unknown): string {
  const text = (typeof value === 'string' ? value : (JSON.stringify(value) ?? 'undefined')).replace(
    /\s+/g,
    ' ',
  );
  return text.length > 200 ? `${text.slice(0, 200)}...` : text;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
