import { RedriveExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { JsonValue } from '../../compiler/asl/types.js';
import { readKeyedEvents, runItemKeys, WORKFLOW_RUN_PREFIX, workflowRunsPk } from '../../runtime/run-log.js';
import { type RunRecord, readRun } from '../../runtime/run-record.js';
import type { PagedStore } from '../../runtime/store.js';
import { HttpError, json, jsonBody } from '../shared/http.js';
import { errorName, TaskDefinitionNotDeployedError } from '../submit/deploy.js';
import { InvalidParamsError, WorkflowNotFoundError } from '../submit/submit.js';
import { readWorkflow, WORKFLOWS_PK } from '../submit/workflows.js';
import { type RerunDeps, retireRerunMachine, runExecutionArn, startRerun } from './rerun.js';

/**
 * The runs API (REST, IAM auth): list workflows, list a workflow's runs (newest first, a page at a
 * time), get a run, cancel (`StopExecution`), retry (`RedriveExecution`: the same run, from its
 * failed states), rerun (a new run that reuses the earlier one's successes, rerun.ts), delete. Errors are `{ error: { code, message } }`.
 */

export interface RunsDeps extends RerunDeps {
  readonly store: PagedStore;
}

/** Runs per page. @default 20 */
const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 100;

export async function runsApi(deps: RunsDeps, event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const route = `${event.httpMethod} ${event.resource}`;
  const id = event.pathParameters?.id ?? '';
  switch (route) {
    case 'GET /workflows':
      return listWorkflows(deps);
    case 'GET /workflows/{name}/runs':
      return listRuns(deps, event.pathParameters?.name ?? '', event.queryStringParameters ?? {});
    case 'GET /runs/{id}':
      return getRun(deps, id, event.queryStringParameters?.events === 'true');
    case 'POST /runs/{id}/cancel':
      return cancelRun(deps, id);
    case 'POST /runs/{id}/retry':
      return retryRun(deps, id);
    case 'POST /runs/{id}/rerun':
      return rerun(deps, id, event);
    case 'DELETE /runs/{id}':
      return deleteRun(deps, id);
    default:
      throw new HttpError(404, 'RouteNotFound', `no route ${route}`);
  }
}

async function listWorkflows(deps: RunsDeps): Promise<APIGatewayProxyResult> {
  const items = await deps.store.query(WORKFLOWS_PK, '');
  const workflows = items.map(({ item }) => ({
    name: item.name,
    stateMachineArn: item.stateMachineArn,
    policy: item.policy,
    deployedAt: item.deployedAt,
  }));
  return json(200, { workflows });
}

async function listRuns(
  deps: RunsDeps,
  workflow: string,
  query: Readonly<Record<string, string | undefined>>,
): Promise<APIGatewayProxyResult> {
  if ((await readWorkflow(deps.store, workflow)) === undefined) {
    throw new HttpError(404, 'WorkflowNotFound', `no workflow "${workflow}" is deployed`);
  }
  const limit = readLimit(query.limit);
  const after = query.cursor === undefined ? undefined : readCursor(query.cursor, workflow);
  const page = await deps.store.queryPage(workflowRunsPk(workflow), WORKFLOW_RUN_PREFIX, {
    limit,
    descending: true,
    ...(after === undefined ? {} : { after }),
  });
  const runs: RunRecord[] = [];
  for (const { item } of page.items) {
    const run = await readRun(deps.store, String(item.runId));
    if (run !== undefined) runs.push(run);
  }
  return json(200, {
    runs: runs.map(summary),
    ...(page.after === undefined ? {} : { cursor: writeCursor(workflow, page.after) }),
  });
}

function summary(run: RunRecord): Record<string, JsonValue> {
  const { jobs, events: _events, ...rest } = run;
  const counts: Record<string, number> = {};
  for (const job of Object.values(jobs)) counts[job.status] = (counts[job.status] ?? 0) + 1;
  return { ...(rest as unknown as Record<string, JsonValue>), jobs: counts };
}

function readLimit(text: string | undefined): number {
  if (text === undefined) return DEFAULT_LIMIT;
  const limit = Number(text);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw new HttpError(
      400,
      'InvalidLimit',
      `limit must be a whole number from 1 to ${MAX_LIMIT}; got "${text}"`,
    );
  }
  return limit;
}

/** The cursor is opaque to callers: the last sort key read, with its workflow, base64url JSON. */
function writeCursor(workflow: string, after: string): string {
  return Buffer.from(JSON.stringify({ w: workflow, a: after }), 'utf8').toString('base64url');
}

function readCursor(cursor: string, workflow: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as {
      w?: unknown;
      a?: unknown;
    };
    if (parsed.w === workflow && typeof parsed.a === 'string' && parsed.a.startsWith(WORKFLOW_RUN_PREFIX)) {
      return parsed.a;
    }
  } catch {
    // Answered below, whatever was wrong with it.
  }
  throw new HttpError(
    400,
    'InvalidCursor',
    'the cursor is not one this list returned; start again without it',
  );
}

async function existingRun(deps: RunsDeps, runId: string): Promise<RunRecord> {
  const run = await readRun(deps.store, runId);
  if (run === undefined) throw new HttpError(404, 'RunNotFound', `no run "${runId}"`);
  return run;
}

