import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JsonValue } from '../compiler/ir.js';
import { approveLocally } from '../local/approval-client.js';
import { localApprovalEndpoint } from '../local/approvals.js';
import { openLocalDb } from '../local/db.js';
import { jobDirName } from '../local/engine/engine.js';
import { elapsed } from '../local/live-view.js';
import { repairFromJournal } from '../local/run-journal.js';
import { RunInputError, runLocally } from '../local/run-session.js';
import { RunnerUnavailableError } from '../local/runners.js';
import { parseParamArgs } from '../runtime/params.js';
import { listRuns, type RunOwner, type RunRecord, readRun } from '../runtime/run-record.js';
import { CliError, type CliIo, ExitCode, makeDirectory } from './io.js';

/** `waterflow run`, `runs`, `status`, `logs`, `rerun`, `approve`, `reject`: over local/. */

export interface RunCommandOptions {
  readonly param: string[];
  readonly runner: 'auto' | 'host' | 'docker';
  readonly json?: boolean;
  readonly port?: number;
  readonly delayScale?: number;
  readonly home: string;
}

/** The final record as `--json` prints it (DESIGN §5): the same shape as `status --json`. */
export function runJson(record: RunRecord): JsonValue {
  const jobs: { [name: string]: JsonValue } = {};
  for (const [name, job] of Object.entries(record.jobs)) {
    jobs[name] = {
      status: job.status,
      attempts: job.attempts,
      ...(job.exitCode === undefined ? {} : { exitCode: job.exitCode }),
      ...(job.startedAt === undefined ? {} : { startedAt: job.startedAt }),
      ...(job.endedAt === undefined ? {} : { endedAt: job.endedAt }),
      ...(job.reason === undefined ? {} : { reason: job.reason }),
      ...(job.reused === undefined ? {} : { reused: true }),
    };
  }
  return {
    runId: record.runId,
    workflow: record.workflow,
    status: record.status,
    startedAt: record.startedAt,
    ...(record.endedAt === undefined ? {} : { endedAt: record.endedAt }),
    ...(record.reason === undefined ? {} : { reason: record.reason }),
    ...(record.rerunOf === undefined ? {} : { rerunOf: record.rerunOf }),
    params: record.params,
    jobs,
  };
}

export async function runCommand(
  file: string,
  options: RunCommandOptions,
  io: CliIo,
  rerun?: { readonly of: string; readonly from?: string },
): Promise<number> {
  const parsed = parseParamArgs(options.param);
  if (!parsed.ok) throw new CliError(parsed.errors.join('\n'));
  try {
    await makeDirectory(options.home);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new CliError(`cannot make the run home ${options.home} (WATERFLOW_HOME): ${code}`);
  }
  const given = new Map<string, JsonValue>(parsed.text);
  let earlier: RunRecord | undefined;
  if (rerun !== undefined) {
    earlier = await withRun(options.home, rerun.of);
    file = earlier.file ?? file;
    for (const [name, value] of Object.entries(earlier.params)) if (!given.has(name)) given.set(name, value);
  }
  // Job logs and the view go to stdout, unless stdout carries the JSON record.
  const write = options.json === true ? io.stderr : io.stdout;
  const tty = options.json !== true && process.stdout.isTTY === true;
  const abort = new AbortController();
  const onSigint = () => abort.abort();
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  try {
    const { record } = await runLocally({
      file,
      params: given,
      home: options.home,
      runner: options.runner,
      write,
      warn: io.stderr,
      tty,
      signal: abort.signal,
      ...(options.port === undefined ? {} : { port: options.port }),
      ...(options.delayScale === undefined ? {} : { delayScale: options.delayScale }),
      ...(process.stdin.isTTY === true && options.json !== true ? { prompt: terminalPrompt } : {}),
      ...(earlier === undefined
        ? {}
        : { rerun: { of: earlier, ...(rerun?.from === undefined ? {} : { from: rerun.from }) } }),
    });
    if (options.json === true) io.stdout(`${JSON.stringify(runJson(record), null, 2)}\n`);
    else
      io.stdout(
        `run ${record.runId} ${record.status}${record.reason === undefined ? '' : `: ${record.reason}`}\n`,
      );
    if (record.status === 'succeeded') return ExitCode.ok;
    return record.status === 'cancelled' ? 130 : ExitCode.failed;
  } catch (error) {
    if (error instanceof RunInputError || error instanceof RunnerUnavailableError) {
      throw new CliError(error.message, ExitCode.usage);
    }
    throw error;
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }
}

async function terminalPrompt(question: string): Promise<string> {
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await rl.question(question);
  } finally {
    rl.close();
  }
}

