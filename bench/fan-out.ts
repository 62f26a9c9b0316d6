/**
 * `npm run bench:fan-out`: a dynamic matrix of 10,000 items, compiled and run on the
 * virtual-clock simulator: payload and history per execution against Step Functions' quotas.
 * Prints the figures and writes bench/FAN-OUT.md. A bench reports; it never fails the build.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileWorkflow } from '../compiler/compile/compile.js';
import { type FanOutFigures, measureFanOut } from './simulator/fan-out.js';
import { repoRoot } from './simulator/repo-root.js';

const PAYLOAD_QUOTA = 256 * 1024;
const HISTORY_QUOTA = 25_000;

function line(f: FanOutFigures): string {
  const kb = (f.maxPayloadBytes / 1024).toFixed(1);
  return `| ${f.items.toLocaleString('en')} | ${f.maxParallel} | ${f.status} | ${f.executions.toLocaleString('en')} | ${kb} KB | ${f.parentHistoryEvents} | ${f.maxExecutionHistoryEvents} | ${f.estimatedHistoryEvents} | ${f.makespan} s |`;
}

function verdict(f: FanOutFigures): string {
  const payload = f.maxPayloadBytes < PAYLOAD_QUOTA;
  const history = Math.max(f.maxExecutionHistoryEvents, f.estimatedHistoryEvents) < HISTORY_QUOTA;
  return `${payload ? 'PASS' : 'FAIL'} payload < 256 KB; ${history ? 'PASS' : 'FAIL'} history < 25,000 events per execution (${f.items.toLocaleString('en')} items)`;
}

const runs = [
  measureFanOut((yaml) => compileWorkflow(yaml, 'fan-out.yaml'), {
    items: 10_000,
    maxParallel: 1_000,
    itemSeconds: 60,
  }),
  measureFanOut((yaml) => compileWorkflow(yaml, 'fan-out.yaml'), {
    items: 10_000,
    maxParallel: 100,
    itemSeconds: 60,
  }),
];
const header = [
  '| items | maxParallel | status | executions | max payload | parent history | max history per execution (simulated) | estimated | makespan |',
  '|---:|---:|---|---:|---:|---:|---:|---:|---:|',
];
const text = [
  '# Dynamic matrix fan-out',
  '',
  'Produced by `npm run bench:fan-out` (bench/fan-out.ts): a `split` job, a dynamic matrix job over',
  'its output (a distributed Map, every item a child execution), a dependant; each item takes 60 s',
  'on the virtual clock, every other job 10 s. Quotas: 256 KB per payload, 25,000 history events',
  'per execution.',
  '',
  ...header,
  ...runs.map(line),
  '',
  ...runs.map((f) => `- ${verdict(f)}`),
  '',
].join('\n');
console.log(text);
writeFileSync(join(repoRoot(), 'bench', 'FAN-OUT.md'), text);
