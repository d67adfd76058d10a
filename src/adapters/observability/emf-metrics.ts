// Request, error and job metrics as CloudWatch Embedded Metric Format lines on stdout. On ECS the
// awslogs driver ships stdout to CloudWatch Logs, which turns these lines into metrics: no SDK call,
// no agent, no extra dependency. Spec:
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
//
// Samples are aggregated in memory and written once per interval (one line per dimension
// combination), so a busy task writes a handful of lines a minute, not one per request.
import { DurationHistogram } from './duration-histogram.ts';

export interface EmfMetricsOptions {
  /** CloudWatch namespace; default `OmniGen`. */
  namespace?: string;
  /** How often start() flushes; default 60 000 ms (CloudWatch's standard resolution). */
  intervalMs?: number;
  /** Receives one JSON document followed by a newline per call; default process.stdout. */
  write?: (line: string) => void;
  /** Epoch milliseconds for the documents' Timestamp; default Date.now. */
  now?: () => number;
  /** When set, every metric also carries a `Service` dimension with this value. */
  serviceName?: string;
  /** Distinct (Endpoint, StatusCode) pairs held per interval before new ones go to Endpoint "other". */
  maxRequestSeries?: number;
  /** Distinct error types held per interval before new ones go to ErrorType "other". */
  maxErrorTypes?: number;
}

export const OVERFLOW = 'other';

interface RequestSeries {
  endpoint: string;
  statusCode: string;
  count: number;
  duration: DurationHistogram;
}

type Document = Record<string, unknown>;

export class EmfMetrics {
  private readonly namespace: string;
  private readonly intervalMs: number;
  private readonly write: (line: string) => void;
  private readonly now: () => number;
  private readonly serviceName: string | undefined;
  private readonly maxRequestSeries: number;
  private readonly maxErrorTypes: number;
  private requests = new Map<string, RequestSeries>();
  private errors = new Map<string, number>();
  private activeJobs: number | undefined;
  private webhooks = { attempts: 0, failures: 0, latency: new DurationHistogram() };
  private timer: NodeJS.Timeout | undefined;

  constructor(options: EmfMetricsOptions = {}) {
    this.namespace = options.namespace ?? 'OmniGen';
    this.intervalMs = options.intervalMs ?? 60_000;
    this.write = options.write ?? ((line) => process.stdout.write(line));
    this.now = options.now ?? Date.now;
    this.serviceName = options.serviceName === undefined ? undefined : dimensionValue(options.serviceName);
    this.maxRequestSeries = options.maxRequestSeries ?? 200;
    this.maxErrorTypes = options.maxErrorTypes ?? 50;
  }

  /** `endpoint` should be the route pattern (`/api/v1/jobs/:id`), never the raw URL, to keep cardinality low. */
  recordRequest(endpoint: string, statusCode: number, durationMs: number): void {
    const status = String(Math.trunc(statusCode));
    let name = dimensionValue(endpoint);
    if (!this.requests.has(seriesKey(name, status)) && this.requests.size >= this.maxRequestSeries) name = OVERFLOW;
    const key = seriesKey(name, status);
    let series = this.requests.get(key);
    if (!series) {
      series = { endpoint: name, statusCode: status, count: 0, duration: new DurationHistogram() };
      this.requests.set(key, series);
    }
    series.count += 1;
    series.duration.add(durationMs);
  }

  recordError(errorType: string): void {
    let type = dimensionValue(errorType);
    if (!this.errors.has(type) && this.errors.size >= this.maxErrorTypes) type = OVERFLOW;
    this.errors.set(type, (this.errors.get(type) ?? 0) + 1);
  }

  /** One webhook delivery attempt: counted, a failure (no 2xx, or refused before any request) counted apart, its latency sampled. */
  recordWebhookAttempt(succeeded: boolean, latencyMs: number): void {
    this.webhooks.attempts += 1;
    if (!succeeded) this.webhooks.failures += 1;
    this.webhooks.latency.add(latencyMs);
  }

  /** A gauge: once set, the latest value is reported every interval so alarms never lack data. */
  setActiveJobs(n: number): void {
    if (Number.isFinite(n)) this.activeJobs = Math.max(0, n);
  }

  /** Writes what was recorded since the last flush (and the ActiveJobs gauge once set); otherwise nothing. */
  flush(): void {
    const timestamp = this.now();
    const requests = this.requests;
    const errors = this.errors;
    const webhooks = this.webhooks;
    this.requests = new Map();
    this.errors = new Map();
    this.webhooks = { attempts: 0, failures: 0, latency: new DurationHistogram() };
    for (const s of requests.values()) {
      this.emit(timestamp, { Endpoint: s.endpoint, StatusCode: s.statusCode }, [['Endpoint', 'StatusCode'], ['StatusCode'], []], {
        RequestCount: ['Count', s.count],
        RequestDuration: ['Milliseconds', s.duration.toEmf()],
      });
    }
    for (const [type, count] of errors) {
      this.emit(timestamp, { ErrorType: type }, [['ErrorType']], { ErrorCount: ['Count', count] });
    }
    if (this.activeJobs !== undefined) this.emit(timestamp, {}, [[]], { ActiveJobs: ['Count', this.activeJobs] });
    if (webhooks.attempts > 0) {
      this.emit(timestamp, {}, [[]], {
        WebhookDeliveries: ['Count', webhooks.attempts], WebhookFailures: ['Count', webhooks.failures], WebhookLatency: ['Milliseconds', webhooks.latency.toEmf()],
      });
    }
  }

  /** Flushes every interval. The timer is unref'd so it never keeps a finished process alive. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.flush(), this.intervalMs);
    this.timer.unref();
  }

  /**
   * For shutdown: stops the timer and writes what is pending, so the last partial minute is not lost.
   * stdout to a pipe or file is written synchronously on Linux, so a process.exit() right after is safe.
   */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.flush();
  }

  /**
   * One EMF document. Dimension values and metric values are top-level members, as the spec requires.
   * Requests go out under three dimension sets, so alarms need no SEARCH (which alarms cannot use):
   * per endpoint and status, per status across endpoints (5xx alarms), and service-wide (the empty set).
   */
  private emit(timestamp: number, dimensions: Record<string, string>, sets: string[][], metrics: Record<string, [string, unknown]>): void {
    const service = this.serviceName === undefined ? {} : { Service: this.serviceName };
    const dimensionSets = this.serviceName === undefined ? sets : sets.map((set) => ['Service', ...set]);
    const doc: Document = {
      _aws: {
        Timestamp: timestamp,
        CloudWatchMetrics: [{
          Namespace: this.namespace,
          Dimensions: dimensionSets,
          Metrics: Object.entries(metrics).map(([name, [unit]]) => ({ Name: name, Unit: unit })),
        }],
      },
      ...service,
      ...dimensions,
    };
    for (const [name, [, value]] of Object.entries(metrics)) doc[name] = value;
    this.write(`${JSON.stringify(doc)}\n`);
  }
}

function seriesKey(endpoint: string, statusCode: string): string {
  return `${statusCode} ${endpoint}`;
}

/** CloudWatch dimension values: 1..1024 ASCII characters, no control characters, not blank. */
function dimensionValue(raw: string): string {
  const ascii = String(raw).replace(/[^\x20-\x7e]/g, '?').trim().slice(0, 1024);
  return ascii === '' ? 'unknown' : ascii;
}
