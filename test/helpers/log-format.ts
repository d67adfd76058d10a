// The one log format of the API and the functions (src/adapters/observability/logger.ts), as a reader of
// their log streams sees it: every line is either a log line or a CloudWatch EMF document.

export interface LogLine {
  level: number;
  time: string;
  service: string;
  msg: string;
  requestId?: string;
  jobId?: string;
  awsRequestId?: string;
  /** Function lines: which function wrote it. */
  function?: string;
  /** Request lines. */
  method?: string;
  endpoint?: string;
  statusCode?: number;
  [field: string]: unknown;
}

export type Classified = { kind: 'log'; line: LogLine } | { kind: 'metrics'; doc: Record<string, unknown> } | { kind: 'other'; text: string; why: string };

const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

export function classify(text: string): Classified {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { kind: 'other', text, why: 'not JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { kind: 'other', text, why: 'not a JSON object' };
  const doc = value as Record<string, unknown>;
  if (Array.isArray((doc._aws as { CloudWatchMetrics?: unknown } | undefined)?.CloudWatchMetrics)) return { kind: 'metrics', doc };
  const problems = [
    typeof doc.level === 'number' ? '' : 'level',
    typeof doc.time === 'string' && ISO_TIME.test(doc.time) ? '' : 'time',
    typeof doc.service === 'string' ? '' : 'service',
    typeof doc.msg === 'string' ? '' : 'msg',
  ].filter(Boolean);
  if (problems.length > 0) return { kind: 'other', text, why: `no ${problems.join(', ')}` };
  return { kind: 'log', line: doc as LogLine };
}

/** The stdout lines of a stack's processes from index `from` on, classified, with the process that wrote each. */
export function stdoutOf(logs: readonly { source: string; stream: string; line: string }[], from = 0): (Classified & { source: string })[] {
  return logs.slice(from).filter((l) => l.stream === 'stdout').map((l) => ({ source: l.source, ...classify(l.line) }));
}

/** Only the log lines of `stdoutOf`, each with its `source`. */
export function logLinesOf(logs: readonly { source: string; stream: string; line: string }[], from = 0): (LogLine & { source: string })[] {
  return stdoutOf(logs, from).flatMap((l) => (l.kind === 'log' ? [{ ...l.line, source: l.source }] : []));
}
