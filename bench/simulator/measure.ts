import type { StateMachine } from '../../compiler/asl/types.js';
import type { CompileOutput, CompileResult } from '../../compiler/compile/output.js';
import { criticalPath, type DagJob, stageBarrierSeconds } from './dag.js';
import { type GatePlacement, gatePlacement } from './gate-placement.js';
import { simulate } from './simulate.js';
import type { SimulationResult } from './types.js';

export type Lowering = 'exact' | 'barrier';

/** Compiles workflow text with a lowering; the bench passes `compileWorkflow`. */
export type CompileFn = (yaml: string, lowering: Lowering) => CompileResult;

export type SettingName = 'ideal' | 'target' | 'realistic';

/** Latencies a run is simulated with: S per ECS task start, g per gate answer and Lambda call. */
export interface Setting {
  readonly taskStartLatency: number;
  readonly gateLatency: number;
}

/** Ideal: no latency (exactness); target: S = 0, g = 1 s (the targets); realistic: S = 20 s, g = 1 s. */
export const SETTINGS: { readonly [name in SettingName]: Setting } = {
  ideal: { taskStartLatency: 0, gateLatency: 0 },
  target: { taskStartLatency: 0, gateLatency: 1 },
  realistic: { taskStartLatency: 20, gateLatency: 1 },
};

type BySetting = { readonly [name in SettingName]: number };

/** What one lowering of one DAG gives. */
export interface LoweringFigures {
  readonly makespan: BySetting;
  /** S + runtime + g per gate and release, along the heaviest path: what an exact lowering may take. */
  readonly latencyBound: BySetting;
  readonly historyEvents: number;
  readonly maxExecutionHistoryEvents: number;
  readonly transitions: number;
  readonly definitionBytes: number;
  readonly states: number;
  readonly gates: number;
  readonly releases: number;
  readonly parts: number;
  /** The compiler's own estimates, to compare with the simulation. */
  readonly estimatedHistoryEvents: number;
  readonly estimatedTransitions: number;
  /** Transitions and history events by state role (`execution`: the executions' own events). */
  readonly byRole: { readonly [role: string]: RoleCost };
  /**
   * Gates and `done` releases entered on the success path, of the jobs on the critical path (of
   * critical paths of the same length, the one through the most gates).
   */
  readonly gatesOnCriticalPath: number;
  readonly releasesOnCriticalPath: number;
  /** Whether another place for those gates could hide their latency, and gates after a task. */
  readonly gatePlacement: GatePlacement;
}

/** What the states of one role cost in one run. */
export interface RoleCost {
  readonly transitions: number;
  readonly events: number;
}

/** Everything the makespan bench reports about one DAG. */
export interface DagFigures {
  readonly name: string;
  readonly source: 'corpus' | 'layered';
  readonly jobs: number;
  readonly edges: number;
  readonly criticalPath: number;
  readonly stageBarrier: number;
  readonly reference?: Reference;
  readonly exact?: LoweringFigures;
  readonly barrier?: LoweringFigures;
  /** Why a lowering could not be measured. */
  readonly errors: ReadonlyArray<string>;
}

/** A DAG to measure: its jobs (by workflow job name) and the workflow text. */
export interface BenchDag {
  readonly name: string;
  readonly source: 'corpus' | 'layered';
  readonly jobs: ReadonlyArray<DagJob>;
  readonly yaml: string;
  /** The corpus index's own figures, to check ours against. */
  readonly reference?: Reference;
}

/** `criticalPathSeconds` and `stageBarrierSeconds` of the corpus `index.json`. */
export interface Reference {
  readonly criticalPathSeconds: number;
  readonly stageBarrierSeconds: number;
}

function byteLength(machine: StateMachine): number {
  return Buffer.byteLength(JSON.stringify(machine), 'utf8');
}

/** Jobs whose states of `role` were entered in the run: gates and releases on the success path. */
function jobsEntered(result: SimulationResult, output: CompileOutput, role: 'gate' | 'release'): Set<string> {
  const jobs = new Set<string>();
  for (const [name, counts] of result.states) {
    const info = Object.hasOwn(output.stateMap, name) ? output.stateMap[name] : undefined;
    if (counts.entered > 0 && info?.role === role && info.job !== undefined) jobs.add(info.job);
  }
  return jobs;
}

