import type { ChoiceState, PassState, State, TaskState } from '../asl/types.js';
import type { StateRole } from '../compile/output.js';
import { kindModule } from '../kinds/registry.js';
import {
  addStates,
  type Fragment,
  type LowerContext,
  type RunRequest,
  reserve,
  stateRecord,
  transition,
} from './context.js';
import { type ExprResolver, lowerCondition, UnsupportedExpression } from './expressions.js';
import { lowerMatrix } from './matrix.js';
import { fieldPath } from './names.js';
import type { LowerNode } from './nodes.js';
import { lowerReused } from './reuse.js';
import { usePermission, useSubstitution } from './substitutions.js';

/**
 * Whether the recorder releases the node's gated dependants when its ECS task stops with exit
 * code 0, saving a state on the success path. Only for a plain container job whose result
 * nobody reads (the gate then needs no outputs) and with no Ignore rule (a success the recorder
 * cannot see).
 */
function releasedOnSuccess(ctx: LowerContext, node: LowerNode): boolean {
  if (node.kind !== 'job' || node.job.kind !== 'container' || node.job.matrix !== undefined) return false;
  return !ctx.flow.recorded.has(node.name) && !node.job.exitCodes.some((rule) => rule.action === 'Ignore');
}

/** Where a node reads the result of one of its upstream nodes. */
function resultPathFor(ctx: LowerContext, consumer: string, upstream: string): string {
  const gatedHere = ctx.flow.gated.get(consumer)?.includes(upstream) ?? false;
  const key = ctx.keys.key(upstream);
  // A gate answers with results by job name (the gate logic knows names, not our keys).
  return gatedHere ? fieldPath(`$.gates.${ctx.keys.key(consumer)}`, upstream) : `$.jobs.${key}`;
}

/** Resolves expression names for one node: params, results and outputs of its upstream. */
export function resolverFor(
  ctx: LowerContext,
  node: LowerNode,
  parents: ReadonlyArray<number>,
): ExprResolver {
  // Only a condition reads the upstream paths: most nodes never build them.
  let paths: ReadonlyArray<string> | undefined;
  return {
    get upstream() {
      paths ??= parents.map((u) => resultPathFor(ctx, node.name, ctx.nodes.nodes[u]?.name as string));
      return paths;
    },
    name(path) {
      const [root, first, second, third] = path;
      if (root === 'params' && typeof first === 'string' && path.length === 2)
        return { path: fieldPath('$.params', first) };
      if (root === 'run' && first === 'id') return { path: '$.run.id' };
      if (root === 'workflow' && first === 'name') return { literal: ctx.workflow.name };
      if (root === 'needs' && typeof first === 'string') {
        const base = resultPathFor(ctx, node.name, first);
        if (second === 'result') return { path: `${base}.r` };
        if (second === 'outputs' && typeof third === 'string') return { path: fieldPath(`${base}.o`, third) };
      }
      return undefined;
    },
  };
}

function mark(ctx: LowerContext, name: string, job: string, role: StateRole, kind?: string): string {
  ctx.out.stateMap[name] = kind === undefined ? { job, role } : { job, role, kind };
  return name;
}

function gateState(
  ctx: LowerContext,
  node: LowerNode,
  upstream: ReadonlyArray<string>,
  next: string,
): TaskState {
  const fn = useSubstitution(ctx.out, 'GateFunctionArn');
  usePermission(ctx.out, 'InvokeGates', ['lambda:InvokeFunction'], [fn]);
  return {
    Type: 'Task',
    Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
    Parameters: {
      FunctionName: fn,
      Payload: {
        action: 'wait',
        'runId.$': '$.run.id',
        job: node.name,
        upstream: [...upstream],
        'token.$': '$$.Task.Token',
      },
    },
    ResultPath: ctx.flow.gateOutputs.has(node.name) ? `$.gates.${ctx.keys.key(node.name)}` : null,
    Next: next,
  };
}

