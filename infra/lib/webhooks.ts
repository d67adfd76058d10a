// Webhook delivery in AWS: the API tasks' dispatcher hands each due delivery to an SQS queue as a
// ticket; the delivery Lambda (src/composition/lambda/deliver-webhooks.ts, bundled by the root's
// `npm run build:lambda`) reads it through an event source mapping that honours its partial batch
// answers. A message the function failed on maxReceiveCount times moves to the dead-letter queue, on
// which Observability alarms. The function's role holds what its adapters send
// (src/adapters/aws/iam-actions.ts DELIVERY_ADAPTERS) and what the event source mapping does with it.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DELIVERY_ADAPTERS, EVENT_SOURCE_ACTIONS, taskRoleStatements, type ResourceArns } from '../../src/adapters/aws/iam-actions.ts';
import { DELIVERY_FUNCTION } from '../../src/lambda-config.ts';
import { NagSuppressions, NODE_24_RUNTIME } from './nag.ts';

/** One attempt is at most 15 s (the transport's timeout) plus a few DynamoDB calls; a batch runs its attempts at once. */
export const DELIVERY_TIMEOUT = Duration.seconds(60);
export const DELIVERY_MEMORY_MB = 256;
export const DELIVERY_BATCH_SIZE = 10;
/** Receives before a message moves to the dead-letter queue. */
export const MAX_RECEIVE_COUNT = 5;
/** Lambda's advice: at least six times the function's timeout (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html). */
export const QUEUE_VISIBILITY = Duration.seconds(DELIVERY_TIMEOUT.toSeconds() * 6);

export interface WebhooksProps {
  /** Every resource ARN of the stack (the role's statements name only the ones the function uses). */
  resources: Omit<ResourceArns, 'deliveryQueue'>;
  usageTableName: string;
  bucketName: string;
  bundleDir: string;
  logRetention: logs.RetentionDays;
}

export class Webhooks extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly function: lambda.Function;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: WebhooksProps) {
    super(scope, id);
    const bundle = join(props.bundleDir, `${DELIVERY_FUNCTION}.mjs`);
    if (!existsSync(bundle)) throw new Error(`${bundle} is missing: run \`npm run build:lambda\` in the repository root (infra's \`npm run synth\` does it for you)`);
    // SQS-managed encryption: no key policy to keep, and the function needs no kms:Decrypt.
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14),
    });
    this.queue = new sqs.Queue(this, 'Deliveries', {
      encryption: sqs.QueueEncryption.SQS_MANAGED, enforceSSL: true, visibilityTimeout: QUEUE_VISIBILITY, retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: MAX_RECEIVE_COUNT },
    });

    const logGroup = new logs.LogGroup(this, 'DeliveryLogs', { retention: props.logRetention, removalPolicy: RemovalPolicy.DESTROY });
    this.role = new iam.Role(this, 'DeliveryRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), description: 'Webhook delivery function' });
    this.role.addToPolicy(new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }));
    for (const s of taskRoleStatements({ ...props.resources, deliveryQueue: this.queue.queueArn }, DELIVERY_ADAPTERS)) {
      this.role.addToPolicy(new iam.PolicyStatement({ sid: s.Sid, actions: s.Action, resources: [s.Resource] }));
    }
    this.role.addToPolicy(new iam.PolicyStatement({ sid: 'EventSourceMapping', actions: [...EVENT_SOURCE_ACTIONS], resources: [this.queue.queueArn] }));

    this.function = new lambda.Function(this, 'Delivery', {
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      handler: `${DELIVERY_FUNCTION}.handler`,
      code: lambda.Code.fromAsset(props.bundleDir, { exclude: ['*', `!${DELIVERY_FUNCTION}.mjs`, `!${DELIVERY_FUNCTION}.mjs.map`] }),
      timeout: DELIVERY_TIMEOUT,
      memorySize: DELIVERY_MEMORY_MB,
      role: this.role,
      logGroup,
      environment: { NODE_OPTIONS: '--enable-source-maps', USAGE_TABLE: props.usageTableName, ASSETS_BUCKET: props.bucketName },
      tracing: lambda.Tracing.ACTIVE,
      description: `OmniGen webhook delivery (${Stack.of(this).stackName})`,
    });
    // Not SqsEventSource: it would also grant sqs:ChangeMessageVisibility and sqs:GetQueueUrl, which nothing uses.
    new lambda.EventSourceMapping(this, 'FromQueue', {
      target: this.function, eventSourceArn: this.queue.queueArn, batchSize: DELIVERY_BATCH_SIZE, reportBatchItemFailures: true,
    });

    NagSuppressions.addResourceSuppressions(this.role, [
      { id: 'AwsSolutions-IAM5', reason: 'Log stream names are chosen by Lambda at run time; X-Ray PutTraceSegments supports no resource-level permission; video objects only under videos/ (job ids unknown in advance).', appliesTo: [{ regex: '/^Resource::(\\*|.*:\\*|.*\\/videos\\/\\*)$/g' }] },
    ], true);
    NagSuppressions.addResourceSuppressions(this.function, [
      { id: 'AwsSolutions-IAM5', reason: 'X-Ray PutTraceSegments and PutTelemetryRecords support no resource-level permissions.', appliesTo: ['Resource::*'] },
      NODE_24_RUNTIME,
    ], true);
  }
}