function isAlive(owner: RunOwner): boolean {
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function withRun(home: string, runId: string): Promise<RunRecord> {
  const db = await openLocalDb(home);
  try {
    // A run whose process died may have events only its journal holds.
    await repairFromJournal(db.store, join(home, 'runs', runId), runId, isAlive);
    const record = await readRun(db.store, runId, isAlive);
    if (record === undefined)
      throw new CliError(`no run "${runId}" in ${home} (see: waterflow runs)`, ExitCode.failed);
    return record;
  } finally {
    await db.close();
  }
}

export async function runsCommand(options: { json?: boolean; home: string }, io: CliIo): Promise<number> {
  const db = await openLocalDb(options.home);
  let runs: RunRecord[];
  try {
    runs = await listRuns(db.store, isAlive);
  } finally {
    await db.close();
  }
  if (options.json === true) {
    const rows = runs.map((r) => ({
      runId: r.runId,
      workflow: r.workflow,
      status: r.status,
      startedAt: r.startedAt,
    }));
    io.stdout(`${JSON.stringify(rows, null, 2)}\n`);
    return ExitCode.ok;
  }
  if (runs.length === 0) {
    io.stdout('no runs yet (start one with: waterflow run FILE)\n');
    return ExitCode.ok;
  }
  const width = Math.max(...runs.map((r) => r.runId.length));
  for (const run of runs) {
    io.stdout(`${run.runId.padEnd(width)}  ${run.status.padEnd(11)}  ${run.startedAt}  ${run.workflow}\n`);
  }
  return ExitCode.ok;
}

export async function statusCommand(
  runId: string,
  options: { json?: boolean; home: string },
  io: CliIo,
): Promise<number> {
  const record = await withRun(options.home, runId);
  if (options.json === true) {
    io.stdout(`${JSON.stringify(runJson(record), null, 2)}\n`);
    return ExitCode.ok;
  }
  io.stdout(
    `${record.runId} (${record.workflow}): ${record.status}${record.reason === undefined ? '' : ` (${record.reason})`}\n`,
  );
  const now = Date.now();
  const width = Math.max(...Object.keys(record.jobs).map((name) => name.length), 4);
  for (const [name, job] of Object.entries(record.jobs)) {
    const attempts = job.attempts > 1 ? `${job.attempts} attempts` : '';
    const exit = job.exitCode === undefined ? '' : `exit ${job.exitCode}`;
    const why = job.reason === undefined ? '' : `  ${job.reason}`;
    io.stdout(
      `  ${name.padEnd(width)}  ${job.status.padEnd(9)}  ${elapsed(job, now).padEnd(7)}  ${exit.padEnd(7)} ${attempts}${why}\n`,
    );
  }
  return ExitCode.ok;
}

export async function logsCommand(
  runId: string,
  job: string | undefined,
  options: { home: string },
  io: CliIo,
): Promise<number> {
  const record = await withRun(options.home, runId);
  const names = job === undefined ? Object.keys(record.jobs) : [job];
  if (job !== undefined && !(job in record.jobs)) {
    throw new CliError(
      `run ${runId} has no job "${job}" (jobs: ${Object.keys(record.jobs).join(', ')})`,
      ExitCode.failed,
    );
  }
  for (const name of names) {
    const dir = join(options.home, 'runs', runId, jobDirName(name));
    if (!existsSync(dir)) continue;
    const logs = readdirSync(dir)
      .filter((file) => /^attempt-\d+\.log$/.test(file))
      .sort((a, b) => Number(a.match(/\d+/)?.[0]) - Number(b.match(/\d+/)?.[0]));
    for (const file of logs) {
      const attempt = file.match(/\d+/)?.[0];
      const prefix = logs.length > 1 ? `[${name} #${attempt}]` : `[${name}]`;
      for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
        if (line !== '') io.stdout(`${prefix} ${line}\n`);
      }
    }
  }
  return ExitCode.ok;
}

export async function decideCommand(
  runId: string,
  job: string,
  decision: 'approve' | 'reject',
  options: { comment?: string; as?: string; home: string },
  io: CliIo,
): Promise<number> {
  const endpoint = localApprovalEndpoint(options.home, runId);
  if (endpoint === undefined) {
    throw new CliError(
      `run ${runId} is not running here, so it waits for no approval (see: waterflow status ${runId})`,
      ExitCode.failed,
    );
  }
  const db = await openLocalDb(options.home);
  try {
    const result = await approveLocally({
      store: db.store,
      baseUrl: endpoint.baseUrl,
      key: endpoint.key,
      runId,
      job,
      decision,
      approver: options.as ?? localApprover(),
      ...(options.comment === undefined ? {} : { comment: options.comment }),
    });
    return reportDecision(result, runId, job, decision, io);
  } finally {
    await db.close();
  }
}

/** Who decides from this terminal when `--as` does not say. */
export function localApprover(): string {
  return process.env.WATERFLOW_APPROVER ?? process.env.USER ?? 'local';
}

function reportDecision(
  result: Awaited<ReturnType<typeof approveLocally>>,
  runId: string,
  job: string,
  decision: 'approve' | 'reject',
  io: CliIo,
): number {
  if (result.kind === 'decided') {
    io.stdout(`${job} in ${runId}: ${decision === 'approve' ? 'approved' : 'rejected'}\n`);
    return ExitCode.ok;
  }
  if (result.kind === 'recorded') {
    io.stdout(`${job} in ${runId}: ${result.message}\n`);
    return ExitCode.ok;
  }
  // From a terminal, the approver is who the shell says: say how to decide as a listed one.
  const hint =
    result.kind === 'refused' && result.code === 'not-allowed'
      ? ' (to decide as one of them: --as <approver>)'
      : '';
  throw new CliError(`${job} in ${runId}: ${result.message}${hint}`, ExitCode.failed);
}
