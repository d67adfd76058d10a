// The whole stack from the synthesised template, on this machine (`npm run stack:local`, test/stack/).
// Every name, key schema, index, variable, secret reference, memory size, timeout and the state machine
// come from the template; what is added is only what points the code at the stand-ins instead of AWS
// (AWS_ENDPOINT_URL_*, REPLICATE_BASE_URL, the Cognito URLs, each role's access key; for a test's local
// webhook receiver, its CA and WEBHOOK_ALLOW_LOOPBACK). See docs/aws-local.md.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { S3Client } from '@aws-sdk/client-s3';
import { FakeReplicate } from '../../test/fakes/fake-replicate.ts';
import { FakeSecretsManager } from '../../test/fakes/fake-secrets-manager.ts';
import type { FakeSqs } from '../../test/fakes/fake-sqs.ts';
import type { FakeStepFunctions } from '../../test/fakes/fake-step-functions.ts';
import type { SqsEventSource } from '../../test/fakes/sqs-event-source.ts';
import { CognitoStandIn } from '../../test/helpers/cognito-stand-in.ts';
import { containerSpec, healthCheckOf, readSecrets, startBalancer, type ApiTask, type HealthCheck } from './api-task.ts';
import type { Service } from './aws-requests.ts';
import { startDynamoDb, startS3, templateSecrets } from './data-stand-ins.ts';
import { IamPolicies, type Role } from './iam-policies.ts';
import { startIamProxy, type IamProxy } from './iam-proxy.ts';
import { LambdaPool, type LambdaFunction } from './lambda-pool.ts';
import { startEventSourceMappings, startTemplateQueues } from './queues.ts';
import { startRedisStandIn } from './redis-stand-in.ts';
import { ACCOUNT_ID, ensureSynth, Template } from './template.ts';
import { startTemplateWorkflow, templateFunctions, type WorkflowTimings } from './workflow.ts';

/** The provider stand-in's token (test/fakes/fake-replicate.ts accepts exactly this one). */
const STAND_IN_TOKEN = 'r8_test_token';

export interface StackOptions {
  /** The repository root. */
  root: string;
  /** Where the load balancer listens; 0 (any free port) by default. */
  port?: number;
  timings?: WorkflowTimings;
  /** Set: the real Replicate API with this token; unset: the Replicate stand-in. */
  replicateToken?: string;
  /** Values for the template's parameters (PublicUrl and the auth URLs default to the stack's own URL). */
  parameters?: Record<string, string>;
  say?: (line: string) => void;
  /** Every log line of the API task and the functions, as it is written. */
  onLog?: (source: string, line: string) => void;
  /**
   * Webhook receivers on this machine (tests): the API task and the functions trust this CA (PEM) and may
   * send to loopback addresses (WEBHOOK_ALLOW_LOOPBACK), which a deployed stack never does.
   */
  webhookReceiverCa?: string;
}

