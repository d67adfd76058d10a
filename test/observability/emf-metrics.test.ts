import t, { type Test } from 'tap';
import { EmfMetrics, OVERFLOW, type EmfMetricsOptions } from '../../src/adapters/observability/emf-metrics.ts';
import { validateEmf } from './fixtures/emf-validator.ts';

type Doc = Record<string, unknown> & { _aws: { Timestamp: number; CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] } };
interface Histogram { Values: number[]; Counts: number[]; Count: number; Sum: number; Min: number; Max: number }

const NOW = Date.UTC(2026, 10, 27, 10, 30);

/** A metrics object whose output is captured, each line checked against the EMF spec as it is written. */
function capture(t: Test, options: EmfMetricsOptions = {}) {
  const lines: string[] = [];
  const metrics = new EmfMetrics({ now: () => NOW, ...options, write: (line) => lines.push(line) });
  const docs = (): Doc[] => lines.splice(0).map((line) => {
    t.ok(line.endsWith('\n') && !line.slice(0, -1).includes('\n'), 'one document per line');
    t.same(validateEmf(line.trimEnd()), [], 'valid EMF');
    t.ok(Buffer.byteLength(line) < 16 * 1024, "under 16 KiB, where Docker's log driver would split the line");
    return JSON.parse(line) as Doc;
  });
  return { metrics, docs };
}

const withMetric = (docs: Doc[], name: string) => docs.filter((d) => name in d);
const find = (docs: Doc[], fields: Record<string, string>) => docs.find((d) => Object.entries(fields).every(([k, v]) => d[k] === v));

t.test('a mix of requests, errors and jobs flushes as aggregated, valid EMF', async (t) => {
  const { metrics, docs } = capture(t);
  metrics.recordRequest('/api/v1/jobs', 202, 12.5);
  metrics.recordRequest('/api/v1/jobs', 202, 30);
  metrics.recordRequest('/api/v1/jobs', 202, 7.25);
  metrics.recordRequest('/api/v1/jobs', 429, 1);
  metrics.recordRequest('/api/v1/jobs/:id', 200, 4);
  metrics.recordError('RATE_LIMITED');
  metrics.recordError('INTERNAL_ERROR');
  metrics.recordError('INTERNAL_ERROR');
  metrics.setActiveJobs(3);
  metrics.setActiveJobs(5);
  metrics.flush();
  const out = docs();

  t.equal(out.length, 3 + 2 + 1, 'one line per (Endpoint, StatusCode), per ErrorType, and one for ActiveJobs');
  for (const d of out) {
    t.equal(d._aws.Timestamp, NOW);
    t.equal(d._aws.CloudWatchMetrics[0]?.Namespace, 'OmniGen');
  }

  const created = find(out, { Endpoint: '/api/v1/jobs', StatusCode: '202' });
  t.ok(created, 'a line for POST /jobs 202');
  t.equal(created?.RequestCount, 3);
  const duration = created?.RequestDuration as Histogram;
  t.equal(duration.Count, 3);
  t.equal(duration.Sum, 49.75);
  t.equal(duration.Min, 7.25);
  t.equal(duration.Max, 30);
  t.same(created?._aws.CloudWatchMetrics[0]?.Metrics, [{ Name: 'RequestCount', Unit: 'Count' }, { Name: 'RequestDuration', Unit: 'Milliseconds' }]);
  t.same(created?._aws.CloudWatchMetrics[0]?.Dimensions, [['Endpoint', 'StatusCode'], ['StatusCode'], []], 'per endpoint, per status, and service-wide');

  t.equal(find(out, { Endpoint: '/api/v1/jobs', StatusCode: '429' })?.RequestCount, 1);
  t.equal((find(out, { Endpoint: '/api/v1/jobs/:id', StatusCode: '200' })?.RequestDuration as Histogram).Sum, 4);
  const total = withMetric(out, 'RequestCount').reduce((n, d) => n + (d.RequestCount as number), 0);
  t.equal(total, 5, 'every request counted once');

  t.equal(find(out, { ErrorType: 'INTERNAL_ERROR' })?.ErrorCount, 2);
  t.equal(find(out, { ErrorType: 'RATE_LIMITED' })?.ErrorCount, 1);
  const jobs = withMetric(out, 'ActiveJobs');
  t.equal(jobs.length, 1);
  t.equal(jobs[0]?.ActiveJobs, 5, 'the gauge reports its latest value');
});

t.test('nothing recorded, nothing written; a flush starts a fresh interval', async (t) => {
  const { metrics, docs } = capture(t);
  metrics.flush();
  t.same(docs(), []);
  metrics.recordRequest('/api/v1/health', 200, 1);
  metrics.flush();
  t.equal(docs().length, 1);
  metrics.flush();
  t.same(docs(), [], 'counts are not reported twice');
});