async function getRun(deps: RunsDeps, runId: string, withEvents: boolean): Promise<APIGatewayProxyResult> {
  const run = await existingRun(deps, runId);
  return json(200, withEvents ? { run, events: await readKeyedEvents(deps.store, runId) } : { run });
}

async function cancelRun(deps: RunsDeps, runId: string): Promise<APIGatewayProxyResult> {
  const run = await existingRun(deps, runId);
  if (run.status !== 'running') {
    throw new HttpError(
      409,
      'RunNotRunning',
      `run ${runId} is ${run.status}; only a running run can be cancelled`,
    );
  }
  try {
    await deps.sfn.send(
      new StopExecutionCommand({
        executionArn: await runExecutionArn(deps, run),
        error: 'Waterflow.Cancelled',
        cause: 'cancelled through the runs API',
      }),
    );
  } catch (error) {
    throw sfnError(error, runId);
  }
  // The recorder records the end when the execution's ABORTED event arrives.
  return json(202, { runId, status: 'cancelling' });
}

async function retryRun(deps: RunsDeps, runId: string): Promise<APIGatewayProxyResult> {
  const run = await existingRun(deps, runId);
  if (run.status === 'running' || run.status === 'succeeded') {
    throw new HttpError(
      409,
      'RunNotRedrivable',
      `run ${runId} is ${run.status}; only a failed or cancelled run can be retried`,
    );
  }
  try {
    const out = await deps.sfn.send(
      new RedriveExecutionCommand({ executionArn: await runExecutionArn(deps, run) }),
    );
    return json(202, { runId, status: 'redriving', redriveDate: out.redriveDate?.toISOString() ?? null });
  } catch (error) {
    throw sfnError(error, runId);
  }
}

async function rerun(
  deps: RunsDeps,
  runId: string,
  event: APIGatewayProxyEvent,
): Promise<APIGatewayProxyResult> {
  const earlier = await existingRun(deps, runId);
  const body = jsonBody(event);
  const workflow = await readWorkflow(deps.store, earlier.workflow);
  if (workflow === undefined) {
    throw new HttpError(
      404,
      'WorkflowNotFound',
      `workflow "${earlier.workflow}" of run ${runId} is no longer deployed`,
    );
  }
  const from = body.from;
  if (from !== undefined && (typeof from !== 'string' || !workflow.jobs.includes(from))) {
    throw new HttpError(
      400,
      'UnknownJob',
      `"from" must name a job of ${workflow.name} (${workflow.jobs.join(', ')}); got ${JSON.stringify(from)}`,
    );
  }
  const given = body.params ?? earlier.params;
  if (typeof given !== 'object' || given === null || Array.isArray(given)) {
    throw new HttpError(400, 'InvalidParams', '"params" must be a JSON object of param names to values');
  }
  const key = headerValue(event, 'idempotency-key') ?? event.requestContext.requestId;
  try {
    const outcome = await startRerun(deps, {
      workflow,
      earlier,
      from,
      params: new Map(Object.entries(given as Record<string, JsonValue>)),
      key: `rerun:${runId}:${key}`,
    });
    if (outcome.status === 'rejected') throw new HttpError(409, 'RunInProgress', outcome.reason);
    return json(outcome.status === 'started' ? 201 : 200, { ...outcome, rerunOf: runId });
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) throw new HttpError(404, error.code, error.message);
    if (error instanceof InvalidParamsError) throw new HttpError(400, error.code, error.message);
    if (error instanceof TaskDefinitionNotDeployedError) throw new HttpError(409, error.code, error.message);
    throw error;
  }
}

async function deleteRun(deps: RunsDeps, runId: string): Promise<APIGatewayProxyResult> {
  const run = await existingRun(deps, runId);
  if (run.status === 'running') {
    throw new HttpError(409, 'RunRunning', `run ${runId} is running; cancel it first`);
  }
  // Before the run's items: the rerun machine's name is one of them.
  await retireRerunMachine(deps, runId);
  for (const key of await runItemKeys(deps.store, run)) await deps.store.delete(key);
  return { statusCode: 204, headers: { 'cache-control': 'no-store' }, body: '' };
}

/** Step Functions' refusals as API errors; anything else stays a 500. */
function sfnError(error: unknown, runId: string): unknown {
  switch (errorName(error)) {
    case 'ExecutionDoesNotExist':
      return new HttpError(404, 'RunNotFound', `run ${runId} has no execution in Step Functions`);
    case 'ExecutionNotRedrivable':
      return new HttpError(
        409,
        'RunNotRedrivable',
        `Step Functions cannot redrive run ${runId}: ${error instanceof Error ? error.message : 'not redrivable'}`,
      );
    case 'ExecutionLimitExceeded':
      return new HttpError(
        429,
        'TooManyRuns',
        'the account runs as many executions as it may; try again later',
      );
    default:
      return error;
  }
}

function headerValue(event: APIGatewayProxyEvent, name: string): string | undefined {
  for (const [header, value] of Object.entries(event.headers ?? {})) {
    if (header.toLowerCase() === name && value !== undefined && value !== '') return value;
  }
  return undefined;
}