export interface LocalStack {
  apiUrl: string;
  template: Template;
  iam: IamPolicies;
  idp: CognitoStandIn;
  replicate?: FakeReplicate;
  sfn: FakeStepFunctions;
  /** The template's queues (the webhook delivery queue and its dead-letter queue). */
  sqs?: FakeSqs;
  /** The template's event source mappings, running. */
  eventSources: { id: string; source: SqsEventSource }[];
  pool: LambdaPool;
  proxies: Record<Service, IamProxy>;
  functions: LambdaFunction[];
  api: ApiTask;
  /** An admin client of the bucket stand-in (provisioning rights, not a role's). */
  s3: S3Client;
  /** Logical id → physical name. */
  buckets: Record<string, string>;
  tables: Record<string, string>;
  /** The environment the API task runs with. */
  apiEnv: Record<string, string>;
  /** Every line the API task and the functions wrote, in order; `stream` says stdout or stderr. */
  logs: { source: string; stream: 'stdout' | 'stderr'; line: string }[];
  /** The target group's health check the load balancer stand-in holds a new task to. */
  healthCheck: HealthCheck;
  /** An access token for `username`, as the user pool's hosted UI issues it. */
  token(username: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startStack(options: StackOptions): Promise<LocalStack> {
  const say = options.say ?? (() => {});
  const { file, region, stackName } = ensureSynth(options.root, say);
  const template = Template.load(file, region, stackName);
  const stops: (() => unknown)[] = [];
  const stop = async (): Promise<void> => {
    for (const fn of stops.splice(0).reverse()) await fn();
  };
  const logs: LocalStack['logs'] = [];
  const log = (source: string, line: string, stream: 'stdout' | 'stderr'): void => {
    logs.push({ source, stream, line });
    options.onLog?.(source, line);
  };
  try {
    const healthCheck = healthCheckOf(template);
    const balancer = await startBalancer({ root: options.root, port: options.port ?? 0, healthCheck, onLine: (line, stream) => log('api', line, stream) });
    stops.push(() => balancer.stop());
    const url = balancer.url;
    Object.assign(template.parameterValues, {
      PublicUrl: url, CallbackUrl: `${url}/api/v1/auth/callback`, LogoutUrl: `${url}/api/v1/docs`, AuthDomainPrefix: 'omnigen-local',
      CertificateArn: `arn:aws:acm:${region}:${ACCOUNT_ID}:certificate/stack-local`, ...options.parameters,
    });
    const redisId = template.ofType('AWS::ElastiCache::ServerlessCache')[0];
    const redis = redisId ? await startRedisStandIn() : undefined;
    if (redis) {
      stops.push(() => redis.stop());
      template.attributes.set(redisId as string, { 'Endpoint.Address': redis.address, 'Endpoint.Port': String(redis.port) });
    }
    const iam = new IamPolicies(template);
    const arn = { region, account: ACCOUNT_ID };
    const dynamo = await startDynamoDb(template, stops, say);
    const s3 = await startS3(template, [...iam.roles.values()], stops);
    const sm = await FakeSecretsManager.start({ teardown: (fn) => stops.push(fn) });
    const idp = await CognitoStandIn.start({ clientId: template.ref(only(template, 'AWS::Cognito::UserPoolClient')) });
    stops.push(() => idp.stop());
    const replicate = options.replicateToken ? undefined : await FakeReplicate.start({ teardown: (fn) => stops.push(fn) }, join(options.root, 'assets'));

    const proxies = {} as Record<Service, IamProxy>;
    const proxy = async (service: Service, upstream: string) => {
      proxies[service] = await startIamProxy(service, upstream, iam, arn);
      stops.push(() => proxies[service].close());
    };
    await proxy('dynamodb', dynamo.endpoint);
    await proxy('s3', s3.endpoint);
    await proxy('secretsmanager', sm.endpoint);
    const sqs = await startTemplateQueues(template, (fn) => stops.push(fn));
    if (sqs) await proxy('sqs', sqs.endpoint);

    const spec = containerSpec(template);
    // The one secret the operator fills in after deploying: the provider token the task and functions read.
    const providerSecretArn = spec.environment.PROVIDER_SECRET_ARN;
    const providerSecretId = template.ofType('AWS::SecretsManager::Secret').find((id) => template.ref(id) === providerSecretArn);
    for (const [secretArn, value] of templateSecrets(template, providerSecretId ? { [providerSecretId]: options.replicateToken ?? STAND_IN_TOKEN } : {})) sm.secrets.set(secretArn, value);

    const endpoints = (): Record<string, string> => ({
      AWS_ENDPOINT_URL_DYNAMODB: proxies.dynamodb.endpoint,
      AWS_ENDPOINT_URL_S3: proxies.s3.endpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: proxies.secretsmanager.endpoint,
      ...(proxies.states ? { AWS_ENDPOINT_URL_SFN: proxies.states.endpoint } : {}),
      ...(proxies.sqs ? { AWS_ENDPOINT_URL_SQS: proxies.sqs.endpoint } : {}),
      ...(replicate ? { REPLICATE_BASE_URL: replicate.baseUrl } : {}),
    });
    const keysOf = (role: Role) => ({ AWS_ACCESS_KEY_ID: role.accessKeyId, AWS_SECRET_ACCESS_KEY: role.secretAccessKey, AWS_SESSION_TOKEN: `stack-local-${role.id}` });
    const roleByArn = (roleArn: string): Role => {
      const role = [...iam.roles.values()].find((r) => r.arn === roleArn);
      if (!role) throw new Error(`no role ${roleArn} in the template`);
      return role;
    };

    // Trust for local webhook receivers (tests): one CA file with the cache stand-in's certificate too.
    const receiverEnv = (caFiles: string[]): Record<string, string> => {
      if (!options.webhookReceiverCa) return caFiles.length > 0 ? { NODE_EXTRA_CA_CERTS: caFiles[0] as string } : {};
      const dir = mkdtempSync(join(tmpdir(), 'omnigen-stack-ca-'));
      stops.push(() => rmSync(dir, { recursive: true, force: true }));
      const file = join(dir, 'ca.pem');
      writeFileSync(file, [options.webhookReceiverCa, ...caFiles.map((f) => readFileSync(f, 'utf8'))].join('\n'));
      return { NODE_EXTRA_CA_CERTS: file, WEBHOOK_ALLOW_LOOPBACK: 'true' };
    };
    const functionTrust = receiverEnv([]);

    // What the Lambda runtime itself sets (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime).
    const functions = templateFunctions(template, (id, name, memoryMb) => ({
      ...endpoints(),
      AWS_REGION: region, AWS_DEFAULT_REGION: region, AWS_LAMBDA_FUNCTION_NAME: name, AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memoryMb),
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST', AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${name}`, AWS_EXECUTION_ENV: `AWS_Lambda_${String(template.resource(id).Properties?.Runtime ?? 'nodejs')}`,
      LAMBDA_TASK_ROOT: '', TZ: ':UTC',
      ...keysOf(roleByArn(template.string(template.resource(id).Properties?.Role))),
      ...functionTrust,
    }));
    for (const fn of functions) fn.env.LAMBDA_TASK_ROOT = fn.taskRoot;
    const pool = new LambdaPool(join(options.root, 'scripts/stack-local/lambda-bootstrap.mjs'), (fn, line, stream) => log(fn.id, line, stream));
    stops.push(() => pool.close());
    const workflow = await startTemplateWorkflow({ template, iam, functions, pool, timings: options.timings ?? {}, teardown: (fn) => stops.push(fn) });
    await proxy('states', workflow.sfn.endpoint);
    const eventSources = proxies.sqs ? startEventSourceMappings({
      template, functions, pool, endpoint: proxies.sqs.endpoint,
      credentials: (fn) => credentialsOf(roleByArn(template.string(template.resource(fn.id).Properties?.Role))),
      onError: (mapping, err) => log(mapping, `event source mapping: ${String(err)}`, 'stderr'),
      teardown: (fn) => stops.push(fn),
    }) : [];

    // Cognito's public URLs (the issuer, the hosted UI) are the Cognito stand-in's.
    const poolId = only(template, 'AWS::Cognito::UserPool');
    const domainId = template.ofType('AWS::Cognito::UserPoolDomain')[0];
    const cognitoUrls = [`https://${template.attribute(poolId, 'ProviderName')}`, ...(domainId ? [`https://${template.ref(domainId)}.auth.${region}.amazoncognito.com`] : [])];
    const container = containerSpec(template);
    const plain = Object.fromEntries(Object.entries(container.environment).map(([k, v]) => [k, cognitoUrls.reduce((text, from) => text.split(from).join(idp.url), v)]));
    const executionSm = new SecretsManagerClient({ region, endpoint: proxies.secretsmanager.endpoint, credentials: credentialsOf(roleByArn(container.executionRoleArn)) });
    const secrets = await readSecrets(container, executionSm).finally(() => executionSm.destroy());
    const apiEnv = {
      ...plain, ...secrets, ...endpoints(), ...keysOf(roleByArn(container.taskRoleArn)),
      // Loopback only, and the cache stand-in's certificate trusted as ElastiCache's CA is.
      HOST: '127.0.0.1', ...receiverEnv(redis ? [redis.caFile] : []),
    };
    const api = await balancer.run(apiEnv);

    return {
      apiUrl: api.url, template, iam, idp, replicate, sfn: workflow.sfn, sqs, eventSources, pool, proxies, functions, api, s3: s3.admin, buckets: s3.buckets, tables: dynamo.tables,
      apiEnv, logs, healthCheck, token: (username) => idp.token(username), stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

function only(template: Template, type: string): string {
  const [id, ...more] = template.ofType(type);
  if (!id || more.length > 0) throw new Error(`stack:local expects one ${type} in the template, found ${more.length + (id ? 1 : 0)}`);
  return id;
}

function credentialsOf(role: Role) {
  return { accessKeyId: role.accessKeyId, secretAccessKey: role.secretAccessKey, sessionToken: `stack-local-${role.id}` };
}
