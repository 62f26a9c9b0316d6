import type { ChoiceCondition, ParallelState, PayloadTemplate, StateMachine } from '../asl/types.js';
import { completeCarried } from './carry.js';
import { bodyEndState, hasExitPath, lowerExitPath } from './compensation.js';
import {
  addStates,
  carried,
  type FlowFacts,
  type Fragment,
  graphOf,
  type LowerContext,
  stateRecord,
  transition,
  uniqueKeyRecord,
} from './context.js';
import { lowerNode } from './job-frame.js';
import type { Block } from './plan.js';
import { usePermission, useSubstitution } from './substitutions.js';

/** What a Parallel state needs to know of a branch, without listing its nodes. */
interface BlockSummary {
  /** Nodes in the block. */
  readonly size: number;
  /** Its first three node names, in order. */
  readonly first: ReadonlyArray<string>;
  /** Whether one of its nodes writes its result to `$.jobs`. */
  readonly records: boolean;
}

/** Per flow (a summary depends on which nodes are recorded), then per block. */
const summaries = new WeakMap<FlowFacts, WeakMap<Block, BlockSummary>>();

/**
 * Remembered per block, since every enclosing Parallel asks: listing a block's node names
 * instead would cost O(n) per level of nesting, and random DAGs nest hundreds of levels deep.
 */
function summaryOf(block: Block, ctx: LowerContext): BlockSummary {
  let known = summaries.get(ctx.flow);
  if (known === undefined) {
    known = new WeakMap();
    summaries.set(ctx.flow, known);
  }
  const found = known.get(block);
  if (found !== undefined) return found;
  const summary = summarize(block, ctx);
  known.set(block, summary);
  return summary;
}

function summarize(block: Block, ctx: LowerContext): BlockSummary {
  if (block.kind === 'node') {
    const name = ctx.nodes.nodes[block.node]?.name as string;
    return { size: 1, first: [name], records: ctx.flow.recorded.has(name) };
  }
  if (block.kind === 'part') return summaryOf(block.body, ctx);
  const parts = (block.kind === 'series' ? block.items : block.branches).map((b) => summaryOf(b, ctx));
  const first: string[] = [];
  for (const part of parts) {
    if (first.length >= 3) break;
    first.push(...part.first.slice(0, 3 - first.length));
  }
  return {
    size: parts.reduce((sum, part) => sum + part.size, 0),
    first,
    records: parts.some((part) => part.records),
  };
}

/** A readable name for a Parallel state: its first jobs. */
function parallelName(block: Block, ctx: LowerContext): string {
  const { size, first } = summaryOf(block, ctx);
  return ctx.names.take(`parallel ${first.join(', ')}${size > 3 ? ` +${size - 3}` : ''}`);
}

/**
 * After a Parallel, the state is rebuilt from its branches: each branch returns the whole
 * state, so `jobs` written by branches are merged with `States.JsonMerge`.
 */
function merge(
  block: Extract<Block, { kind: 'parallel' }>,
  ctx: LowerContext,
): { ResultSelector: PayloadTemplate } | { ResultPath: null } {
  const writers = block.branches
    .map((branch, i) => (summaryOf(branch, ctx).records ? i : -1))
    .filter((i) => i >= 0);
  if (writers.length === 0) return { ResultPath: null };
  const jobs = writers
    .map((i) => `$[${i}].jobs`)
    .reduce((acc, path) => (acc === '' ? path : `States.JsonMerge(${acc}, ${path}, false)`), '');
  return { ResultSelector: carried(ctx, '$[0]', { 'jobs.$': jobs }) };
}

/**
 * The states an earlier lowering built for node `v`, when they went on to the same `next` and
 * their names are still free. Side outputs other than the state map (task definitions,
 * substitutions, IAM, counters) are shared with that lowering, so they need no replay.
 */
function replayNode(v: number, next: string | undefined, ctx: LowerContext): Fragment | undefined {
  const replay = ctx.replay;
  const earlier = replay?.nodes.get(v);
  if (replay === undefined || earlier === undefined || earlier.next !== next) return undefined;
  if (!earlier.names.every((name) => !ctx.names.has(name))) return undefined;
  for (const name of earlier.names) {
    ctx.names.claim(name);
    const info = replay.stateMap[name];
    if (info !== undefined) ctx.out.stateMap[name] = info;
  }
  return earlier.fragment;
}