function releaseState(ctx: LowerContext, node: LowerNode, next: string | undefined): TaskState {
  const fn = useSubstitution(ctx.out, 'GateFunctionArn');
  usePermission(ctx.out, 'InvokeGates', ['lambda:InvokeFunction'], [fn]);
  const result = ctx.flow.recorded.has(node.name)
    ? { 'result.$': `$.jobs.${ctx.keys.key(node.name)}` }
    : { result: { r: 'success', ok: true } };
  return {
    Type: 'Task',
    Resource: 'arn:aws:states:::lambda:invoke',
    // Fire and forget: the job's dependants in this branch need not wait for the release.
    Parameters: {
      FunctionName: fn,
      InvocationType: 'Event',
      Payload: { action: 'release', 'runId.$': '$.run.id', job: node.name, ...result },
    },
    ResultPath: null,
    ...transition(next),
  };
}

function recordState(
  resultPath: string | null,
  result: Record<string, string | boolean>,
  next: string | undefined,
): PassState {
  return resultPath === null
    ? { Type: 'Pass', ResultPath: null, ...transition(next) }
    : { Type: 'Pass', Result: result, ResultPath: resultPath, ...transition(next) };
}

/** The check of a node's condition; undefined when it always holds. */
function checkState(
  ctx: LowerContext,
  node: LowerNode,
  resolver: ExprResolver,
  run: string,
  skip: string,
): ChoiceState | 'always' | 'never' {
  const expr =
    node.kind === 'job'
      ? node.job.condition.expr
      : { kind: 'call' as const, name: 'success', args: [], start: 0, end: 0 };
  try {
    const rule = lowerCondition(expr, resolver);
    if (rule === true) return 'always';
    if (rule === false) return 'never';
    return { Type: 'Choice', Choices: [{ ...rule, Next: run }], Default: skip };
  } catch (error) {
    if (!(error instanceof UnsupportedExpression) || node.kind !== 'job') throw error;
    const { condition } = node.job;
    ctx.sink.error('WF4002', condition.path ?? node.job.path, `job "${node.name}": ${error.message}`, {
      offset: condition.path === undefined ? undefined : condition.offset + error.start,
    });
    return 'always';
  }
}

/** The order a run meets a node's states in, by role. */
const ROLE_RANK: ReadonlyMap<StateRole, number> = new Map(
  (['gate', 'check', 'run', 'outputs', 'retry', 'stop', 'skip', 'record', 'release'] as const).map(
    (role, rank) => [role, rank],
  ),
);
const LAST_RANK = ROLE_RANK.size;

/** A node's states in the order a run meets them, so that the definition reads top to bottom. */
function inRunOrder(states: Record<string, State>, ctx: LowerContext): Record<string, State> {
  // A state of a role not listed (a matrix's items) comes first, one of no role last.
  const rankOf = (name: string) => {
    const role = ctx.out.stateMap[name]?.role;
    return role === undefined ? LAST_RANK : (ROLE_RANK.get(role) ?? -1);
  };
  let previous = Number.NEGATIVE_INFINITY;
  let ordered = true;
  for (const name in states) {
    const rank = rankOf(name);
    if (rank < previous) {
      ordered = false;
      break;
    }
    previous = rank;
  }
  if (ordered) return states;
  // Rank by rank, ties in insertion order: a handful of states, so no sort is worth it.
  const names = Object.keys(states);
  const ranks = names.map(rankOf);
  const sorted = stateRecord();
  for (let rank = -1; rank <= LAST_RANK; rank++) {
    names.forEach((name, i) => {
      if (ranks[i] === rank) sorted[name] = states[name] as State;
    });
  }
  return sorted;
}

/**
 * The states of one node, in order: `gate` (wait for gated upstream), `if` (condition, with
 * `skipped`), the kind's own states (one `Pass` for a job a rerun reuses), `failed` (record a
 * tolerated or failFast-off failure), `done` (release gated dependants).
 */
