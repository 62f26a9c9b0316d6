import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { JsonValue } from '../../compiler/asl/types.js';
import { bodyText, errorBody, HttpError, json, jsonBody } from '../shared/http.js';
import type { StartOutcome } from './start.js';
import {
  InvalidParamsError,
  type SubmitDeps,
  type SubmitOutcome,
  startWorkflowRun,
  submitDefinition,
  WorkflowNotFoundError,
} from './submit.js';

/**
 * The submit routes of the REST API:
 * - `POST /workflows`: the body is the YAML; deploys it and starts a run with the default params
 *   (`?start=false`: deploy only). 201, or 400 `InvalidDefinition` with the diagnostics.
 * - `POST /workflows/{name}/runs`: `{ "params": { ... } }`; 201 with the run, 200 when that run
 *   had started already, 400 `InvalidParams`, 404 `WorkflowNotFound`, 409 `RunInProgress`.
 * An `Idempotency-Key` header makes a retried request start no second run.
 */
export async function submitApi(
  deps: SubmitDeps,
  event: APIGatewayProxyEvent,
): Promise<APIGatewayProxyResult> {
  const route = `${event.httpMethod} ${event.resource}`;
  if (route === 'POST /workflows') return uploadRoute(deps, event);
  if (route === 'POST /workflows/{name}/runs') return startRoute(deps, event);
  throw new HttpError(404, 'RouteNotFound', `no route ${route}`);
}

async function uploadRoute(deps: SubmitDeps, event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const text = bodyText(event);
  if (text.trim() === '') throw new HttpError(400, 'EmptyBody', 'the request body must be the workflow YAML');
  const file = event.queryStringParameters?.file ?? 'workflow.yaml';
  const requestId = event.requestContext.requestId;
  const outcome = await submitDefinition(deps, {
    text,
    file,
    source: { kind: 'api', requestId },
    id: `api:${idempotencyKey(event) ?? requestId}`,
    at: new Date(deps.clock()).toISOString(),
    start: event.queryStringParameters?.start !== 'false',
  });
  return uploadResponse(outcome);
}

function uploadResponse(outcome: SubmitOutcome): APIGatewayProxyResult {
  if (outcome.status === 'rejected') {
    const { diagnostics } = outcome.rejected;
    const first = diagnostics[0]?.text ?? 'the definition is not valid';
    const more = diagnostics.length > 1 ? ` (and ${diagnostics.length - 1} more)` : '';
    return json(400, { ...errorBody('InvalidDefinition', `${first}${more}`), diagnostics });
  }
  const { workflow, run } = outcome;
  return json(201, {
    workflow: workflow.name,
    stateMachineArn: workflow.stateMachineArn,
    taskDefinitionsRegistered: outcome.taskDefinitionsRegistered,
    run,
  });
}

async function startRoute(deps: SubmitDeps, event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const name = event.pathParameters?.name ?? '';
  const body = jsonBody(event);
  const given = body.params ?? {};
  if (typeof given !== 'object' || given === null || Array.isArray(given)) {
    throw new HttpError(400, 'InvalidParams', '"params" must be a JSON object of param names to values');
  }
  let outcome: StartOutcome;
  try {
    outcome = await startWorkflowRun(deps, {
      workflow: name,
      params: new Map(Object.entries(given as Record<string, JsonValue>)),
      key: `api:${idempotencyKey(event) ?? event.requestContext.requestId}`,
    });
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) throw new HttpError(404, error.code, error.message);
    if (error instanceof InvalidParamsError) throw new HttpError(400, error.code, error.message);
    throw error;
  }
  if (outcome.status === 'rejected') throw new HttpError(409, 'RunInProgress', outcome.reason);
  return json(outcome.status === 'started' ? 201 : 200, outcome);
}

function idempotencyKey(event: APIGatewayProxyEvent): string | undefined {
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (name.toLowerCase() === 'idempotency-key' && value !== undefined && value !== '') return value;
  }
  return undefined;
}
