// Where the service's log lines go: stdout, one write per event-loop turn instead of one per line.
import { destination } from 'pino';

export interface LogDestination {
  write(line: string): void;
  /** Writes what is pending now (pino's logger.flush() calls it; so does process exit). */
  flush(callback?: (err?: Error) => void): void;
}

/**
 * Lines logged during one event-loop turn are joined and written together when the turn ends
 * (setImmediate), through pino's synchronous stdout destination (which retries EAGAIN on a full pipe).
 * Under load one turn serves many requests, and a write syscall per request line was ~6 % of an
 * authenticated GET's CPU (docs/performance.md). Nothing waits on a timer or a size threshold: a crash
 * that kills the process without an exit (SIGKILL, the OOM killer) loses at most the current turn's
 * lines; an exit, process.exit included, flushes them first.
 */
export function turnBufferedStdout(fd = 1): LogDestination {
  const out = destination({ dest: fd, sync: true });
  let pending = '';
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (pending === '') return;
    const chunk = pending;
    pending = '';
    out.write(chunk);
  };
  process.on('exit', flush);
  return {
    write(line) {
      pending += line;
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
    flush(callback) {
      flush();
      callback?.();
    },
  };
}
