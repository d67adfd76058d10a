// The one log format of the API and every workflow function: pino's JSON lines with the same fields
// (level, time as ISO 8601, service, msg), plus what the current log context holds (requestId, jobId,
// awsRequestId). A CloudWatch Logs Insights query over the API's and the functions' log groups can then
// follow one job (docs/deploying.md, "Following one job").
import { pino, type DestinationStream, type Logger } from 'pino';
import { currentLogContext, type LogContext } from './log-context.ts';

export interface LoggerOptions {
  /** `omnigen-api`, `omnigen-workflow`: which program wrote the line. */
  service: string;
  level: string;
  /** Fields every line of this process carries besides `service` (the API's mode, a function's name). */
  base?: Record<string, string>;
  /** stdout by default (the container's and the function's log stream). */
  destination?: DestinationStream;
}

/**
 * pino's isoTime, formatting the date once per millisecond instead of once per line: under load many
 * lines share a millisecond, and `toISOString` was ~1.5 % of a request's CPU (docs/performance.md).
 */
export function isoTimeOncePerMs(now: () => number = Date.now): () => string {
  let lastMs = Number.NaN;
  let last = '';
  return () => {
    const ms = now();
    if (ms !== lastMs) {
      lastMs = ms;
      last = `,"time":"${new Date(ms).toISOString()}"`;
    }
    return last;
  };
}

export function createLogger(options: LoggerOptions): Logger {
  const root: Logger = pino({
    level: options.level,
    base: { service: options.service, ...options.base },
    timestamp: isoTimeOncePerMs(),
    // Belt and braces: nothing we log should carry these, but if a future line does, it is masked.
    // Explicit paths only: wildcard paths cost ~3 % of a request's CPU (docs/performance.md), and no log
    // line carries tokens or URLs in the first place (request lines hold endpoint patterns, not URLs).
    redact: ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization', 'headers.cookie'],
    // A field the line itself names wins (pino's merge); a field a child logger already binds is left
    // out, so no line carries a key twice.
    mixin: (_line, _level, logger) => contextFields(currentLogContext(), logger === root ? undefined : logger.bindings()),
  }, options.destination);
  return root;
}

function contextFields(context: LogContext | undefined, bound: Record<string, unknown> | undefined): LogContext {
  if (!context) return {};
  const fields: LogContext = {};
  for (const key of ['requestId', 'jobId', 'awsRequestId'] as const) {
    const value = context[key];
    if (value !== undefined && !(bound && key in bound)) fields[key] = value;
  }
  return fields;
}