export function lowerNode(
  ctx: LowerContext,
  node: LowerNode,
  /** The node's direct upstream nodes, by index. */
  parents: ReadonlyArray<number>,
  next: string | undefined,
): Fragment {
  const states = stateRecord();
  const job = node.name;
  // A gate is met first and built last (it goes to the node's first state): its place is kept.
  const gated = ctx.flow.gated.get(job);
  const gate = gated === undefined ? undefined : mark(ctx, ctx.names.take(`${job} gate`), job, 'gate');
  if (gate !== undefined) reserve(states, gate);
  const key = ctx.keys.key(job);
  const resultPath = ctx.flow.recorded.has(job) ? `$.jobs.${key}` : null;
  const releases = ctx.flow.releases.has(job);
  let done: string | undefined;
  // Where the node goes when it ends: its release of gated dependants, when it has some, built
  // the first time a path goes there (the recorder releases a plain job on success itself).
  const after = (): string | undefined => {
    if (!releases) return next;
    if (done === undefined) {
      done = mark(ctx, ctx.names.take(`${job} done`), job, 'release');
      states[done] = releaseState(ctx, node, next);
    }
    return done;
  };
  const recorderReleases = releases && releasedOnSuccess(ctx, node);
  // The path a successful run takes.
  let successNext = releases && !recorderReleases ? after() : next;
  const resolver = resolverFor(ctx, node, parents);
  let start: string;
  const reused = node.kind === 'job' ? ctx.reuse?.get(job) : undefined;
  if (node.kind === 'job' && reused !== undefined) {
    // No ECS task for the recorder to see: the success path goes through `done` itself.
    successNext = after();
    const run = lowerReused(ctx, node.job, reused, resultPath, successNext);
    addStates(states, run.states);
    start = run.start;
  } else if (node.kind === 'job') {
    const tolerated = node.job.continueOnFailure || !ctx.workflow.failFast;
    let failureNext: string | undefined;
    if (tolerated) {
      failureNext = mark(ctx, ctx.names.take(`${job} failed`), job, 'record');
      states[failureNext] = recordState(
        resultPath,
        { r: 'failure', ok: node.job.continueOnFailure },
        after(),
      );
    }
    const request: RunRequest = {
      ctx,
      key,
      stateName: (suffix = '') => ctx.names.take(suffix === '' ? job : `${job} ${suffix}`),
      successNext,
      failureNext,
      resultPath,
      resolver,
      counter: () => {
        ctx.out.counters.add(key);
        return `$.a.${key}`;
      },
    };
    const kind = kindModule(node.job.kind);
    const run = lowerMatrix(node.job, request, (inner) => kind.lower(node.job, inner));
    if (recorderReleases) {
      const info = ctx.out.stateMap[run.start];
      if (info !== undefined) ctx.out.stateMap[run.start] = { ...info, releasedOnSuccess: true };
    }
    addStates(states, run.states);
    start = run.start;
  } else {
    // A join does nothing itself; it records and checks only when something reads it.
    const needsState = (resultPath !== null && !ctx.flow.checked.has(job)) || after() === undefined;
    if (needsState) {
      const passed = mark(ctx, ctx.names.take(`${job} passed`), job, 'record');
      states[passed] = recordState(resultPath, { r: 'success', ok: true }, after());
      start = passed;
    } else {
      start = after() as string;
    }
  }
  if (ctx.flow.checked.has(job)) {
    const skip = ctx.names.take(`${job} skipped`);
    const check = checkState(ctx, node, resolver, start, skip);
    if (check === 'never' || typeof check === 'object') {
      mark(ctx, skip, job, 'skip');
      states[skip] = recordState(resultPath, { r: 'skipped', ok: false }, after());
    }
    if (check === 'never') start = skip;
    else if (typeof check === 'object' && node.kind === 'join') {
      const passed = mark(ctx, ctx.names.take(`${job} passed`), job, 'record');
      states[passed] = recordState(resultPath, { r: 'success', ok: true }, after());
      const failed = mark(ctx, ctx.names.take(`${job} failed`), job, 'record');
      states[failed] = recordState(resultPath, { r: 'failure', ok: false }, after());
      const failure = lowerCondition({ kind: 'call', name: 'failure', args: [], start: 0, end: 0 }, resolver);
      const name = mark(ctx, ctx.names.take(`${job} if`), job, 'check');
      const firstRule = check.Choices[0] as ChoiceState['Choices'][number];
      states[name] = {
        Type: 'Choice',
        Choices: [
          { ...firstRule, Next: passed },
          ...(typeof failure === 'object' ? [{ ...failure, Next: failed }] : []),
        ],
        Default: skip,
      };
      start = name;
    } else if (typeof check === 'object') {
      const name = mark(ctx, ctx.names.take(`${job} if`), job, 'check');
      states[name] = check;
      start = name;
    }
  }
  if (gate !== undefined && gated !== undefined) {
    states[gate] = gateState(ctx, node, gated, start);
    start = gate;
  }
  return { start, states: inRunOrder(states, ctx) };
}
