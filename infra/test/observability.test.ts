// Alarms, to one SNS topic — and the alarms on the service's own metrics name metrics that the real
// EmfMetrics emits (src/adapters/observability/emf-metrics.ts), dimension for dimension.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EmfMetrics } from '../../src/adapters/observability/emf-metrics.ts';
import { METRICS_NAMESPACE, METRICS_SERVICE, SERVER_ERROR_STATUSES } from '../lib/observability.ts';
import { props, resources, synth } from './helpers.ts';

const { template, stack } = synth();
type MetricStat = { Metric: { Namespace: string; MetricName: string; Dimensions?: { Name: string; Value: unknown }[] }; Stat: string };
interface Alarm { MetricName?: string; Namespace?: string; Dimensions?: { Name: string; Value: unknown }[]; ExtendedStatistic?: string; Statistic?: string; Metrics?: { Id: string; MetricStat?: MetricStat; Expression?: string }[]; AlarmActions: unknown[]; OKActions: unknown[] }
const alarms = resources(template, 'AWS::CloudWatch::Alarm').map(([, a]) => props(a) as unknown as Alarm);

/** Every metric an alarm watches: namespace, name and dimensions (as a name→value map). */
function watched(alarm: Alarm) {
  const plain = alarm.MetricName ? [{ Namespace: alarm.Namespace as string, MetricName: alarm.MetricName, Dimensions: alarm.Dimensions ?? [] }] : [];
  const math = (alarm.Metrics ?? []).flatMap((m) => (m.MetricStat ? [{ ...m.MetricStat.Metric, Dimensions: m.MetricStat.Metric.Dimensions ?? [] }] : []));
  return [...plain, ...math].map((m) => ({ namespace: m.Namespace, name: m.MetricName, dimensions: Object.fromEntries(m.Dimensions.map((d) => [d.Name, d.Value])) }));
}
const all = alarms.flatMap(watched);
const has = (namespace: string, name: string) => all.some((m) => m.namespace === namespace && m.name === name);

describe('alarms', () => {
  test('on the service metrics: 5xx rate, p99 RequestDuration, error types', () => {
    const rate = alarms.find((a) => a.Metrics?.some((m) => m.Expression?.includes('/ total')));
    assert.ok(rate, 'a 5xx-rate alarm (math over RequestCount by StatusCode)');
    const statuses = (rate.Metrics ?? []).filter((m) => m.MetricStat).map((m) => m.MetricStat!.Metric.Dimensions!.find((d) => d.Name === 'StatusCode')?.Value ?? 'total');
    assert.deepEqual(statuses.sort(), [...SERVER_ERROR_STATUSES, 'total'].sort());
    assert.ok(alarms.some((a) => a.MetricName === 'RequestDuration' && a.ExtendedStatistic === 'p99'));
    const errorTypes = all.filter((m) => m.name === 'ErrorCount').map((m) => m.dimensions.ErrorType);
    assert.deepEqual(errorTypes.sort(), ['INTERNAL_ERROR', 'SERVICE_UNAVAILABLE']);
  });

  test('on the ALB (5xx, unhealthy hosts, target response time) and the ECS service (CPU, memory, running tasks)', () => {
    for (const name of ['HTTPCode_ELB_5XX_Count', 'UnHealthyHostCount', 'TargetResponseTime']) assert.ok(has('AWS/ApplicationELB', name), name);
    for (const name of ['CPUUtilization', 'MemoryUtilization']) assert.ok(has('AWS/ECS', name), name);
    const running = alarms.find((a) => a.MetricName === 'RunningTaskCount');
    assert.ok(running);
    assert.equal((running as unknown as Record<string, unknown>).ComparisonOperator, 'LessThanThreshold');
    assert.equal((running as unknown as Record<string, unknown>).Threshold, 2);
  });

  test('every alarm notifies the one encrypted, TLS-only SNS topic, on alarm and on recovery', () => {
    const topic = { Ref: stack.getLogicalId(stack.observability.topic.node.defaultChild as never) };
    assert.ok(alarms.length >= 10);
    for (const alarm of alarms) {
      assert.deepEqual(alarm.AlarmActions, [topic]);
      assert.deepEqual(alarm.OKActions, [topic]);
    }
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [stack.getLogicalId(stack.observability.topic.masterKey!.node.defaultChild as never), 'Arn'] } });
  });

  test('each OmniGen metric an alarm names is one the service really emits, with exactly those dimensions', () => {
    const lines: string[] = [];
    const metrics = new EmfMetrics({ serviceName: METRICS_SERVICE, write: (line) => lines.push(line), now: () => 0 });
    metrics.recordRequest('/api/v1/jobs', 200, 12);
    for (const status of SERVER_ERROR_STATUSES) metrics.recordRequest('/api/v1/jobs', Number(status), 30);
    for (const type of ['INTERNAL_ERROR', 'SERVICE_UNAVAILABLE']) metrics.recordError(type);
    metrics.flush();
    // What CloudWatch makes of each document: one metric per (name, dimension set) with the document's values.
    const emitted = lines.map((l) => JSON.parse(l) as Record<string, unknown> & { _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[] } })
      .flatMap((doc) => doc._aws.CloudWatchMetrics.flatMap((d) => d.Dimensions.flatMap((set) => d.Metrics.map((m) => ({
        namespace: d.Namespace, name: m.Name, dimensions: Object.fromEntries(set.map((k) => [k, doc[k]])),
      })))));
    const ours = all.filter((m) => m.namespace === METRICS_NAMESPACE);
    assert.ok(ours.length >= 5);
    const canon = (d: Record<string, unknown>) => JSON.stringify(Object.entries(d).sort(([a], [b]) => a.localeCompare(b)));
    for (const m of ours) assert.ok(emitted.some((e) => e.name === m.name && canon(e.dimensions) === canon(m.dimensions)), `${m.name} ${canon(m.dimensions)} is emitted`);
  });
});
