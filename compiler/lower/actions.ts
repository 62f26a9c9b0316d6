import { namesIn, type Template } from '../expr/ast.js';
import { parseTemplate } from '../expr/template.js';
import type { ContainerAction, ContainerJob, EnvVar, Workflow } from '../ir.js';
import { kindModule } from '../kinds/registry.js';
import { NO_RETRY } from '../normalize/retry.js';
import type { Fragment, LowerContext, RunRequest } from './context.js';
import type { ExprResolver } from './expressions.js';
import { fieldPath } from './names.js';

/**
 * `compensate` and `onExit` actions: container runs outside the DAG. Each is lowered as a
 * one-attempt container job named after its run record entry, so that it gets the same task
 * definition, env, IAM and stop-on-timeout states as a job, from the container kind itself.
 */

/** The record entry of each action: its name, made distinct from every job and other action. */
export function actionEntries(workflow: Workflow): {
  readonly compensate: ReadonlyMap<string, string>;
  readonly onExit?: string;
} {
  const taken = new Set(workflow.jobs.map((job) => job.name));
  const entry = (wanted: string, suffix: string): string => {
    let name = taken.has(wanted) ? `${wanted} (${suffix})` : wanted;
    for (let n = 2; taken.has(name); n++) name = `${wanted} (${suffix} ${n})`;
    taken.add(name);
    return name;
  };
  const compensate = new Map<string, string>();
  for (const job of workflow.jobs)
    if (job.compensate !== undefined) compensate.set(job.name, entry(job.compensate.name, 'compensate'));
  const onExit = workflow.onExit === undefined ? undefined : entry(workflow.onExit.name, 'onExit');
  return onExit === undefined ? { compensate } : { compensate, onExit };
}

/** Names an action may read; `needs` only where the state holds upstream results at `needsAt`. */
export function actionResolver(
  workflow: Workflow,
  options: { readonly needsAt?: string; readonly runStatus: boolean },
): ExprResolver {
  return {
    upstream: [],
    name(path) {
      const [root, first, second, third] = path;
      if (root === 'params' && typeof first === 'string' && path.length === 2)
        return { path: fieldPath('$.params', first) };
      if (root === 'run' && first === 'id') return { path: '$.run.id' };
      if (root === 'run' && first === 'status' && options.runStatus) return { path: '$.run.status' };
      if (root === 'workflow' && first === 'name') return { literal: workflow.name };
      if (options.needsAt !== undefined && root === 'needs' && typeof first === 'string') {
        const base = fieldPath(options.needsAt, first);
        if (second === 'result') return { path: `${base}.r` };
        if (second === 'outputs' && typeof third === 'string') return { path: fieldPath(`${base}.o`, third) };
      }
      return undefined;
    },
  };
}

function templatesOf(action: ContainerAction): Template[] {
  return [...action.commands, ...action.env.flatMap((v) => ('value' in v ? [v.value] : []))];
}

/**
 * The upstream jobs whose results an action reads (`needs.<job>.result`, `.outputs.<name>`),
 * with the outputs it reads of each: what the runtime must hand back with a compensation.
 */
export function needsRead(action: ContainerAction): Record<string, string[]> {
  const read: Record<string, string[]> = {};
  for (const template of templatesOf(action)) {
    for (const part of template.parts) {
      if (part.kind !== 'expr') continue;
      for (const [root, job, field, output] of namesIn(part.expr)) {
        if (root !== 'needs' || typeof job !== 'string') continue;
        const outputs = read[job] ?? [];
        read[job] = outputs;
        if (field === 'outputs' && typeof output === 'string' && !outputs.includes(output))
          outputs.push(output);
      }
    }
  }
  return read;
}

/** `${{ run.status }}` as the onExit action's WATERFLOW_RUN_STATUS. */
const RUN_STATUS_ENV: EnvVar = {
  name: 'WATERFLOW_RUN_STATUS',
  value: parseTemplate('${{ run.status }}').template,
};

/** What lowering one action needs besides the action. */
export interface ActionRequest {
  readonly action: ContainerAction;
  /** Its run record entry (see `actionEntries`). */
  readonly entry: string;
  /** The job it compensates; absent for onExit. */
  readonly job?: string;
  /** The stage its WATERFLOW_STAGE names (the compensated job's). */
  readonly stage: string;
  readonly role: 'compensate' | 'onExit';
  readonly resolver: ExprResolver;
  /** Names its Task state; `suffix` names its helper states (stop after a timeout). */
  readonly stateName: (suffix?: string) => string;
  readonly successNext: string | undefined;
  /** Where a failed or timed-out action goes: it never fails the run itself. */
  readonly failureNext: string;
}

/** The action's Task (and its stop states when it has a timeout), marked in the state map. */
export function lowerAction(ctx: LowerContext, request: ActionRequest): Fragment {
  const { action, entry } = request;
  const job: ContainerJob = {
    kind: 'container',
    name: entry,
    stage: request.stage,
    path: action.path,
    needs: [],
    upstream: [],
    condition: {
      expr: { kind: 'call', name: 'always', args: [], start: 0, end: 0 },
      source: 'always()',
      offset: 0,
    },
    continueOnFailure: false,
    ...(action.timeoutSeconds === undefined ? {} : { timeoutSeconds: action.timeoutSeconds }),
    // One attempt: a compensation that fails is reported, not retried (docs/compilation.md).
    retry: NO_RETRY,
    env: request.role === 'onExit' ? [...action.env, RUN_STATUS_ENV] : action.env,
    outputs: [],
    artifacts: [],
    artifactsFrom: [],
    image: action.image,
    commands: action.commands,
    resources: action.resources,
    exitCodes: [],
  };
  const run: RunRequest = {
    ctx,
    key: ctx.keys.key(entry),
    stateName: request.stateName,
    successNext: request.successNext,
    failureNext: request.failureNext,
    resultPath: null,
    resolver: request.resolver,
    counter: () => {
      throw new RangeError(`action "${entry}" has one attempt and no retry loop`);
    },
  };
  const fragment = kindModule('container').lower(job, run);
  const owner = request.job === undefined ? {} : { job: request.job };
  for (const name of Object.keys(fragment.states)) {
    const role = name === fragment.start ? request.role : ctx.out.stateMap[name]?.role;
    if (role === undefined) continue;
    ctx.out.stateMap[name] =
      name === fragment.start
        ? { ...owner, role, kind: 'container', action: entry }
        : { ...owner, role, action: entry };
  }
  return fragment;
}
