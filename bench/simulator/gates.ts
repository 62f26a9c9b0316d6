import type { JsonValue } from '../../compiler/asl/types.js';
import { SimulationError } from './errors.js';

interface Waiter {
  readonly gate: string;
  readonly upstream: ReadonlyArray<string>;
  missing: number;
  readonly answer: (results: { [job: string]: JsonValue }) => void;
}

/**
 * The gate logic of docs/compilation.md, on a virtual clock: a release records a job's result; a
 * gate is answered once every job it lists has been released. Latency is the caller's business.
 */
export class GateBoard {
  private readonly released = new Map<string, JsonValue>();
  private readonly waiting = new Map<string, Waiter[]>();
  private readonly open = new Set<Waiter>();

  /** Records that `job` has ended with `result`, and answers the gates this completes. */
  release(job: string, result: JsonValue): void {
    if (this.released.has(job)) return;
    this.released.set(job, result);
    const waiters = this.waiting.get(job) ?? [];
    this.waiting.delete(job);
    for (const waiter of waiters) {
      waiter.missing--;
      if (waiter.missing === 0) this.answer(waiter);
    }
  }

  /** Calls `answer` once every job of `upstream` has been released: now, or at the last release. */
  wait(gate: string, upstream: ReadonlyArray<string>, answer: Waiter['answer']): void {
    const missing = [...new Set(upstream)].filter((job) => !this.released.has(job));
    const waiter: Waiter = { gate, upstream, missing: missing.length, answer };
    if (missing.length === 0) {
      answer(this.results(upstream));
      return;
    }
    this.open.add(waiter);
    for (const job of missing) {
      const list = this.waiting.get(job);
      if (list === undefined) this.waiting.set(job, [waiter]);
      else list.push(waiter);
    }
  }

  /** A `deadlock` error naming the gates still waiting, or undefined when none is. */
  deadlock(): SimulationError | undefined {
    if (this.open.size === 0) return undefined;
    const lines = [...this.open].map((waiter) => {
      const missing = waiter.upstream.filter((job) => !this.released.has(job));
      return `gate "${waiter.gate}" waits for ${missing.map((job) => `"${job}"`).join(', ')}, never released`;
    });
    return new SimulationError('deadlock', `deadlock: ${lines.join('; ')}`);
  }

  private answer(waiter: Waiter): void {
    this.open.delete(waiter);
    waiter.answer(this.results(waiter.upstream));
  }

  private results(upstream: ReadonlyArray<string>): { [job: string]: JsonValue } {
    const out: { [job: string]: JsonValue } = {};
    for (const job of upstream) out[job] = this.released.get(job) ?? null;
    return out;
  }
}