t.test('the ActiveJobs gauge is reported every interval once set', async (t) => {
  const { metrics, docs } = capture(t);
  metrics.setActiveJobs(2);
  metrics.flush();
  metrics.flush();
  t.same(docs().map((d) => d.ActiveJobs), [2, 2]);
  metrics.setActiveJobs(Number.NaN);
  metrics.flush();
  t.same(docs().map((d) => d.ActiveJobs), [2], 'a nonsense value is ignored');
});

t.test('stop() writes what is pending', async (t) => {
  const { metrics, docs } = capture(t);
  metrics.start();
  metrics.recordRequest('/api/v1/jobs', 500, 80);
  metrics.recordError('INTERNAL_ERROR');
  metrics.stop();
  const out = docs();
  t.equal(find(out, { Endpoint: '/api/v1/jobs', StatusCode: '500' })?.RequestCount, 1);
  t.equal(find(out, { ErrorType: 'INTERNAL_ERROR' })?.ErrorCount, 1);
  metrics.stop();
  t.same(docs(), [], 'a second stop() has nothing left to write');
});

t.test('start() flushes on its interval', async (t) => {
  const lines: string[] = [];
  // The metrics timer is unref'd (it must not hold a stopping process open), so the test holds the loop.
  const keepAlive = setTimeout(() => {}, 10_000);
  const flushed = new Promise<void>((resolve) => {
    const metrics = new EmfMetrics({ intervalMs: 5, write: (line) => { lines.push(line); metrics.stop(); resolve(); } });
    metrics.recordRequest('/api/v1/usage', 200, 2);
    metrics.start();
    metrics.start(); // idempotent: a second timer would double-flush
  });
  await flushed;
  clearTimeout(keepAlive);
  t.equal(lines.length, 1);
  t.same(validateEmf(lines[0]?.trimEnd() ?? ''), []);
});

t.test('distinct endpoint/status pairs are capped; the excess goes to Endpoint "other"', async (t) => {
  const { metrics, docs } = capture(t, { maxRequestSeries: 3 });
  for (let i = 0; i < 10; i++) metrics.recordRequest(`/api/v1/jobs/${i}`, 404, i);
  metrics.recordRequest('/api/v1/jobs/0', 404, 1); // an already-held pair keeps its own line
  metrics.flush();
  const out = docs();
  t.equal(out.length, 4);
  t.equal(find(out, { Endpoint: '/api/v1/jobs/0' })?.RequestCount, 2);
  const other = find(out, { Endpoint: OVERFLOW, StatusCode: '404' });
  t.equal(other?.RequestCount, 7);
  t.equal((other?.RequestDuration as Histogram).Sum, 3 + 4 + 5 + 6 + 7 + 8 + 9);
});

t.test('error types are capped too', async (t) => {
  const { metrics, docs } = capture(t, { maxErrorTypes: 2 });
  for (const type of ['A', 'B', 'C', 'D', 'A']) metrics.recordError(type);
  metrics.flush();
  const out = docs();
  t.same(out.map((d) => [d.ErrorType, d.ErrorCount]), [['A', 2], ['B', 1], [OVERFLOW, 2]]);
});

t.test('a busy series keeps at most 100 histogram values, with exact totals and usable percentiles', async (t) => {
  const { metrics, docs } = capture(t);
  let sum = 0;
  for (let i = 1; i <= 10_000; i++) {
    const ms = i / 10;
    sum += ms;
    metrics.recordRequest('/api/v1/jobs', 200, ms);
  }
  metrics.recordRequest('/api/v1/jobs', 200, 0);
  metrics.flush();
  const [doc] = docs();
  const h = doc?.RequestDuration as Histogram;
  t.ok(h.Values.length <= 100, `${h.Values.length} values`);
  t.equal(h.Count, 10_001);
  t.equal(doc?.RequestCount, 10_001);
  t.ok(Math.abs(h.Sum - sum) < 0.01, 'sum is exact');
  t.equal(h.Min, 0);
  t.equal(h.Max, 1000);
  // p50 from Values/Counts, the way CloudWatch would compute it, lands near the true median (500 ms).
  let seen = 0;
  const p50 = h.Values.find((_, i) => (seen += h.Counts[i] ?? 0) >= h.Count / 2) ?? NaN;
  t.ok(Math.abs(p50 - 500) / 500 < 0.05, `p50 ${p50} within 5 % of 500`);
});

t.test('serviceName adds a Service dimension to every metric', async (t) => {
  const { metrics, docs } = capture(t, { serviceName: 'omnigen-api', namespace: 'OmniGenStaging' });
  metrics.recordRequest('/api/v1/health', 200, 1);
  metrics.recordError('SERVICE_UNAVAILABLE');
  metrics.setActiveJobs(0);
  metrics.flush();
  const out = docs();
  t.equal(out.length, 3);
  for (const d of out) {
    t.equal(d.Service, 'omnigen-api');
    t.equal(d._aws.CloudWatchMetrics[0]?.Namespace, 'OmniGenStaging');
    for (const set of d._aws.CloudWatchMetrics[0]?.Dimensions ?? []) t.equal(set[0], 'Service');
  }
});

