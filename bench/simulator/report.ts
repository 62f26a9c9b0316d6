import type { Check, Summary } from './checks.js';
import type { DagFigures } from './measure.js';

const HEADERS = [
  'DAG',
  'jobs',
  'gates',
  'CP gates',
  'CP rel.',
  'CP s',
  'ours s',
  'barrier s',
  'ours/CP',
  'barrier/CP',
  'events/job',
  'trans/job',
  'def B/job',
  'ours S20 s',
  'barrier S20 s',
  'max events est./sim.',
] as const;

const fixed = (value: number | undefined, digits: number) =>
  value === undefined ? '-' : value.toFixed(digits);

function row(f: DagFigures): string[] {
  const { exact, barrier } = f;
  const per = (value: number | undefined) => (value === undefined ? undefined : value / f.jobs);
  return [
    f.name,
    String(f.jobs),
    exact === undefined ? '-' : String(exact.gates),
    exact === undefined ? '-' : String(exact.gatesOnCriticalPath),
    exact === undefined ? '-' : String(exact.releasesOnCriticalPath),
    fixed(f.criticalPath, 1),
    fixed(exact?.makespan.target, 1),
    fixed(barrier?.makespan.target, 1),
    fixed(exact === undefined ? undefined : exact.makespan.target / f.criticalPath, 4),
    fixed(barrier === undefined ? undefined : barrier.makespan.target / f.criticalPath, 4),
    fixed(per(exact?.historyEvents), 2),
    fixed(per(exact?.transitions), 2),
    fixed(per(exact?.definitionBytes), 0),
    fixed(exact?.makespan.realistic, 1),
    fixed(barrier?.makespan.realistic, 1),
    exact === undefined ? '-' : `${exact.estimatedHistoryEvents} / ${exact.maxExecutionHistoryEvents}`,
  ];
}

/** The per-DAG table, aligned for a terminal. */
export function textTable(figures: ReadonlyArray<DagFigures>): string {
  const rows = [[...HEADERS], ...figures.map(row)];
  const widths = HEADERS.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows
    .map((r) =>
      r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  '),
    )
    .join('\n');
}

/** The per-DAG table in Markdown. */
export function markdownTable(figures: ReadonlyArray<DagFigures>): string {
  const lines = [
    `| ${HEADERS.join(' | ')} |`,
    `|${HEADERS.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`,
  ];
  for (const f of figures) lines.push(`| ${row(f).join(' | ')} |`);
  return lines.join('\n');
}

/** `PASS subject: target (detail)`, one line per check. */
export function checkLines(checks: ReadonlyArray<Check>): string[] {
  return checks.map((c) => `${c.pass ? 'PASS' : 'FAIL'} ${c.subject}: ${c.target} (${c.detail})`);
}

/** The geometric means and averaged figures, as lines. */
export function summaryLines(summary: Summary): string[] {
  const ratio = (r: Summary['oursToCriticalPath']) =>
    `${r.ideal.toFixed(4)} (no latency), ${r.target.toFixed(4)} (S = 0, g = 1 s), ${r.realistic.toFixed(4)} (S = 20 s, g = 1 s)`;
  return [
    `Geometric-mean makespan / critical path over ${summary.dags} DAGs:`,
    `  ours (exact lowering): ${ratio(summary.oursToCriticalPath)}`,
    `  stage barrier:         ${ratio(summary.barrierToCriticalPath)}`,
    `Per job, mean over DAGs (exact lowering): ${summary.historyEventsPerJob.toFixed(2)} history events, ` +
      `${summary.transitionsPerJob.toFixed(2)} state transitions, ${summary.definitionBytesPerJob.toFixed(0)} definition bytes`,
    `  by role (transitions / history events per job): ${Object.entries(summary.rolesPerJob)
      .filter(([, cost]) => cost.events > 0)
      .map(([role, cost]) => `${role} ${cost.transitions.toFixed(2)} / ${cost.events.toFixed(2)}`)
      .join(', ')}`,
    `  gates waiting beside the task before them instead of after it (one Parallel state more each, ` +
      `gates that start a branch left as they are): at least ${summary.transitionsPerJobGatesBesideTasks.toFixed(2)} state transitions per job`,
  ];
}

const ROLES = [
  'run',
  'gate',
  'release',
  'check',
  'skip',
  'record',
  'retry',
  'structure',
  'part',
  'unmapped',
] as const;

/** Transitions and history events per job by state role (exact lowering), in Markdown. */
export function markdownRoleTable(figures: ReadonlyArray<DagFigures>): string {
  const headers = ['DAG', ...ROLES.map((r) => `${r} t/e`), 'execution e'];
  const lines = [
    `| ${headers.join(' | ')} |`,
    `|${headers.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`,
  ];
  for (const f of figures) {
    const roles = f.exact?.byRole;
    if (roles === undefined) continue;
    const cell = (role: string) => {
      const cost = roles[role];
      return cost === undefined
        ? '-'
        : `${(cost.transitions / f.jobs).toFixed(2)} / ${(cost.events / f.jobs).toFixed(2)}`;
    };
    const execution = roles.execution === undefined ? '-' : (roles.execution.events / f.jobs).toFixed(2);
    lines.push(`| ${[f.name, ...ROLES.map(cell), execution].join(' | ')} |`);
  }
  return lines.join('\n');
}
