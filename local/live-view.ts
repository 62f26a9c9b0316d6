import type { JobRecord, RunEvent, RunRecord } from '../runtime/run-record.js';

/**
 * What a person sees while a run goes on. On a terminal: one line per job (state, attempt,
 * elapsed time) redrawn in place under the jobs' log lines. Elsewhere (CI, a pipe): one line
 * per transition, so that the log reads as a story.
 */

export interface LiveView {
  /** A recorded event, with the record after it. */
  event(event: RunEvent, record: RunRecord | undefined): void;
  log(job: string, line: string, stream: 'stdout' | 'stderr'): void;
  /** Prints a line above the job table (a link, a warning). */
  note(text: string): void;
  close(record: RunRecord | undefined): void;
}

export interface LiveViewOptions {
  readonly write: (text: string) => void;
  /** Redraw in place (a terminal) or print transitions. */
  readonly tty: boolean;
  /** Print job log lines. @default true */
  readonly logs?: boolean;
  readonly now?: () => number;
}

const SYMBOL: Record<JobRecord['status'], string> = {
  pending: '·',
  waiting: '?',
  running: '>',
  retrying: '~',
  succeeded: '✓',
  failed: '✗',
  skipped: '-',
  cancelled: '!',
};

export function createLiveView(options: LiveViewOptions): LiveView {
  return options.tty ? new TableView(options) : new LineView(options);
}

/** Seconds as a person reads them: 0.4s, 12.3s, 3m05s. */
export function elapsed(job: JobRecord, now: number): string {
  if (job.startedAt === undefined) return '';
  const end = job.endedAt === undefined ? now : Date.parse(job.endedAt);
  const seconds = Math.max(0, (end - Date.parse(job.startedAt)) / 1000);
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes}m${String(Math.floor(seconds % 60)).padStart(2, '0')}s`;
}

function clock(at: string): string {
  return at.slice(11, 19);
}

class LineView implements LiveView {
  readonly #o: LiveViewOptions;

  constructor(options: LiveViewOptions) {
    this.#o = options;
  }

  event(event: RunEvent, record: RunRecord | undefined): void {
    const write = (text: string) => this.#o.write(`${clock(event.at)} ${text}\n`);
    switch (event.kind) {
      case 'run-started':
        write(`run ${record?.runId ?? ''} of ${event.workflow} started (${event.jobs.length} jobs)`);
        return;
      case 'job-started':
        write(`${event.job}: running (attempt ${event.attempt})`);
        return;
      case 'job-waiting':
        write(`${event.job}: ${event.reason}`);
        return;
      case 'job-ended': {
        const job = record?.jobs[event.job];
        const time = job === undefined ? '' : ` in ${elapsed(job, Date.parse(event.at))}`;
        const why = event.reason === undefined ? '' : ` (${event.reason})`;
        write(`${event.job}: ${event.status}${event.status === 'skipped' ? '' : time}${why}`);
        return;
      }
      case 'run-ended':
        write(`run ${event.status}${event.reason === undefined ? '' : `: ${event.reason}`}`);
        return;
    }
  }

  log(job: string, line: string): void {
    if (this.#o.logs !== false) this.#o.write(`[${job}] ${line}\n`);
  }

  note(text: string): void {
    this.#o.write(`${text}\n`);
  }

  close(): void {}
}

class TableView implements LiveView {
  readonly #o: LiveViewOptions;
  #record: RunRecord | undefined;
  #drawn = 0;
  readonly #timer: NodeJS.Timeout;

  constructor(options: LiveViewOptions) {
    this.#o = options;
    this.#timer = setInterval(() => this.#redraw(''), 500);
    this.#timer.unref();
  }

  event(event: RunEvent, record: RunRecord | undefined): void {
    this.#record = record;
    const line =
      event.kind === 'job-waiting'
        ? `${event.job}: ${event.reason}\n`
        : event.kind === 'run-started'
          ? `run ${record?.runId ?? ''} of ${event.workflow} started\n`
          : '';
    this.#redraw(line);
  }

  log(job: string, line: string): void {
    if (this.#o.logs !== false) this.#redraw(`[${job}] ${line}\n`);
  }

  note(text: string): void {
    this.#redraw(`${text}\n`);
  }

  close(record: RunRecord | undefined): void {
    clearInterval(this.#timer);
    this.#record = record ?? this.#record;
    this.#redraw('');
    this.#drawn = 0;
  }

  /** Erases the table, prints `above`, draws the table again. */
  #redraw(above: string): void {
    const erase = this.#drawn > 0 ? `\x1b[${this.#drawn}A\x1b[J` : '';
    const table = this.#table();
    this.#drawn = table.length;
    this.#o.write(`${erase}${above}${table.map((line) => `${line}\n`).join('')}`);
  }

  #table(): string[] {
    const record = this.#record;
    if (record === undefined) return [];
    const now = (this.#o.now ?? Date.now)();
    const entries = Object.entries(record.jobs);
    const width = Math.min(48, Math.max(...entries.map(([name]) => name.length), 4));
    const lines = entries.map(([name, job]) => {
      const attempt = job.attempts > 1 ? `attempt ${job.attempts}` : '';
      const label = name.length > width ? `${name.slice(0, width - 1)}…` : name.padEnd(width);
      return `  ${SYMBOL[job.status]} ${label}  ${job.status.padEnd(9)}  ${attempt.padEnd(10)} ${elapsed(job, now)}`;
    });
    return [`${record.workflow} ${record.runId}: ${record.status}`, ...lines];
  }
}
