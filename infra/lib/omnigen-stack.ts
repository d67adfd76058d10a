// The whole deployment as one CloudFormation stack, composed of one construct per concern. One stack
// rather than five: a failed deploy rolls back as a unit, and no cross-stack export pins a table or
// a bucket in place.
import { fileURLToPath } from 'node:url';
import { CfnOutput, CfnParameter, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Auth } from './auth.ts';
import { Data } from './data.ts';
import { createLogsBucket } from './logs-bucket.ts';
import { Network } from './network.ts';
import { Observability } from './observability.ts';
import { RateLimitCache } from './rate-limit-cache.ts';
import { Service } from './service.ts';
import type { Settings } from './settings.ts';
import { Webhooks } from './webhooks.ts';
import { Workflow } from './workflow.ts';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface OmniGenStackProps extends StackProps {
  settings: Settings;
  /** The build context of the image; default the repository root. */
  imageDir?: string;
  /** Where workflow/state-machine.asl.json and lambdas.json are looked for; default <repo>/workflow. */
  workflowDir?: string;
  /** The Lambda bundles; default <repo>/dist/lambda. */
  bundleDir?: string;
}

export class OmniGenStack extends Stack {
  readonly network: Network;
  readonly data: Data;
  readonly auth: Auth;
  readonly workflow: Workflow;
  readonly webhooks: Webhooks;
  readonly cache: RateLimitCache;
  readonly service: Service;
  readonly observability: Observability;

