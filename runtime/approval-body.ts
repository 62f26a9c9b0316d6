import type { Decision } from './approval-records.js';

/**
 * The body of a decision, as the approval page's form or a client posts it, parsed the same way
 * by the local approval server and the cloud approval API.
 */

/** The largest decision body either runtime reads. */
export const MAX_DECISION_BODY_BYTES = 16 * 1024;

/** A decision as posted by the page's form or by a client. */
export interface DecisionBody {
  readonly decision: Decision;
  readonly comment?: string;
  readonly approver?: string;
}

/** A body the server refuses: the HTTP status and a message for the sender. */
export interface BodyProblem {
  readonly status: 400 | 413 | 415;
  readonly code: 'too-large' | 'bad-body' | 'unsupported-media-type';
  readonly message: string;
  /** The connection cannot be reused: the body was not read to its end. */
  readonly close?: true;
}

export type BodyResult =
  | { readonly ok: true; readonly body: DecisionBody }
  | { readonly ok: false; readonly problem: BodyProblem };

const FIELDS = ['decision', 'comment', 'approver'] as const;

/** Parses a whole decision body: form-urlencoded or JSON, at most `MAX_DECISION_BODY_BYTES`. */
export function parseDecisionBody(contentType: string | undefined, raw: Uint8Array): BodyResult {
  if (raw.byteLength > MAX_DECISION_BODY_BYTES) return tooLarge();
  const type = mediaType(contentType);
  if (type !== 'application/x-www-form-urlencoded' && type !== 'application/json') {
    return problem(
      415,
      'unsupported-media-type',
      `send the decision as application/x-www-form-urlencoded or application/json, not ${type === '' ? 'an untyped body' : type}`,
    );
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    return problem(400, 'bad-body', 'the body is not valid UTF-8 text');
  }
  if (text.trim() === '')
    return problem(400, 'bad-body', 'the body is empty: send decision=approve or decision=reject');
  return type === 'application/json' ? parseJson(text) : parseForm(text);
}

/** The refusal of a body over `MAX_DECISION_BODY_BYTES`; `cut` when it was not read to its end. */
export function tooLarge(cut = false): BodyResult {
  return problem(413, 'too-large', `the body is larger than ${MAX_DECISION_BODY_BYTES} bytes`, cut);
}

function parseForm(text: string): BodyResult {
  const params = new URLSearchParams(text);
  const fields: Record<string, unknown> = {};
  for (const [name, value] of params) {
    if (name in fields) return problem(400, 'bad-body', `the field "${clip(name)}" is given more than once`);
    fields[name] = value;
  }
  return fromFields(fields);
}

function parseJson(text: string): BodyResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return problem(400, 'bad-body', 'the body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return problem(400, 'bad-body', 'the JSON body must be an object such as {"decision":"approve"}');
  }
  return fromFields(value as Record<string, unknown>);
}

function fromFields(fields: Record<string, unknown>): BodyResult {
  const unknownField = Object.keys(fields).find((name) => !(FIELDS as ReadonlyArray<string>).includes(name));
  if (unknownField !== undefined) {
    return problem(400, 'bad-body', `unknown field "${clip(unknownField)}"; expected ${FIELDS.join(', ')}`);
  }
  const { decision, comment, approver } = fields;
  if (decision !== 'approve' && decision !== 'reject') {
    const found =
      typeof decision === 'string'
        ? `"${clip(decision)}"`
        : decision === undefined
          ? 'nothing'
          : typeof decision;
    return problem(400, 'bad-body', `decision must be "approve" or "reject", found ${found}`);
  }
  for (const [name, value] of [
    ['comment', comment],
    ['approver', approver],
  ] as const) {
    if (value !== undefined && typeof value !== 'string') {
      return problem(
        400,
        'bad-body',
        `${name} must be text, found ${value === null ? 'null' : typeof value}`,
      );
    }
  }
  const text = (value: unknown): string | undefined =>
    typeof value === 'string' && value.trim() !== '' ? value : undefined;
  const given = { comment: text(comment), approver: text(approver) };
  return {
    ok: true,
    body: {
      decision,
      ...(given.comment === undefined ? {} : { comment: given.comment }),
      ...(given.approver === undefined ? {} : { approver: given.approver }),
    },
  };
}

function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

function problem(
  status: BodyProblem['status'],
  code: BodyProblem['code'],
  message: string,
  close = false,
): BodyResult {
  return { ok: false, problem: { status, code, message, ...(close ? { close: true as const } : {}) } };
}

/** User text echoed in an error, kept short. */
function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
