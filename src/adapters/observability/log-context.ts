// What every log line written on behalf of one request or one Lambda invocation carries, without passing
// a logger down through the use cases: the request's (or the job's originating request's) id, the job,
// and the Lambda invocation. Held in AsyncLocalStorage, so a use case that logs through the process's one
// logger writes them too (observability/logger.ts adds them to each line).
import { AsyncLocalStorage } from 'node:async_hooks';

export interface LogContext {
  /** The API request's id (x-request-id); on a job's path through the workflow, the id of the request that created it. */
  requestId?: string;
  jobId?: string;
  /** The Lambda invocation's own id (the runtime's context.awsRequestId). */
  awsRequestId?: string;
}

const storage = new AsyncLocalStorage<LogContext>();

/** Runs `fn` (and everything it starts) with `context` on every log line. */
export function runWithLogContext<T>(context: LogContext, fn: () => T): T {
  return storage.run(context, fn);
}

/** The context `runWithLogContext` set for the code running now, if any. Mutable: a route adds the job it made. */
export function currentLogContext(): LogContext | undefined {
  return storage.getStore();
}
