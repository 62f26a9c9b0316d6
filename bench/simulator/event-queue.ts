interface Entry {
  readonly time: number;
  readonly seq: number;
  readonly action: () => void;
}

function before(a: Entry, b: Entry): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq);
}

/**
 * A virtual clock: actions run in time order, and in scheduling order at equal times, so that a
 * simulation is deterministic. Nothing waits on real time.
 */
export class EventQueue {
  private readonly heap: Entry[] = [];
  private seq = 0;
  /** The time of the action being run. */
  now = 0;

  /** Runs `action` `delay` seconds from now (0: after what is already due now). */
  schedule(delay: number, action: () => void): void {
    this.push({ time: this.now + delay, seq: this.seq++, action });
  }

  /** Runs every action, including those scheduled while running, until none is left. */
  drain(): void {
    for (let entry = this.pop(); entry !== undefined; entry = this.pop()) {
      this.now = entry.time;
      entry.action();
    }
  }

  private push(entry: Entry): void {
    const heap = this.heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(entry, heap[parent] as Entry)) break;
      heap[i] = heap[parent] as Entry;
      i = parent;
    }
    heap[i] = entry;
  }

  private pop(): Entry | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && before(heap[right] as Entry, heap[left] as Entry) ? right : left;
      if (!before(heap[child] as Entry, last)) break;
      heap[i] = heap[child] as Entry;
      i = child;
    }
    heap[i] = last;
    return top;
  }
}
