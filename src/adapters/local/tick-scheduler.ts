/** A scheduled call; `cancel()` keeps it from running. */
export interface Ticket {
  cancel(): void;
}

interface Entry {
  due: number;
  /** Ties run in the order they were scheduled. */
  seq: number;
  run: () => void;
  canceled: boolean;
}

/**
 * Runs calls at their due time with one timer for all of them: a binary min-heap of due times and a
 * single setTimeout armed for the earliest. A thousand waiting jobs cost a thousand heap entries, not
 * a thousand timers. Canceled entries stay in the heap until they come up, then are skipped.
 */
export class TickScheduler {
  private readonly heap: Entry[] = [];
  private seq = 0;
  private timer: NodeJS.Timeout | undefined;
  private armedFor = Infinity;

  private readonly now: () => number;
  constructor(now: () => number = Date.now) {
    this.now = now;
  }

  /** Calls waiting to run (canceled ones included until they come up). */
  get size(): number {
    return this.heap.length;
  }

  schedule(delayMs: number, run: () => void): Ticket {
    const entry: Entry = { due: this.now() + Math.max(0, delayMs), seq: this.seq++, run, canceled: false };
    this.push(entry);
    this.arm();
    return { cancel: () => void (entry.canceled = true) };
  }

  /** Drops every waiting call and the timer. */
  clear(): void {
    this.heap.length = 0;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.armedFor = Infinity;
  }

  private arm(): void {
    const first = this.heap[0];
    if (!first || first.due >= this.armedFor) return;
    clearTimeout(this.timer);
    this.armedFor = first.due;
    this.timer = setTimeout(() => this.fire(), Math.max(0, first.due - this.now()));
    // Waiting demo jobs must not keep the process alive on their own.
    this.timer.unref();
  }

  private fire(): void {
    this.timer = undefined;
    this.armedFor = Infinity;
    const now = this.now();
    const due: Entry[] = [];
    while (this.heap[0] && this.heap[0].due <= now) due.push(this.pop());
    this.arm();
    for (const entry of due) if (!entry.canceled) entry.run();
  }

  private before(a: Entry, b: Entry): boolean {
    return a.due < b.due || (a.due === b.due && a.seq < b.seq);
  }

  private push(entry: Entry): void {
    const heap = this.heap;
    let i = heap.push(entry) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(heap[i] as Entry, heap[parent] as Entry)) break;
      [heap[i], heap[parent]] = [heap[parent] as Entry, heap[i] as Entry];
      i = parent;
    }
  }

  private pop(): Entry {
    const heap = this.heap;
    const top = heap[0] as Entry;
    const last = heap.pop() as Entry;
    if (heap.length > 0) {
      heap[0] = last;
      for (let i = 0; ; ) {
        const [l, r] = [2 * i + 1, 2 * i + 2];
        let least = i;
        if (l < heap.length && this.before(heap[l] as Entry, heap[least] as Entry)) least = l;
        if (r < heap.length && this.before(heap[r] as Entry, heap[least] as Entry)) least = r;
        if (least === i) break;
        [heap[i], heap[least]] = [heap[least] as Entry, heap[i] as Entry];
        i = least;
      }
    }
    return top;
  }
}
