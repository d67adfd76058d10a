// Alarms to one SNS topic: on the service's own EMF metrics (namespace OmniGen, every dimension set
// led by Service; src/adapters/observability/emf-metrics.ts), on the ALB and on the ECS service.
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export const METRICS_NAMESPACE = 'OmniGen';
/** The `serviceName` src/composition/api.ts gives EmfMetrics. */
export const METRICS_SERVICE = 'omnigen-api';
/** The statuses the API itself answers with when it fails (INTERNAL_ERROR, SERVICE_UNAVAILABLE). */
export const SERVER_ERROR_STATUSES = ['500', '503'];

export interface ObservabilityProps {
  service: ecs.FargateService;
  loadBalancer: elbv2.ApplicationLoadBalancer;
  targetGroup: elbv2.ApplicationTargetGroup;
  minTasks: number;
  /** Webhook tickets the delivery Lambda failed on maxReceiveCount times. */
  webhookDeadLetters: sqs.IQueue;
}

export class Observability extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    const key = new kms.Key(this, 'TopicKey', { enableKeyRotation: true, description: 'OmniGen alarm topic' });
    // CloudWatch alarms publish to an encrypted topic only if the key lets them.
    key.addToResourcePolicy(new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
    }));
    this.topic = new sns.Topic(this, 'Alarms', { displayName: 'OmniGen API alarms', masterKey: key, enforceSSL: true });

    const app = (metricName: string, statistic: string, dimensions: Record<string, string> = {}) =>
      new cloudwatch.Metric({ namespace: METRICS_NAMESPACE, metricName, statistic, period: Duration.minutes(5), dimensionsMap: { Service: METRICS_SERVICE, ...dimensions } });
    const serverErrors = Object.fromEntries(SERVER_ERROR_STATUSES.map((code) => [`s${code}`, app('RequestCount', 'Sum', { StatusCode: code })]));
    this.alarm('ServerErrorRate', new cloudwatch.MathExpression({
      expression: `100 * (${Object.keys(serverErrors).map((k) => `FILL(${k}, 0)`).join(' + ')}) / total`,
      usingMetrics: { ...serverErrors, total: app('RequestCount', 'Sum') },
      label: '5xx answered by the API (%)',
      period: Duration.minutes(5),
    }), { threshold: 2, evaluationPeriods: 3, description: 'More than 2 % of requests answered 500/503 for 15 minutes: users are seeing failures' });
    this.alarm('LatencyP99', app('RequestDuration', 'p99'), { threshold: 1000, evaluationPeriods: 3, description: 'p99 request duration above 1 s for 15 minutes' });
    this.alarm('InternalErrors', app('ErrorCount', 'Sum', { ErrorType: 'INTERNAL_ERROR' }), { threshold: 5, evaluationPeriods: 1, description: 'Unexpected errors (bugs): the stack is logged under the requestId' });
    this.alarm('DependencyTrouble', app('ErrorCount', 'Sum', { ErrorType: 'SERVICE_UNAVAILABLE' }), { threshold: 10, evaluationPeriods: 1, description: 'DynamoDB/S3/Step Functions failing or throttling, or load shedding' });

    const alb = props.loadBalancer.metrics;
    this.alarm('AlbServerErrors', alb.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, { statistic: 'Sum', period: Duration.minutes(5) }), { threshold: 10, evaluationPeriods: 2, description: '502/503/504 from the ALB itself (no healthy target, timeouts): they never reach the app metrics' });
    this.alarm('UnhealthyTargets', props.targetGroup.metrics.unhealthyHostCount({ statistic: 'Maximum', period: Duration.minutes(1) }), { threshold: 1, evaluationPeriods: 5, description: 'Tasks failing /api/v1/health for 5 minutes' });
    this.alarm('TargetResponseTime', props.targetGroup.metrics.targetResponseTime({ statistic: 'p99', period: Duration.minutes(5) }), { threshold: 2, evaluationPeriods: 3, description: 'ALB-measured p99 response time above 2 s' });

    // Any message at all: a delivery the Lambda could not process (a bug, DynamoDB failing for its every
    // retry). The delivery is handed out again when its lease runs out; the message shows what failed.
    this.alarm('WebhookDeadLetters', props.webhookDeadLetters.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: Duration.minutes(1) }), {
      threshold: 1, evaluationPeriods: 1, description: 'Webhook delivery messages in the dead-letter queue: the delivery Lambda failed on them (see its logs)',
    });

    const svc = props.service;
    this.alarm('Cpu', svc.metricCpuUtilization({ period: Duration.minutes(5) }), { threshold: 80, evaluationPeriods: 2, description: 'CPU above 80 % for 10 minutes: autoscaling is at its maximum or too slow' });
    this.alarm('Memory', svc.metricMemoryUtilization({ period: Duration.minutes(5) }), { threshold: 80, evaluationPeriods: 2, description: 'Memory above 80 % for 10 minutes' });
    const running = new cloudwatch.Metric({
      namespace: 'ECS/ContainerInsights',
      metricName: 'RunningTaskCount',
      dimensionsMap: { ClusterName: svc.cluster.clusterName, ServiceName: svc.serviceName },
      statistic: 'Minimum',
      period: Duration.minutes(1),
    });
    this.alarm('RunningTasks', running, {
      threshold: props.minTasks, evaluationPeriods: 5, comparison: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      missing: cloudwatch.TreatMissingData.BREACHING, description: 'Fewer tasks running than the minimum for 5 minutes',
    });
  }

  private alarm(id: string, metric: cloudwatch.IMetric, o: { threshold: number; evaluationPeriods: number; description: string; comparison?: cloudwatch.ComparisonOperator; missing?: cloudwatch.TreatMissingData }): void {
    const alarm = new cloudwatch.Alarm(this, id, {
      metric,
      threshold: o.threshold,
      evaluationPeriods: o.evaluationPeriods,
      comparisonOperator: o.comparison ?? cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: o.missing ?? cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: o.description,
    });
    alarm.addAlarmAction(new actions.SnsAction(this.topic));
    alarm.addOkAction(new actions.SnsAction(this.topic));
    this.alarms.push(alarm);
  }
}
