import type { Diagnostic } from '../../compiler/diagnostics/diagnostic.js';
import { formatDiagnostic } from '../../compiler/diagnostics/format.js';
import type { ConcurrencyPolicy, Param } from '../../compiler/ir.js';
import { TTL_ATTRIBUTE, workflowRunsPk } from '../../runtime/run-log.js';
import type { Store, StoreItem } from '../../runtime/store.js';

/** Where a definition came from: an S3 object version, or an API request. */
export type UploadSource =
  | { readonly kind: 's3'; readonly bucket: string; readonly key: string; readonly versionId?: string }
  | { readonly kind: 'api'; readonly requestId: string };

/** What the table keeps of a deployed workflow: what starting, recording and rerunning need. */
export interface DeployedWorkflow {
  readonly name: string;
  readonly stateMachineArn: string;
  readonly policy: ConcurrencyPolicy;
  readonly params: ReadonlyArray<Param>;
  /** Job names in document order, and each job's upstream jobs (a rerun's `from`). */
  readonly jobs: ReadonlyArray<string>;
  readonly upstream: { readonly [job: string]: ReadonlyArray<string> };
  /** Jobs whose success the recorder releases to their gated dependants (docs/compilation.md). */
  readonly releasedOnSuccess: ReadonlyArray<string>;
  readonly ttlAfterFinishedSeconds?: number;
  /** Hash of the rendered machines and schedules: an unchanged resubmit deploys nothing. */
  readonly deployHash: string;
  readonly schedules: ReadonlyArray<string>;
  readonly source: UploadSource;
  readonly deployedAt: string;
}

export const WORKFLOWS_PK = 'workflows';
export const REJECTED_UPLOADS_PK = 'rejected-uploads';
/** Rejected uploads are kept this long (the TTL attribute), long enough to read why. */
export const REJECTION_TTL_SECONDS = 30 * 24 * 3600;

export async function readWorkflow(store: Store, name: string): Promise<DeployedWorkflow | undefined> {
  const item = await store.get({ pk: WORKFLOWS_PK, sk: name });
  return typeof item?.deployed === 'string' ? (JSON.parse(item.deployed) as DeployedWorkflow) : undefined;
}

/** The deployed workflow as one JSON string, beside the fields a listing shows. */
export async function writeWorkflow(store: Store, workflow: DeployedWorkflow): Promise<void> {
  await store.putAll([
    {
      key: { pk: WORKFLOWS_PK, sk: workflow.name },
      item: {
        name: workflow.name,
        stateMachineArn: workflow.stateMachineArn,
        policy: workflow.policy,
        deployedAt: workflow.deployedAt,
        deployed: JSON.stringify(workflow),
      },
    },
  ]);
}

/** The text a workflow was deployed from, kept for the machines derived from it (a rerun's). */
export interface DeployedDefinition {
  readonly text: string;
  /** The file name diagnostics show. */
  readonly file: string;
  /** The `deployHash` of the deployment it made. */
  readonly deployHash: string;
}

const DEFINITION_SK = 'definition';

/** Keeps the definition beside the workflow's runs, out of the item every start reads. */
export async function writeDefinition(
  store: Store,
  workflow: string,
  definition: DeployedDefinition,
): Promise<void> {
  await store.putAll([{ key: { pk: workflowRunsPk(workflow), sk: DEFINITION_SK }, item: { ...definition } }]);
}

export async function readDefinition(
  store: Store,
  workflow: string,
): Promise<DeployedDefinition | undefined> {
  const item = await store.get({ pk: workflowRunsPk(workflow), sk: DEFINITION_SK });
  if (typeof item?.text !== 'string' || typeof item.file !== 'string') return undefined;
  return { text: item.text, file: item.file, deployHash: String(item.deployHash) };
}

/** A definition that did not compile, as the table keeps it and the API answers it. */
export interface RejectedUpload {
  readonly source: UploadSource;
  readonly at: string;
  readonly diagnostics: ReadonlyArray<Diagnostic & { readonly text: string }>;
}

/** Records a rejected upload once per source (a redelivery writes nothing new). */
export async function recordRejectedUpload(
  store: Store,
  id: string,
  source: UploadSource,
  at: string,
  diagnostics: ReadonlyArray<Diagnostic>,
): Promise<RejectedUpload> {
  const rejected: RejectedUpload = {
    source,
    at,
    diagnostics: diagnostics.map((d) => ({ ...d, text: formatDiagnostic(d) })),
  };
  await store.putIfAbsent(
    { pk: REJECTED_UPLOADS_PK, sk: `${at}#${id}` },
    {
      at,
      source: JSON.stringify(source),
      diagnostics: JSON.stringify(rejected.diagnostics),
      [TTL_ATTRIBUTE]: Math.floor(Date.parse(at) / 1000) + REJECTION_TTL_SECONDS,
    },
  );
  return rejected;
}

/** Rejected uploads, oldest first. */
export async function readRejectedUploads(store: Store): Promise<RejectedUpload[]> {
  const items = await store.query(REJECTED_UPLOADS_PK, '');
  return items.map(({ item }) => ({
    at: String(item.at),
    source: JSON.parse(String(item.source)) as UploadSource,
    diagnostics: JSON.parse(String(item.diagnostics)) as RejectedUpload['diagnostics'],
  }));
}

/** A run the concurrency policy refused (`Forbid`), kept beside the workflow's runs. */
export async function recordRejectedRun(
  store: Store,
  workflow: string,
  runId: string,
  item: StoreItem,
): Promise<void> {
  await store.putIfAbsent({ pk: workflowRunsPk(workflow), sk: `rejected#${runId}` }, { runId, ...item });
}

/** The runs a workflow's policy refused. */
export async function readRejectedRuns(store: Store, workflow: string): Promise<StoreItem[]> {
  return (await store.query(workflowRunsPk(workflow), 'rejected#')).map(({ item }) => item);
}