t.test('dimension values are made valid for CloudWatch', async (t) => {
  const { metrics, docs } = capture(t);
  metrics.recordRequest('  ', 200, 1);
  metrics.recordRequest('/api/v1/jobs/\u00e9t\u00e9', 200.7, -5);
  metrics.recordRequest('x'.repeat(2000), 200, Number.NaN);
  metrics.flush();
  const out = docs();
  t.ok(find(out, { Endpoint: 'unknown' }), 'a blank endpoint becomes "unknown"');
  const accented = find(out, { Endpoint: '/api/v1/jobs/?t?' });
  t.equal(accented?.StatusCode, '200');
  t.equal((accented?.RequestDuration as Histogram).Min, 0, 'a negative duration counts as 0');
  t.ok(out.some((d) => typeof d.Endpoint === 'string' && d.Endpoint.length === 1024), 'long values are cut to 1024');
});

t.test('the validator rejects what the spec forbids (so the checks above can fail)', async (t) => {
  const good = { _aws: { Timestamp: NOW, CloudWatchMetrics: [{ Namespace: 'N', Dimensions: [['D']], Metrics: [{ Name: 'M', Unit: 'Count' }] }] }, D: 'd', M: 1 };
  t.same(validateEmf(JSON.stringify(good)), []);
  const broken = (patch: (d: typeof good & Record<string, unknown>) => void) => {
    const copy = structuredClone(good) as typeof good & Record<string, unknown>;
    patch(copy);
    return validateEmf(JSON.stringify(copy));
  };
  t.not(validateEmf('not json').length, 0);
  t.not(broken((d) => { delete (d as Record<string, unknown>).D; }).length, 0, 'dimension without a root member');
  t.not(broken((d) => { d.D = 7 as unknown as string; }).length, 0, 'dimension value that is not a string');
  t.not(broken((d) => { delete (d as Record<string, unknown>).M; }).length, 0, 'metric without a root member');
  t.not(broken((d) => { d.M = Array.from({ length: 101 }, () => 1) as unknown as number; }).length, 0, 'more than 100 values');
  t.not(broken((d) => { d.M = { Values: [1], Counts: [1, 2], Count: 3, Sum: 1, Min: 1, Max: 1 } as unknown as number; }).length, 0, 'histogram with mismatched arrays');
  t.not(broken((d) => { d._aws.CloudWatchMetrics[0]!.Dimensions = [Array.from({ length: 31 }, () => 'D')]; }).length, 0, 'more than 30 dimensions');
  t.not(broken((d) => { d._aws.CloudWatchMetrics[0]!.Metrics = Array.from({ length: 101 }, () => ({ Name: 'M', Unit: 'Count' })); }).length, 0, 'more than 100 metrics');
  t.not(broken((d) => { d._aws.CloudWatchMetrics[0]!.Metrics[0]!.Unit = 'Requests'; }).length, 0, 'unknown unit');
  t.not(broken((d) => { d._aws.Timestamp = '2026' as unknown as number; }).length, 0, 'timestamp not in ms');
});

t.test('by default each document goes to stdout, where the awslogs driver picks it up', async (t) => {
  const writes = t.capture(process.stdout, 'write', () => true);
  const metrics = new EmfMetrics();
  metrics.recordError('INTERNAL_ERROR');
  metrics.flush();
  const lines = writes().map((call) => String(call.args[0]));
  t.equal(lines.length, 1);
  t.same(validateEmf(lines[0]?.trimEnd() ?? ''), []);
  t.equal((JSON.parse(lines[0] ?? '{}') as { _aws: { CloudWatchMetrics: { Namespace: string }[] } })._aws.CloudWatchMetrics[0]?.Namespace, 'OmniGen');
});

t.test('webhook attempts: WebhookDeliveries, WebhookFailures and WebhookLatency in one service-wide document per interval', async (t) => {
  const { metrics, docs } = capture(t, { serviceName: 'omnigen-api' });
  metrics.recordWebhookAttempt(true, 40);
  metrics.recordWebhookAttempt(false, 15_000);
  metrics.recordWebhookAttempt(true, 60);
  metrics.flush();
  const [doc] = withMetric(docs(), 'WebhookDeliveries');
  t.match(doc, { Service: 'omnigen-api', WebhookDeliveries: 3, WebhookFailures: 1, WebhookLatency: { Count: 3, Min: 40, Max: 15_000 } });
  t.same(doc?._aws.CloudWatchMetrics[0]?.Dimensions, [['Service']]);
  t.same(doc?._aws.CloudWatchMetrics[0]?.Metrics.map((m) => m.Unit), ['Count', 'Count', 'Milliseconds']);
  metrics.flush();
  t.same(withMetric(docs(), 'WebhookDeliveries'), [], 'nothing sent, nothing reported');
});
