// The delivery Lambda (not a workflow step): its bundle entry and what it is built on. Read by the SQS
// event source mapping of the webhook delivery queue; each ticket becomes one attempt through the same
// code local mode runs (SendWebhook: the pinned, SSRF-safe transport and the Standard Webhooks signer),
// against the delivery log and endpoints in the usage table. Metrics go out as EMF on stdout, which
// Lambda ships to CloudWatch Logs like the API's: WebhookDeliveries, WebhookFailures, WebhookLatency.
import { randomInt } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import { SendWebhook } from '../../application/send-webhook.ts';
import { createDynamoDbClients, createS3Client } from '../../adapters/aws/aws-clients.ts';
import { DynamoDbWebhookDeliveries } from '../../adapters/aws/dynamodb-webhook-deliveries.ts';
import { DynamoDbWebhookEndpoints } from '../../adapters/aws/dynamodb-webhook-endpoints.ts';
import { S3VideoStorage } from '../../adapters/aws/s3-video-storage.ts';
import { createHandler, type DeliveryFunction } from '../../adapters/lambda/deliver-webhooks.ts';
import { EmfMetrics } from '../../adapters/observability/emf-metrics.ts';
import { PinnedWebhookTransport } from '../../adapters/outbound-http/pinned-webhook-transport.ts';
import { StandardWebhooksSigner } from '../../adapters/standard-webhooks/standard-webhooks-signer.ts';
import { systemClock } from '../../adapters/system-clock.ts';
import type { Env } from '../../config.ts';
import { isSuccess } from '../../domain/webhook-delivery.ts';
import { DELIVERY_FUNCTION, loadDeliveryConfig } from '../../lambda-config.ts';
import { coldStart, functionLogger, lambdaHandler } from '../lambda-steps.ts';

/** The `Service` dimension of the function's metrics (the API's are omnigen-api). */
export const DELIVERY_METRICS_SERVICE = 'omnigen-webhooks';

export interface DeliveryOverrides {
  clients?: { dynamo: DynamoDBDocumentClient; s3: S3Client };
  /** Where EMF lines go; stdout by default. */
  metricsWrite?: (line: string) => void;
  /** CA certificates the transport trusts besides the system's (tests' self-signed receivers). */
  ca?: string;
}

export function buildDeliverWebhooks(env: Env, overrides: DeliveryOverrides = {}): DeliveryFunction {
  const config = loadDeliveryConfig(env);
  const options = { region: config.region, forcePathStyle: config.forcePathStyle };
  const dynamo = overrides.clients?.dynamo ?? createDynamoDbClients(options).dynamo;
  const s3 = overrides.clients?.s3 ?? createS3Client(options);
  const logger = functionLogger(DELIVERY_FUNCTION, config.logLevel);
  const metrics = new EmfMetrics({ serviceName: DELIVERY_METRICS_SERVICE, write: overrides.metricsWrite });
  const send = new SendWebhook({
    endpoints: new DynamoDbWebhookEndpoints(dynamo, config.usageTable),
    deliveries: new DynamoDbWebhookDeliveries(dynamo, config.usageTable),
    transport: new PinnedWebhookTransport({ ...config.webhooks, ...(overrides.ca ? { ca: overrides.ca } : {}) }),
    signer: new StandardWebhooksSigner(),
    storage: new S3VideoStorage(s3, config.assetsBucket),
    clock: systemClock,
    logger,
    random: () => randomInt(1_000_000) / 1_000_000,
    videoUrlTtlSeconds: config.videoUrlTtlSeconds,
    onAttempt: (result) => metrics.recordWebhookAttempt(isSuccess(result.statusCode), result.latencyMs),
  });
  return { send, logger, flushMetrics: () => metrics.flush() };
}

export const handler = lambdaHandler(DELIVERY_FUNCTION, createHandler(coldStart(buildDeliverWebhooks)));