/** Lowers a block so that it continues at `next` (or ends its branch). */
export function lowerBlock(block: Block, next: string | undefined, ctx: LowerContext): Fragment {
  switch (block.kind) {
    case 'node': {
      const v = block.node;
      const node = ctx.nodes.nodes[v];
      if (node === undefined) throw new RangeError(`no node ${v}`);
      const replayed = replayNode(v, next, ctx);
      if (replayed !== undefined) return replayed;
      const parents = ctx.nodes.parents[v] ?? [];
      if (ctx.record === undefined) return lowerNode(ctx, node, parents, next);
      ctx.names.record();
      const fragment = lowerNode(ctx, node, parents, next);
      ctx.record.set(v, { next, fragment, names: ctx.names.stop() });
      return fragment;
    }
    case 'series': {
      const fragments: Fragment[] = [];
      let start = next;
      for (let i = block.items.length - 1; i >= 0; i--) {
        const fragment = lowerBlock(block.items[i] as Block, start, ctx);
        fragments.push(fragment);
        start = fragment.start;
      }
      // One object built once: spreading per item would be quadratic in long sequences.
      const states = stateRecord();
      for (const fragment of fragments.reverse()) addStates(states, fragment.states);
      return { start: start as string, states };
    }
    case 'part':
      return lowerPart(block, next, ctx);
    case 'parallel': {
      const name = parallelName(block, ctx);
      ctx.out.stateMap[name] = { role: 'structure' };
      const state: ParallelState = {
        Type: 'Parallel',
        Branches: block.branches.map((branch) => graphOf(lowerBlock(branch, undefined, ctx))),
        ...merge(block, ctx),
        ...transition(next),
      };
      return { start: name, states: stateRecord([name, state]) };
    }
  }
}

/**
 * A part of a split workflow: its states form a child state machine, started and awaited with
 * `states:startExecution.sync:2`; the child's final state (its `jobs`) comes back as `Output`.
 */
function lowerPart(
  block: Extract<Block, { kind: 'part' }>,
  next: string | undefined,
  ctx: LowerContext,
): Fragment {
  const machine = ctx.machine ?? ctx.workflow.name;
  const partName = `${machine}--part-${ctx.out.children.length + 1}`;
  const name = ctx.names.take(`run ${partName}`);
  ctx.out.children.push({ name: partName, asl: { StartAt: '', States: {} } });
  const slot = ctx.out.children.length - 1;
  const body = lowerBlock(block.body, undefined, ctx);
  ctx.out.children[slot] = {
    name: partName,
    asl: {
      Comment: `Waterflow workflow ${ctx.workflow.name}, part of it run as a child execution`,
      StartAt: body.start,
      States: body.states,
    },
  };
  ctx.out.stateMap[name] = { role: 'part', part: partName };
  const prefix = useSubstitution(ctx.out, 'StateMachineArnPrefix');
  const executions = useSubstitution(ctx.out, 'ExecutionArnPrefix');
  usePermission(ctx.out, 'StartParts', ['states:StartExecution'], [`${prefix}${machine}--part-*`]);
  usePermission(
    ctx.out,
    'WatchParts',
    ['states:DescribeExecution', 'states:StopExecution'],
    [`${executions}${machine}--part-*:*`],
  );
  return {
    start: name,
    states: {
      [name]: {
        Type: 'Task',
        Resource: 'arn:aws:states:::states:startExecution.sync:2',
        Parameters: {
          StateMachineArn: `${prefix}${partName}`,
          Input: carried(ctx, '$', {
            'jobs.$': '$.jobs',
            'AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$': '$$.Execution.Id',
          }),
        },
        ResultSelector: carried(ctx, '$.Output', { 'jobs.$': '$.Output.jobs' }),
        ...transition(next),
      },
    },
  };
}

