import { geometricMean } from './dag.js';
import {
  type DagFigures,
  type LoweringFigures,
  type RoleCost,
  SETTINGS,
  type SettingName,
} from './measure.js';

/** One target checked on one DAG, or over all of them. */
export interface Check {
  readonly subject: string;
  readonly target: string;
  readonly pass: boolean;
  readonly detail: string;
}

/** Targets of the issue, per job on average. */
export const TARGETS = {
  historyEventsPerJob: 10,
  transitionsPerJob: 1.5,
  definitionBytesPerJob: 1536,
} as const;

const close = (a: number, b: number) => Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(a), Math.abs(b));
const atMost = (a: number, b: number) => a <= b + 1e-6 * Math.max(1, Math.abs(b));
const s = (seconds: number) => seconds.toFixed(3);

function exactChecks(f: DagFigures, exact: LoweringFigures): Check[] {
  const g = SETTINGS.target.gateLatency;
  const allowed = f.criticalPath + g * exact.gatesOnCriticalPath;
  const settings = Object.keys(SETTINGS) as SettingName[];
  const overBound = settings.filter((name) => !atMost(exact.makespan[name], exact.latencyBound[name]));
  return [
    {
      subject: f.name,
      target: 'exact with no latency: makespan = critical path',
      pass: close(exact.makespan.ideal, f.criticalPath),
      detail: `${s(exact.makespan.ideal)} s vs ${s(f.criticalPath)} s`,
    },
    {
      subject: f.name,
      target: 'makespan <= critical path + g x gates on it (S = 0, g = 1 s)',
      pass: atMost(exact.makespan.target, allowed),
      detail: `${s(exact.makespan.target)} s vs ${s(f.criticalPath)} + ${g} x ${exact.gatesOnCriticalPath} = ${s(allowed)} s`,
    },
    {
      subject: f.name,
      target: 'makespan <= heaviest path of S + runtime + g per gate and release, every setting',
      pass: overBound.length === 0,
      detail: overBound.length === 0 ? 'all settings' : `over in ${overBound.join(', ')}`,
    },
  ];
}

/** Where the critical path's gates wait: whether any other place could have hidden their g. */
function whyWorse(exact: LoweringFigures): string {
  const { onCriticalEdge, afterNestedParent } = exact.gatePlacement;
  const gates = exact.gatesOnCriticalPath;
  return `of the critical path's ${gates} gate${gates === 1 ? '' : 's'}: ${onCriticalEdge} on the critical edge itself (the gated upstream ends last, or less than g before the nested parent: g, or part of it, follows it wherever the gate waits), ${afterNestedParent} after a nested parent that ends at least g later (a gate waiting beside that parent, one Parallel state more, would hide g)`;
}

function barrierChecks(f: DagFigures, exact: LoweringFigures, barrier: LoweringFigures): Check[] {
  const settings = Object.keys(SETTINGS) as SettingName[];
  const worse = settings.filter((name) => !atMost(exact.makespan[name], barrier.makespan[name]));
  return [
    {
      subject: f.name,
      target: 'never worse than the stage barrier',
      pass: worse.length === 0,
      detail:
        worse.length === 0
          ? `ours ${s(exact.makespan.target)} s <= barrier ${s(barrier.makespan.target)} s (S = 0, g = 1 s)`
          : `${worse.map((n) => `${n}: ${s(exact.makespan[n])} s > ${s(barrier.makespan[n])} s`).join('; ')}; ${whyWorse(exact)}`,
    },
    {
      subject: f.name,
      target: 'barrier lowering with no latency = stage-barrier figure',
      pass: close(barrier.makespan.ideal, f.stageBarrier),
      detail: `${s(barrier.makespan.ideal)} s vs ${s(f.stageBarrier)} s`,
    },
  ];
}

function referenceChecks(f: DagFigures): Check[] {
  if (f.reference === undefined) return [];
  const { criticalPathSeconds, stageBarrierSeconds } = f.reference;
  return [
    {
      subject: f.name,
      target: 'critical path and stage barrier agree with index.json',
      pass: close(f.criticalPath, criticalPathSeconds) && close(f.stageBarrier, stageBarrierSeconds),
      detail: `CP ${s(f.criticalPath)} vs ${s(criticalPathSeconds)} s, barrier ${s(f.stageBarrier)} vs ${s(stageBarrierSeconds)} s`,
    },
  ];
}

