import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { ApprovalRefusal } from '../../runtime/approvals.js';

/**
 * Who decides. With no authorizer on the route (the default: the signed link is the credential,
 * as in the local runtime), the form's `approver` field, else `anonymous`, which the approval
 * refuses when it names approvers. When the stack puts an authorizer in front, its identity is the
 * approver (a Cognito user pool's `email` claim, else a Lambda authorizer's `principalId`), and a
 * form field naming someone else is refused: a signed-in person decides as themselves only.
 */
export type Approver =
  | { readonly ok: true; readonly name: string | undefined }
  | { readonly ok: false; readonly refusal: ApprovalRefusal };

export function approverOf(event: APIGatewayProxyEvent, given: string | undefined): Approver {
  const signedIn = authorizerIdentity(event);
  if (signedIn === undefined) return { ok: true, name: given };
  if (given !== undefined && given.trim().toLowerCase() !== signedIn.toLowerCase()) {
    return {
      ok: false,
      refusal: {
        outcome: 'refused',
        code: 'not-allowed',
        message: `you are signed in as ${signedIn} and cannot decide as ${given.trim()}`,
      },
    };
  }
  return { ok: true, name: signedIn };
}

function authorizerIdentity(event: APIGatewayProxyEvent): string | undefined {
  const authorizer: unknown = event.requestContext?.authorizer;
  if (typeof authorizer !== 'object' || authorizer === null) return undefined;
  const { claims, principalId } = authorizer as { claims?: unknown; principalId?: unknown };
  if (typeof claims === 'object' && claims !== null) {
    const email = (claims as { email?: unknown }).email;
    if (typeof email === 'string' && email.trim() !== '') return email.trim();
  }
  return typeof principalId === 'string' && principalId.trim() !== '' ? principalId.trim() : undefined;
}