/**
 * With `failFast: false`, the run fails at the end if a job that is not tolerated failed; else
 * it succeeds, or goes on to `end` (the run timer's release) when there is one.
 */
function finalStatus(ctx: LowerContext, end: string | undefined): Fragment | undefined {
  if (ctx.workflow.failFast) return undefined;
  const failures: ChoiceCondition[] = ctx.workflow.jobs
    .filter((job) => !job.continueOnFailure)
    .map((job) => ({ Variable: `$.jobs.${ctx.keys.key(job.name)}.r`, StringEquals: 'failure' }));
  const check = ctx.names.take('run status');
  const failed = ctx.names.take('run failed');
  const succeeded = end ?? ctx.names.take('run succeeded');
  for (const name of end === undefined ? [check, failed, succeeded] : [check, failed])
    ctx.out.stateMap[name] = { role: 'structure' };
  const any: ChoiceCondition = failures.length === 1 ? (failures[0] as ChoiceCondition) : { Or: failures };
  return {
    start: check,
    states: {
      [check]:
        failures.length === 0
          ? { Type: 'Pass', Next: succeeded }
          : { Type: 'Choice', Choices: [{ ...any, Next: failed }], Default: succeeded },
      [failed]: {
        Type: 'Fail',
        Error: 'Waterflow.RunFailed',
        Cause: 'one or more jobs failed (failFast: false)',
      },
      ...(end === undefined ? { [succeeded]: { Type: 'Succeed' } } : {}),
    },
  };
}

/**
 * The first state of a run: the tasks' awsvpc configuration from the substitutions (once,
 * instead of in every task) and the retry loops' attempt counters.
 */
function initialState(ctx: LowerContext, next: string): Fragment | undefined {
  if (ctx.out.counters.size === 0 && !ctx.out.usesNetwork) return undefined;
  const name = ctx.names.take('start');
  ctx.out.stateMap[name] = { role: 'structure' };
  const counters = uniqueKeyRecord<{ n: number; d: number }>();
  for (const key of [...ctx.out.counters].sort()) counters[key] = { n: 0, d: 0 };
  const network = {
    AwsvpcConfiguration: {
      'Subnets.$': `States.StringSplit('${useSubstitution(ctx.out, 'SubnetIds')}', ',')`,
      'SecurityGroups.$': `States.StringSplit('${useSubstitution(ctx.out, 'SecurityGroupIds')}', ',')`,
      AssignPublicIp: useSubstitution(ctx.out, 'AssignPublicIp'),
    },
  };
  const parameters: PayloadTemplate = {
    'params.$': '$.params',
    'run.$': '$.run',
    'jobs.$': '$.jobs',
    ...(ctx.out.usesNetwork ? { net: network } : {}),
    ...(ctx.out.counters.size > 0 ? { a: counters } : {}),
  };
  return { start: name, states: stateRecord([name, { Type: 'Pass', Parameters: parameters, Next: next }]) };
}

/** The whole state machine of a workflow from its plan. */
export function lowerWorkflow(root: Block, ctx: LowerContext): StateMachine {
  const guarded = hasExitPath(ctx.workflow);
  const end = bodyEndState(ctx);
  const tail = finalStatus(ctx, end);
  const lowered = lowerBlock(root, tail?.start ?? end, ctx);
  const body: Fragment =
    tail === undefined
      ? lowered
      : { start: lowered.start, states: addStates(stateRecord(), lowered.states, tail.states) };
  // Lowered before the first state, which must know whether the actions' tasks need `$.net`.
  const run = guarded ? lowerExitPath(ctx, body, end) : body;
  const init = initialState(ctx, run.start);
  completeCarried(ctx);
  // With an exit path the run timer enforces spec.timeout, so that onExit runs after it too.
  const timeout = guarded ? undefined : ctx.workflow.timeoutSeconds;
  return {
    Comment: `Waterflow workflow ${ctx.workflow.name}${ctx.workflow.description === undefined ? '' : `: ${ctx.workflow.description}`}`,
    StartAt: init?.start ?? run.start,
    States: addStates(stateRecord(), init?.states, run.states),
    ...(timeout === undefined ? {} : { TimeoutSeconds: timeout }),
  };
}
