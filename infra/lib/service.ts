// The API itself: the project's Dockerfile on ECS Fargate in the private subnets, behind an
// internet-facing ALB (HTTPS, HTTP redirected), scaled on CPU and on requests per target, with a task
// role holding exactly the actions the adapters call (src/adapters/aws/iam-actions.ts).
import { Duration, RemovalPolicy, Size } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import { NagSuppressions } from './nag.ts';
import { Construct } from 'constructs';
import { taskRoleStatements, type ResourceArns } from '../../src/adapters/aws/iam-actions.ts';

export const CONTAINER_PORT = 8080;
/** SIGTERM → SIGKILL. The ALB stops sending new requests DEREGISTRATION_DELAY before SIGTERM. */
export const STOP_TIMEOUT = Duration.seconds(30);
export const DEREGISTRATION_DELAY = Duration.seconds(20);

export interface ServiceProps {
  vpc: ec2.IVpc;
  /** The repository root: its Dockerfile and .dockerignore build the image (at deploy, not at synth). */
  imageDir: string;
  certificateArn: string;
  desiredCount: number;
  maxCount: number;
  logRetention: logs.RetentionDays;
  accessLogs: s3.IBucket;
  resources: ResourceArns;
  /** Plain settings for the container (APP_MODE, table names, …). */
  environment: Record<string, string>;
}

export class Service extends Construct {
  readonly securityGroup: ec2.SecurityGroup;
  readonly service: ecs.FargateService;
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  readonly targetGroup: elbv2.ApplicationTargetGroup;
  readonly taskRole: iam.Role;
  readonly appSecret: secretsmanager.Secret;
  readonly logGroup: logs.LogGroup;
  readonly container: ecs.ContainerDefinition;