function simulateAll(dag: BenchDag, output: CompileOutput) {
  const runtimes = new Map(dag.jobs.map((job) => [job.id, job.runtimeSeconds]));
  const children = new Map(output.children.map((child) => [child.name, child.asl]));
  const run = (setting: Setting) =>
    simulate(output.asl, {
      stateMap: output.stateMap,
      children,
      durations: (job) => runtimes.get(job) ?? Number.NaN,
      taskStartLatency: setting.taskStartLatency,
      gateLatency: setting.gateLatency,
    });
  const [ideal, target, realistic] = [run(SETTINGS.ideal), run(SETTINGS.target), run(SETTINGS.realistic)];
  const gates = jobsEntered(ideal, output, 'gate');
  const releases = jobsEntered(ideal, output, 'release');
  const hops = (job: DagJob) => (gates.has(job.id) ? 1 : 0) + (releases.has(job.id) ? 1 : 0);
  const bound = ({ taskStartLatency: s, gateLatency: g }: Setting) =>
    criticalPath(dag.jobs, (job) => s + job.runtimeSeconds + g * hops(job)).seconds;
  return {
    ideal,
    gates,
    releases,
    makespan: { ideal: ideal.makespan, target: target.makespan, realistic: realistic.makespan },
    bound: {
      ideal: bound(SETTINGS.ideal),
      target: bound(SETTINGS.target),
      realistic: bound(SETTINGS.realistic),
    },
  };
}

function costByRole(result: SimulationResult, output: CompileOutput): { [role: string]: RoleCost } {
  const costs = new Map<string, { transitions: number; events: number }>();
  let stateEvents = 0;
  for (const [name, counts] of result.states) {
    const role =
      (Object.hasOwn(output.stateMap, name) ? output.stateMap[name]?.role : undefined) ?? 'unmapped';
    const cost = costs.get(role) ?? { transitions: 0, events: 0 };
    cost.transitions += counts.entered;
    cost.events += counts.events;
    costs.set(role, cost);
    stateEvents += counts.events;
  }
  costs.set('execution', { transitions: 0, events: result.historyEvents - stateEvents });
  return Object.fromEntries(costs);
}

/** Compiles `dag` with one lowering and simulates it under every setting. */
export function measureLowering(dag: BenchDag, compiled: CompileResult): LoweringFigures {
  const { output } = compiled;
  if (output === undefined) {
    const errors = compiled.diagnostics.filter((d) => d.severity === 'error');
    throw new Error(errors.map((d) => `${d.code} ${d.message}`).join('; ') || 'no output and no error');
  }
  const { ideal, gates, releases, makespan, bound } = simulateAll(dag, output);
  // Of the critical paths (ties are common in traces), the one through the most gates.
  const path = criticalPath(dag.jobs, undefined, (job) => (gates.has(job.id) ? 1 : 0)).jobs;
  return {
    makespan,
    latencyBound: bound,
    historyEvents: ideal.historyEvents,
    maxExecutionHistoryEvents: ideal.maxExecutionHistoryEvents,
    transitions: ideal.transitions,
    definitionBytes: byteLength(output.asl) + output.children.reduce((sum, c) => sum + byteLength(c.asl), 0),
    states: output.stats.states,
    gates: gates.size,
    releases: releases.size,
    parts: output.stats.parts,
    estimatedHistoryEvents: output.stats.estimatedHistoryEvents,
    estimatedTransitions: output.stats.transitionsPerRun,
    byRole: costByRole(ideal, output),
    gatesOnCriticalPath: path.filter((job) => gates.has(job)).length,
    releasesOnCriticalPath: path.filter((job) => releases.has(job)).length,
    gatePlacement: gatePlacement(dag.jobs, path, gates, output, SETTINGS.target.gateLatency),
  };
}

/** Measures one DAG: its critical path and stage barrier, then both lowerings. */
export function measureDag(dag: BenchDag, compile: CompileFn): DagFigures {
  const path = criticalPath(dag.jobs);
  const errors: string[] = [];
  const measure = (lowering: Lowering): LoweringFigures | undefined => {
    try {
      return measureLowering(dag, compile(dag.yaml, lowering));
    } catch (error) {
      errors.push(`${lowering}: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
  };
  const exact = measure('exact');
  const barrier = measure('barrier');
  return {
    name: dag.name,
    source: dag.source,
    jobs: dag.jobs.length,
    edges: dag.jobs.reduce((sum, job) => sum + job.parents.length, 0),
    criticalPath: path.seconds,
    stageBarrier: stageBarrierSeconds(dag.jobs),
    ...(dag.reference === undefined ? {} : { reference: dag.reference }),
    ...(exact === undefined ? {} : { exact }),
    ...(barrier === undefined ? {} : { barrier }),
    errors,
  };
}
