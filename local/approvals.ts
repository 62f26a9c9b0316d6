import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JsonValue } from '../compiler/asl/types.js';
import { type ApprovalCompletion, decide, expire, requestApproval } from '../runtime/approvals.js';
import type { Store } from '../runtime/store.js';
import { startApprovalServer } from './approval-server.js';
import type { ApprovalDesk } from './engine/engine.js';

/**
 * A local run's approvals: the approval server on 127.0.0.1 (the cloud API's routes), links
 * signed with a key kept in `.waterflow/approval.key`, and the run's server address in
 * `.waterflow/runs/<runId>/approvals.json`, where `waterflow approve` from another terminal
 * finds it. A decision settles the waiting Task state of the engine, as SendTaskSuccess would.
 */

type JsonObject = { [key: string]: JsonValue };

/** What settles a waiting approval task: the engine. */
export interface TokenAnswerer {
  answer(token: string, output: JsonValue): void;
  fail(token: string, error: string, cause: string): void;
}

export interface LocalApprovalsOptions {
  readonly store: Store;
  readonly home: string;
  readonly runId: string;
  readonly workflow: string;
  readonly port?: number;
  /** Asks on the terminal; an answer starting with y approves, with n rejects. */
  readonly prompt?: (question: string) => Promise<string>;
  /** Shows the link of an approval that waits. */
  readonly onLink: (job: string, link: string) => void;
}

export interface LocalApprovals {
  readonly desk: ApprovalDesk;
  connect(engine: TokenAnswerer): void;
  close(): Promise<void>;
}

/** The run's approval server, if that run is running here: what `waterflow approve` needs. */
export function localApprovalEndpoint(
  home: string,
  runId: string,
): { readonly baseUrl: string; readonly key: Uint8Array } | undefined {
  const file = join(home, 'runs', runId, 'approvals.json');
  if (!existsSync(file)) return undefined;
  try {
    const { port, pid } = JSON.parse(readFileSync(file, 'utf8')) as { port: number; pid: number };
    process.kill(pid, 0);
    return { baseUrl: `http://127.0.0.1:${port}`, key: linkKey(home) };
  } catch {
    // A run that ended badly left its file: nobody serves it.
    return undefined;
  }
}

/** The key local links are signed with: made once per `.waterflow`, readable by its owner only. */
function linkKey(home: string): Uint8Array {
  const file = join(home, 'approval.key');
  if (!existsSync(file)) {
    mkdirSync(home, { recursive: true });
    try {
      writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600, flag: 'wx' });
    } catch (error) {
      // Another process made it first: use theirs.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  return Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
}

export async function startLocalApprovals(options: LocalApprovalsOptions): Promise<LocalApprovals> {
  let engine: TokenAnswerer | undefined;
  const settle = (complete: ApprovalCompletion): void => {
    if ('error' in complete) engine?.fail(complete.token, complete.error, complete.cause);
    else engine?.answer(complete.token, complete.output as unknown as JsonValue);
  };
  const key = linkKey(options.home);
  const server = await startApprovalServer({
    store: options.store,
    key,
    ...(options.port === undefined ? {} : { port: options.port }),
    onDecided: settle,
  });
  const endpointFile = join(options.home, 'runs', options.runId, 'approvals.json');
  mkdirSync(join(options.home, 'runs', options.runId), { recursive: true });
  writeFileSync(endpointFile, JSON.stringify({ port: server.port, pid: process.pid }));

  const ask = async (id: string, job: string, message: string): Promise<void> => {
    const prompt = options.prompt;
    if (prompt === undefined) return;
    const answer = (await prompt(`${job}: ${message} Approve? [y/n] `)).trim().toLowerCase();
    if (!answer.startsWith('y') && !answer.startsWith('n')) return;
    const decision = answer.startsWith('y') ? 'approve' : 'reject';
    const result = await decide(options.store, {
      id,
      decision,
      approver: process.env.WATERFLOW_APPROVER ?? process.env.USER ?? 'local',
      now: Date.now(),
    });
    if (result.outcome === 'approved' || result.outcome === 'rejected') settle(result.complete);
    else if (result.outcome === 'refused') options.onLink(job, `not decided: ${result.message}`);
  };

  const timers = new Set<NodeJS.Timeout>();
  const desk: ApprovalDesk = {
    async request(payload: JsonObject, token: string) {
      const job = String(payload.job ?? '');
      const message = String(payload.message ?? '');
      const ticket = await requestApproval(options.store, {
        token,
        runId: options.runId,
        workflow: options.workflow,
        job,
        message,
        approvers: Array.isArray(payload.approvers) ? payload.approvers.map(String) : [],
        minApprovals: typeof payload.minApprovals === 'number' ? payload.minApprovals : 1,
        timeoutSeconds: typeof payload.timeoutSeconds === 'number' ? payload.timeoutSeconds : 7 * 24 * 3600,
        ...(payload.onTimeout === 'approve' || payload.onTimeout === 'reject'
          ? { onTimeout: payload.onTimeout }
          : {}),
      });
      const link = server.url(ticket.id, ticket.expiresAt);
      options.onLink(job, link);
      // The Task's own timeout ends the wait in the ASL; this records why and applies onTimeout.
      const timer = setTimeout(
        () => {
          timers.delete(timer);
          void expire(options.store, ticket.id, Date.now())
            .then((result) => {
              if (result.outcome === 'timed-out') settle(result.complete);
            })
            .catch(() => undefined);
        },
        Math.max(0, ticket.expiresAt - Date.now()),
      );
      timer.unref();
      timers.add(timer);
      void ask(ticket.id, job, message).catch(() => undefined);
      return { link };
    },
  };

  return {
    desk,
    connect(next) {
      engine = next;
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      rmSync(endpointFile, { force: true });
      await server.close();
    },
  };
}
