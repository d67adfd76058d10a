// The Lambdas' composition root, shared part: what every workflow function builds (the job repository,
// the provider model, clock and logger) from its own settings (lambda-config.ts). Each function's file
// in composition/lambda/ adds only what its step needs besides, so a function is deployed with, and
// requires, exactly its own variables (LAMBDA_ENV).
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Logger } from 'pino';
import type { WorkflowStepDeps } from '../application/workflow-steps.ts';
import { createDynamoDbClients, type AwsClientOptions } from '../adapters/aws/aws-clients.ts';
import { DynamoDbJobRepository } from '../adapters/aws/dynamodb-job-repository.ts';
import { loggedInvocations, type LambdaContext, type StepHandler } from '../adapters/lambda/invocation.ts';
import { createLogger } from '../adapters/observability/logger.ts';
import type { UsageLedger } from '../application/ports/usage-ledger.ts';
import { DynamoDbUsageLedger } from '../adapters/aws/dynamodb-usage-ledger.ts';
import { providerModel } from '../adapters/replicate/provider-model.ts';
import { systemClock } from '../adapters/system-clock.ts';
import type { ModelCatalogue } from '../domain/model-catalogue.ts';
import { catalogueFrom } from '../catalogue/catalogue-config.ts';
import type { Env } from '../config.ts';
import { lambdaLogLevel, ownEnv, type AnyLambdaFunction, type LambdaConfig } from '../lambda-config.ts';

/** The code a job fails with when the cause is not the model's (storage down after retries, a bug). */
export const WORKFLOW_FAILED = 'WORKFLOW_FAILED' as const;

/** Given clients (tests, one process running every step); otherwise built from the SDK's own chain (the function's role). */
export interface LambdaOverrides {
  clients?: { dynamo: DynamoDBDocumentClient; s3: S3Client };
  secrets?: SecretsManagerClient;
}

export function clientOptions(config: LambdaConfig): AwsClientOptions {
  // A step may wait on S3 longer than an API request would (a PutObject of a whole clip).
  return { region: config.region, forcePathStyle: config.forcePathStyle, requestTimeoutMs: 60_000 };
}

/** The function's DynamoDB client: the given one, or one built from its settings. */
export function dynamoOf(config: LambdaConfig, overrides: LambdaOverrides): DynamoDBDocumentClient {
  return overrides.clients?.dynamo ?? createDynamoDbClients(clientOptions(config)).dynamo;
}

/** The month's spend, for the steps that end a job (loadLambdaConfig requires their USAGE_TABLE). */
export function usageLedgerOf(config: LambdaConfig, dynamo: DynamoDBDocumentClient): UsageLedger {
  return new DynamoDbUsageLedger(dynamo, config.usageTable as string);
}

/** What every step is given. The provider token is read from Secrets Manager on first use. */
export function commonDeps(config: LambdaConfig, overrides: LambdaOverrides, dynamo = dynamoOf(config, overrides)): WorkflowStepDeps {
  const secrets = overrides.secrets ?? new SecretsManagerClient({ region: config.region });
  return {
    jobs: new DynamoDbJobRepository(dynamo, config.jobTable),
    model: providerModel({ secrets, secretArn: config.providerSecretArn, baseUrl: config.replicateBaseUrl }),
    clock: systemClock,
    logger: functionLogger(config.function, config.logLevel),
  };
}

/** The bundled models.json or the operator's (VIDEO_MODELS_JSON / _FILE, VIDEO_MODEL_*), from this function's own variables. */
export function catalogueOf(config: LambdaConfig, env: Env): ModelCatalogue {
  return catalogueFrom(ownEnv(config.function, env));
}

const loggers = new Map<string, Logger>();

/** The function's logger: the API's format (observability/logger.ts), one per function and level in a process. */
export function functionLogger(fn: AnyLambdaFunction, level: string): Logger {
  const key = `${fn} ${level}`;
  let logger = loggers.get(key);
  if (!logger) {
    logger = createLogger({ service: 'omnigen-workflow', level, base: { function: fn } });
    loggers.set(key, logger);
  }
  return logger;
}

/** A bundle's exported handler: the step's handler, one log line per invocation with the job's ids on every line. */
export function lambdaHandler(fn: AnyLambdaFunction, handler: StepHandler): (event: unknown, context?: LambdaContext) => Promise<unknown> {
  return loggedInvocations(() => functionLogger(fn, lambdaLogLevel(process.env)), handler);
}

/** A function's step, built from process.env on its first invocation and kept for the cold start (a bad environment fails that invocation, visibly). */
export function coldStart<T>(build: (env: Env) => T): () => T {
  let built: T | undefined;
  return () => (built ??= build(process.env));
}
