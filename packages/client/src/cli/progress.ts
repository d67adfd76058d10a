import type { Job } from '../types.ts';

export interface ProgressOptions {
  stream: NodeJS.WriteStream;
  /** A terminal: one bar redrawn in place; otherwise one plain line per change. */
  tty: boolean;
  color: boolean;
  now?: () => number;
}

const WIDTH = 24;

export function elapsed(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

/** The bar while a job runs: stage name and elapsed time; redrawn every second on a terminal. */
export class ProgressView {
  private job: Job | undefined;
  private readonly started: number;
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;

  private readonly options: ProgressOptions;
  constructor(options: ProgressOptions) {
    this.options = options;
    this.now = options.now ?? Date.now;
    this.started = this.now();
  }

  update(job: Job): void {
    this.job = job;
    if (!this.options.tty) {
      this.options.stream.write(`${job.status} ${job.progress}%${job.stage ? ` ${job.stage}` : ''} (${elapsed(this.now() - this.started)})\n`);
      return;
    }
    this.draw(job);
    // Redrawn every second between events, so the elapsed time moves (started here: a job is there to draw).
    this.timer ??= setInterval(() => this.draw(this.job as Job), 1000).unref();
  }

  /** Leaves the finished bar on its own line. */
  stop(): void {
    clearInterval(this.timer);
    if (this.options.tty && this.job) {
      this.draw(this.job);
      this.options.stream.write('\n');
    }
  }

  private draw(job: Job): void {
    const filled = Math.round((job.progress / 100) * WIDTH);
    let bar = `${'█'.repeat(filled)}${'░'.repeat(WIDTH - filled)}`;
    if (this.options.color) bar = `\x1b[${job.status === 'failed' || job.status === 'canceled' ? 31 : 32}m${bar}\x1b[0m`;
    const stage = job.stage ?? job.status;
    this.options.stream.write(`\r\x1b[2K${bar} ${String(job.progress).padStart(3)}%  ${stage.padEnd(10)} ${elapsed(this.now() - this.started)}`);
  }
}