/** Every per-DAG check of the makespan targets. */
export function checkDag(f: DagFigures): Check[] {
  const errors = f.errors.map((error) => ({
    subject: f.name,
    target: 'compiles and simulates',
    pass: false,
    detail: error,
  }));
  const exact = f.exact === undefined ? [] : exactChecks(f, f.exact);
  const barrier =
    f.exact === undefined || f.barrier === undefined ? [] : barrierChecks(f, f.exact, f.barrier);
  return [...errors, ...referenceChecks(f), ...exact, ...barrier];
}

/** Per-job figures of the exact lowering, averaged over the DAGs, and geometric-mean ratios. */
export interface Summary {
  readonly dags: number;
  readonly historyEventsPerJob: number;
  readonly transitionsPerJob: number;
  /** With every gate that follows a task waiting beside it instead: one Parallel state more each. */
  readonly transitionsPerJobGatesBesideTasks: number;
  readonly definitionBytesPerJob: number;
  /** Transitions and history events per job by state role, mean over the DAGs. */
  readonly rolesPerJob: { readonly [role: string]: RoleCost };
  readonly oursToCriticalPath: { readonly [name in SettingName]: number };
  readonly barrierToCriticalPath: { readonly [name in SettingName]: number };
}

const mean = (values: ReadonlyArray<number>) =>
  values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);

function rolesPerJob(dags: ReadonlyArray<{ jobs: number; roles: LoweringFigures['byRole'] }>) {
  const names = [...new Set(dags.flatMap((d) => Object.keys(d.roles)))].sort();
  const perJob = (role: string, pick: (cost: RoleCost) => number) =>
    mean(dags.map((d) => (d.roles[role] === undefined ? 0 : pick(d.roles[role]) / d.jobs)));
  return Object.fromEntries(
    names.map((role) => [
      role,
      { transitions: perJob(role, (c) => c.transitions), events: perJob(role, (c) => c.events) },
    ]),
  );
}

/** Averages over the DAGs where both lowerings were measured. */
export function summarize(figures: ReadonlyArray<DagFigures>): Summary {
  const measured = figures.flatMap((f) =>
    f.exact !== undefined && f.barrier !== undefined ? [{ f, exact: f.exact, barrier: f.barrier }] : [],
  );
  const ratio = (pick: (m: (typeof measured)[number]) => number) =>
    geometricMean(measured.map((m) => pick(m) / m.f.criticalPath));
  const bySetting = (lowering: 'exact' | 'barrier') => ({
    ideal: ratio((m) => m[lowering].makespan.ideal),
    target: ratio((m) => m[lowering].makespan.target),
    realistic: ratio((m) => m[lowering].makespan.realistic),
  });
  return {
    dags: measured.length,
    historyEventsPerJob: mean(measured.map((m) => m.exact.historyEvents / m.f.jobs)),
    transitionsPerJob: mean(measured.map((m) => m.exact.transitions / m.f.jobs)),
    transitionsPerJobGatesBesideTasks: mean(
      measured.map((m) => (m.exact.transitions + m.exact.gatePlacement.afterTask) / m.f.jobs),
    ),
    definitionBytesPerJob: mean(measured.map((m) => m.exact.definitionBytes / m.f.jobs)),
    rolesPerJob: rolesPerJob(measured.map((m) => ({ jobs: m.f.jobs, roles: m.exact.byRole }))),
    oursToCriticalPath: bySetting('exact'),
    barrierToCriticalPath: bySetting('barrier'),
  };
}

/** The checks of the averaged targets. */
export function checkSummary(summary: Summary): Check[] {
  const line = (target: string, value: number, limit: number, unit: string): Check => ({
    subject: `all ${summary.dags} DAGs`,
    target: `${target} <= ${limit}${unit}`,
    pass: value <= limit,
    detail: `${value.toFixed(2)}${unit}`,
  });
  return [
    line('history events per job (mean)', summary.historyEventsPerJob, TARGETS.historyEventsPerJob, ''),
    line('state transitions per job (mean)', summary.transitionsPerJob, TARGETS.transitionsPerJob, ''),
    line(
      'definition bytes per job (mean)',
      summary.definitionBytesPerJob,
      TARGETS.definitionBytesPerJob,
      ' B',
    ),
  ];
}