  constructor(scope: Construct, id: string, props: OmniGenStackProps) {
    super(scope, id, props);
    const { settings } = props;
    const param = (name: string, description: string, extra: Partial<ConstructorParameters<typeof CfnParameter>[2]> = {}) =>
      new CfnParameter(this, name, { type: 'String', description, ...extra }).valueAsString;
    const certificateArn = param('CertificateArn', 'ACM certificate (same region) for the ALB HTTPS listener, covering PublicUrl\'s host', { allowedPattern: '^arn:aws[\\w-]*:acm:.+' });
    const publicUrl = param('PublicUrl', 'The URL clients reach the API at, e.g. https://api.example.com (a DNS name pointing at the ALB)', { allowedPattern: '^https://[^/]+$' });
    const callbackUrl = param('CallbackUrl', 'OAuth redirect after sign-in: normally <PublicUrl>/api/v1/auth/callback', { allowedPattern: '^https://.+' });
    const logoutUrl = param('LogoutUrl', 'Where the hosted UI sends users after sign-out', { allowedPattern: '^https://.+' });
    const domainPrefix = param('AuthDomainPrefix', 'Cognito hosted UI prefix: https://<prefix>.auth.<region>.amazoncognito.com', { allowedPattern: '^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$' });
    const corsOrigins = param('CorsOrigins', 'Browser origins allowed to call the API, comma-separated; empty allows none', { default: '' });

    const logRetention = retentionOf(settings.logRetentionDays);
    const logsBucket = createLogsBucket(this, 'AccessLogs');
    this.network = new Network(this, 'Network', { natGateways: settings.natGateways, logRetention });
    this.data = new Data(this, 'Data', { logsBucket });
    this.auth = new Auth(this, 'Auth', { callbackUrl, logoutUrl, domainPrefix });
    this.workflow = new Workflow(this, 'Workflow', {
      jobTable: this.data.jobTable,
      usageTable: this.data.usageTable,
      bucket: this.data.bucket,
      logRetention,
      workflowDir: props.workflowDir ?? `${REPO_ROOT}workflow`,
      bundleDir: props.bundleDir ?? `${REPO_ROOT}dist/lambda`,
      videoModels: settings.videoModels,
      ...(settings.videoModelsJson ? { videoModelsJson: settings.videoModelsJson } : {}),
    });
    const stateMachine = this.workflow.stateMachine;
    const resources = {
      jobTable: this.data.jobTable.tableArn,
      usageTable: this.data.usageTable.tableArn,
      bucket: this.data.bucket.bucketArn,
      stateMachine: stateMachine.stateMachineArn,
      stateMachineName: stateMachine.stateMachineName,
      statesPrefix: `arn:${this.partition}:states:${this.region}:${this.account}`,
      providerSecret: this.workflow.providerSecret.secretArn,
    };
    this.webhooks = new Webhooks(this, 'Webhooks', {
      resources,
      usageTableName: this.data.usageTable.tableName,
      bucketName: this.data.bucket.bucketName,
      bundleDir: props.bundleDir ?? `${REPO_ROOT}dist/lambda`,
      logRetention,
    });
    // The cache needs the tasks' security group and the tasks need the cache's URL: the group comes first.
    const service = new Service(this, 'Service', {
      vpc: this.network.vpc,
      imageDir: props.imageDir ?? REPO_ROOT,
      certificateArn,
      desiredCount: settings.desiredCount,
      maxCount: settings.maxCount,
      logRetention,
      accessLogs: logsBucket,
      resources: { ...resources, deliveryQueue: this.webhooks.queue.queueArn },
      environment: {
        APP_MODE: 'aws',
        // The API checks job options against the same catalogue and category models as the workflow.
        ...(settings.videoModelsJson ? { VIDEO_MODELS_JSON: settings.videoModelsJson } : {}),
        ...(settings.videoModels['music-video'] ? { VIDEO_MODEL_MUSIC_VIDEO: settings.videoModels['music-video'] } : {}),
        ...(settings.videoModels['ad-creative'] ? { VIDEO_MODEL_AD_CREATIVE: settings.videoModels['ad-creative'] } : {}),
        AWS_REGION: this.region,
        LOG_LEVEL: 'info',
        PUBLIC_URL: publicUrl,
        CORS_ORIGINS: corsOrigins,
        JOB_TABLE: this.data.jobTable.tableName,
        USAGE_TABLE: this.data.usageTable.tableName,
        ASSETS_BUCKET: this.data.bucket.bucketName,
        STEP_FUNCTIONS_ARN: stateMachine.stateMachineArn,
        COGNITO_USER_POOL_ID: this.auth.userPool.userPoolId,
        COGNITO_CLIENT_ID: this.auth.client.userPoolClientId,
        JWT_ISSUER: this.auth.issuer,
        COGNITO_DOMAIN: this.auth.domain.baseUrl(),
        AUTH_REDIRECT_URI: callbackUrl,
        AUTH_LOGOUT_URI: logoutUrl,
        RATE_LIMIT_STORE: 'redis',
        // A cancel also cancels the provider's prediction, so nothing more is billed (docs/workflow.md).
        PROVIDER_SECRET_ARN: this.workflow.providerSecret.secretArn,
        // The dispatcher hands due webhook deliveries to this queue; the delivery Lambda sends them.
        WEBHOOK_QUEUE_URL: this.webhooks.queue.queueUrl,
      },
    });
    this.service = service;
    this.cache = new RateLimitCache(this, 'RateLimitCache', { vpc: this.network.vpc, clients: service.securityGroup });
    service.container.addEnvironment('REDIS_URL', this.cache.url);

    this.observability = new Observability(this, 'Observability', {
      service: service.service,
      loadBalancer: service.loadBalancer,
      targetGroup: service.targetGroup,
      minTasks: settings.desiredCount,
      webhookDeadLetters: this.webhooks.deadLetterQueue,
    });

    new CfnOutput(this, 'LoadBalancerDns', { value: service.loadBalancer.loadBalancerDnsName, description: 'Point PublicUrl\'s DNS name here (CNAME or alias)' });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.observability.topic.topicArn, description: 'Subscribe your pager or e-mail here' });
    new CfnOutput(this, 'ProviderSecretArn', { value: this.workflow.providerSecret.secretArn, description: 'Put the video provider token here' });
    new CfnOutput(this, 'HostedUiUrl', { value: this.auth.domain.baseUrl() });
    new CfnOutput(this, 'StateMachineArn', { value: stateMachine.stateMachineArn });
  }
}

function retentionOf(days: number): logs.RetentionDays {
  const allowed = Object.values(logs.RetentionDays).filter((v): v is number => typeof v === 'number' && v > 0);
  if (!allowed.includes(days)) throw new Error(`context logRetentionDays: CloudWatch allows ${allowed.join(', ')}; got ${days}`);
  return days as logs.RetentionDays;
}
