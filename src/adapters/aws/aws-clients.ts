// Builds the SDK clients the AWS adapters are given. Endpoints are left to the SDK unless given, so its
// own AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_DYNAMODB / _S3 / _SFN variables keep pointing it at stand-ins.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';

export interface AwsClientOptions {
  region: string;
  /** Path-style S3 URLs (http://host/bucket/key), as S3-compatible stand-ins need. */
  forcePathStyle?: boolean;
  /** Time allowed to open a connection. */
  connectionTimeoutMs?: number;
  /** Time allowed for one whole request and response; past it the attempt fails with TimeoutError. */
  requestTimeoutMs?: number;
  /** Attempts per call, the first included (the SDK retries throttling and 5xx with backoff). */
  maxAttempts?: number;
  /** Overrides the endpoint of every client (tests); otherwise the SDK's own resolution applies. */
  endpoints?: { dynamodb?: string; s3?: string; sfn?: string; sqs?: string };
  /** Fixed credentials (tests, stand-ins); otherwise the SDK's default provider chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

export interface AwsClients {
  /** The plain client, for table management; the adapters take `dynamo`. */
  dynamodb: DynamoDBClient;
  dynamo: DynamoDBDocumentClient;
  s3: S3Client;
  sfn: SFNClient;
  /** Closes the clients' sockets (graceful shutdown, tests). */
  destroy(): void;
}

export const DEFAULT_CONNECTION_TIMEOUT_MS = 1_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 3_000;
export const DEFAULT_MAX_ATTEMPTS = 3;

function common(options: AwsClientOptions, endpoint: string | undefined) {
  return {
    region: options.region,
    maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: options.connectionTimeoutMs ?? DEFAULT_CONNECTION_TIMEOUT_MS,
      requestTimeout: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
      // Without this a request past requestTimeout only logs a warning and keeps waiting.
      throwOnRequestTimeout: true,
    }),
    // Keys are only set when given: an explicit undefined could shadow the SDK's env and profile lookup.
    ...(endpoint === undefined ? {} : { endpoint }),
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
  };
}

/** DynamoDB alone (the plain client and the document client the adapters take), for a process that needs no other service. */
export function createDynamoDbClients(options: AwsClientOptions): Pick<AwsClients, 'dynamodb' | 'dynamo'> {
  const dynamodb = new DynamoDBClient(common(options, options.endpoints?.dynamodb));
  // Optional job fields are absent rather than undefined in items; this keeps a stray undefined from failing a write.
  const dynamo = DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } });
  return { dynamodb, dynamo };
}

export function createS3Client(options: AwsClientOptions): S3Client {
  return new S3Client({ ...common(options, options.endpoints?.s3), forcePathStyle: options.forcePathStyle ?? false });
}

/**
 * SQS. `useQueueUrlAsEndpoint: false`: otherwise the SDK sends each call to its QueueUrl's host and
 * ignores AWS_ENDPOINT_URL_SQS (the stand-ins); in AWS the regional endpoint is that host anyway.
 */
export function createSqsClient(options: AwsClientOptions): SQSClient {
  return new SQSClient({ ...common(options, options.endpoints?.sqs), useQueueUrlAsEndpoint: false });
}

export function createAwsClients(options: AwsClientOptions): AwsClients {
  const { dynamodb, dynamo } = createDynamoDbClients(options);
  const s3 = createS3Client(options);
  const sfn = new SFNClient(common(options, options.endpoints?.sfn));
  return {
    dynamodb,
    dynamo,
    s3,
    sfn,
    destroy() {
      dynamodb.destroy();
      s3.destroy();
      sfn.destroy();
    },
  };
}