  constructor(scope: Construct, id: string, props: ServiceProps) {
    super(scope, id);
    this.securityGroup = new ec2.SecurityGroup(this, 'TaskSecurityGroup', { vpc: props.vpc, description: 'OmniGen API tasks' });

    this.taskRole = new iam.Role(this, 'TaskRole', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'), description: 'OmniGen API: the calls its adapters make' });
    for (const s of taskRoleStatements(props.resources)) this.taskRole.addToPolicy(new iam.PolicyStatement({ sid: s.Sid, actions: s.Action, resources: [s.Resource] }));
    NagSuppressions.addResourceSuppressions(this.taskRole, [
      { id: 'AwsSolutions-IAM5', reason: 'Objects only under videos/ (presigned reads), uploads/ and inputs/ (start images: uploadIds and job ids unknown in advance), and this state machine\'s executions, whose names are job ids unknown in advance.', appliesTo: [{ regex: '/^Resource::.*(\\/videos\\/\\*|\\/uploads\\/\\*|\\/inputs\\/\\*|:\\*)$/g' }] },
    ], true);

    // Signs list cursors and the login cookie: shared by every task, so a cursor survives a task switch.
    this.appSecret = new secretsmanager.Secret(this, 'AppSecret', {
      description: 'OmniGen API APP_SECRET (cursor and login-cookie signing key)',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    NagSuppressions.addResourceSuppressions(this.appSecret, [
      { id: 'AwsSolutions-SMG4', reason: 'The service reads APP_SECRET once at start and knows one key: rotating it would void every open cursor and login; rotate by hand with a redeploy.' },
    ]);

    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetention, removalPolicy: RemovalPolicy.DESTROY });
    const cluster = new ecs.Cluster(this, 'Cluster', { vpc: props.vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });
    const taskDefinition = new ecs.FargateTaskDefinition(this, 'Task', {
      cpu: 1024,
      memoryLimitMiB: 2048,
      taskRole: this.taskRole,
      runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.X86_64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
    });
    this.container = taskDefinition.addContainer('api', {
      // Synth only stages the build context (filtered by .dockerignore); `cdk deploy` builds and pushes.
      image: ecs.ContainerImage.fromAsset(props.imageDir, { platform: Platform.LINUX_AMD64 }),
      portMappings: [{ containerPort: CONTAINER_PORT, protocol: ecs.Protocol.TCP }],
      environment: props.environment,
      secrets: { APP_SECRET: ecs.Secret.fromSecretsManager(this.appSecret) },
      stopTimeout: STOP_TIMEOUT,
      readonlyRootFilesystem: true,
      logging: ecs.LogDrivers.awsLogs({ logGroup: this.logGroup, streamPrefix: 'api', mode: ecs.AwsLogDriverMode.NON_BLOCKING, maxBufferSize: Size.mebibytes(25) }),
      healthCheck: {
        // No shell or curl in the distroless image: node itself asks.
        command: ['CMD', '/nodejs/bin/node', '-e', `fetch('http://127.0.0.1:${CONTAINER_PORT}/api/v1/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))`],
        interval: Duration.seconds(30), timeout: Duration.seconds(5), retries: 3, startPeriod: Duration.seconds(10),
      },
    });
    NagSuppressions.addResourceSuppressions(taskDefinition, [
      { id: 'AwsSolutions-ECS2', reason: 'Only non-secret settings (table names, ARNs, URLs) are plain environment; APP_SECRET comes from Secrets Manager as an ECS secret.' },
    ]);

    this.service = new ecs.FargateService(this, 'Service', {
      cluster,
      taskDefinition,
      desiredCount: props.desiredCount,
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { enable: true, rollback: true },
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [this.securityGroup],
      assignPublicIp: false,
      healthCheckGracePeriod: Duration.seconds(30),
    });

    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'Alb', {
      vpc: props.vpc,
      internetFacing: true,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      dropInvalidHeaderFields: true,
      // SSE streams send a ping every 15 s; Node's keep-alive (72 s) outlasts this, avoiding 502s.
      idleTimeout: Duration.seconds(60),
    });
    this.loadBalancer.logAccessLogs(props.accessLogs, 'alb');
    NagSuppressions.addResourceSuppressions(this.loadBalancer, [
      { id: 'AwsSolutions-EC23', reason: 'The public API: its load balancer accepts HTTPS (and HTTP, only to redirect) from anywhere.' },
    ], true);

    const https = this.loadBalancer.addListener('Https', {
      port: 443,
      protocol: elbv2.ApplicationProtocol.HTTPS,
      certificates: [elbv2.ListenerCertificate.fromArn(props.certificateArn)],
      sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
    });
    this.loadBalancer.addRedirect({ sourcePort: 80, sourceProtocol: elbv2.ApplicationProtocol.HTTP, targetPort: 443, targetProtocol: elbv2.ApplicationProtocol.HTTPS });
    this.targetGroup = https.addTargets('Api', {
      port: CONTAINER_PORT,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targets: [this.service],
      deregistrationDelay: DEREGISTRATION_DELAY,
      healthCheck: {
        // Liveness only: /health/ready would fail every task at once during a dependency outage.
        path: '/api/v1/health',
        healthyHttpCodes: '200',
        interval: Duration.seconds(15),
        timeout: Duration.seconds(5),
        healthyThresholdCount: 2,
        unhealthyThresholdCount: 3,
      },
    });

    const scaling = this.service.autoScaleTaskCount({ minCapacity: props.desiredCount, maxCapacity: props.maxCount });
    scaling.scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: 60, scaleOutCooldown: Duration.seconds(60), scaleInCooldown: Duration.seconds(300) });
    scaling.scaleOnRequestCount('Requests', { requestsPerTarget: 1000, targetGroup: this.targetGroup, scaleOutCooldown: Duration.seconds(60), scaleInCooldown: Duration.seconds(300) });

    NagSuppressions.addResourceSuppressions(taskDefinition, [
      { id: 'AwsSolutions-IAM5', reason: 'The execution role: ecr:GetAuthorizationToken supports no resource-level permission (image pulls themselves are limited to the asset repository).', appliesTo: ['Resource::*'] },
    ], true);
  }
}
