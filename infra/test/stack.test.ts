// The synthesised stack, resource by resource: what the issue asks of each piece, checked on the
// CloudFormation template itself (aws-cdk-lib/assertions).
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { Match } from 'aws-cdk-lib/assertions';
import { jobTableDefinition, TTL_ATTRIBUTE, usageTableDefinition } from '../../src/adapters/aws/table-definitions.ts';
import { AWS_REQUIRED_ENV } from '../../src/config.ts';
import { list, props, resources, synth } from './helpers.ts';

const { template, stack, outdir } = synth();
const only = (type: string) => {
  const found = resources(template, type);
  assert.equal(found.length, 1, `exactly one ${type}`);
  return found[0] as [string, Record<string, unknown>];
};
const container = () => (props(only('AWS::ECS::TaskDefinition')[1]).ContainerDefinitions as Record<string, unknown>[])[0] as Record<string, unknown>;
const ref = (id: string) => ({ Ref: id });
const idOf = (construct: { node: { defaultChild?: unknown } }) => stack.getLogicalId(construct.node.defaultChild as never);

describe('network', () => {
  test('a VPC over two AZs: public subnets for the ALB, private ones (with NAT) for the tasks', () => {
    template.resourceCountIs('AWS::EC2::VPC', 1);
    const subnets = resources(template, 'AWS::EC2::Subnet');
    const isPublic = (s: Record<string, unknown>) => props(s).MapPublicIpOnLaunch === true;
    assert.equal(subnets.filter(([, s]) => isPublic(s)).length, 2);
    assert.equal(subnets.filter(([, s]) => !isPublic(s)).length, 2);
    const azs = subnets.map(([, s]) => JSON.stringify(props(s).AvailabilityZone));
    assert.equal(new Set(azs).size, 2, 'two distinct AZs');
    template.resourceCountIs('AWS::EC2::NatGateway', 2);
    template.resourceCountIs('AWS::EC2::FlowLog', 1);
    const privateIds = subnets.filter(([, s]) => !isPublic(s)).map(([id]) => id).sort();
    const network = props(only('AWS::ECS::Service')[1]).NetworkConfiguration as { AwsvpcConfiguration: { AssignPublicIp: string; Subnets: { Ref: string }[] } };
    assert.equal(network.AwsvpcConfiguration.AssignPublicIp, 'DISABLED');
    assert.deepEqual(network.AwsvpcConfiguration.Subnets.map((s) => s.Ref).sort(), privateIds, 'the tasks run in the private subnets');
  });
});

describe('service', () => {
  test('Fargate, 1 vCPU / 2 GB, at least two tasks, circuit breaker with rollback', () => {
    template.hasResourceProperties('AWS::ECS::TaskDefinition', { Cpu: '1024', Memory: '2048', RequiresCompatibilities: ['FARGATE'], NetworkMode: 'awsvpc' });
    const service = props(only('AWS::ECS::Service')[1]);
    assert.equal(service.LaunchType, 'FARGATE');
    assert.ok((service.DesiredCount as number) >= 2);
    assert.deepEqual((service.DeploymentConfiguration as Record<string, unknown>).DeploymentCircuitBreaker, { Enable: true, Rollback: true });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 2, MaxCapacity: 10, ScalableDimension: 'ecs:service:DesiredCount' });
    const metrics = resources(template, 'AWS::ApplicationAutoScaling::ScalingPolicy')
      .map(([, p]) => ((props(p).TargetTrackingScalingPolicyConfiguration as Record<string, Record<string, unknown>>).PredefinedMetricSpecification as Record<string, unknown>).PredefinedMetricType);
    assert.deepEqual(metrics.sort(), ['ALBRequestCountPerTarget', 'ECSServiceAverageCPUUtilization']);
  });

  test("the image is the repository's Dockerfile, staged at synth (no Docker needed) with only what .dockerignore allows", () => {
    const image = JSON.stringify(container().Image);
    assert.match(image, /container-assets/);
    const staged = readdirSync(outdir).filter((f) => f.startsWith('asset.') && existsSync(join(outdir, f, 'Dockerfile')));
    assert.equal(staged.length, 1);
    const files = readdirSync(join(outdir, staged[0] as string)).sort();
    assert.deepEqual(files, ['.dockerignore', 'Dockerfile', 'assets', 'package-lock.json', 'package.json', 'src', 'tsconfig.build.json', 'tsconfig.json']);
  });

  test('the container: port 8080, read-only root, logs with retention, APP_SECRET from Secrets Manager', () => {
    const c = container();
    assert.deepEqual(c.PortMappings, [{ ContainerPort: 8080, Protocol: 'tcp' }]);
    assert.equal(c.ReadonlyRootFilesystem, true);
    const secrets = c.Secrets as { Name: string; ValueFrom: unknown }[];
    const appSecret = secrets.find((s) => s.Name === 'APP_SECRET');
    assert.deepEqual(appSecret?.ValueFrom, ref(idOf(stack.service.appSecret)));
    template.hasResourceProperties('AWS::SecretsManager::Secret', { GenerateSecretString: Match.objectLike({ PasswordLength: 64 }) });
    const logs = (c.LogConfiguration as { Options: Record<string, unknown> }).Options;
    assert.deepEqual(logs['awslogs-group'], ref(idOf(stack.service.logGroup)));
    assert.equal(logs.mode, 'non-blocking');
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    for (const [, group] of resources(template, 'AWS::Logs::LogGroup')) assert.ok(props(group).RetentionInDays, 'every log group has a retention');
  });

  test('every variable aws mode requires (src/config.ts AWS_REQUIRED_ENV) is set, plus the shared rate-limit store', () => {
    const c = container();
    const env = new Map((c.Environment as { Name: string; Value: unknown }[]).map((e) => [e.Name, e.Value]));
    const secretNames = (c.Secrets as { Name: string }[]).map((s) => s.Name);
    for (const name of AWS_REQUIRED_ENV) assert.ok(env.has(name) || secretNames.includes(name), `${name} is set`);
    assert.equal(env.get('APP_MODE'), 'aws');
    assert.equal(env.get('RATE_LIMIT_STORE'), 'redis');
    assert.match(JSON.stringify(env.get('REDIS_URL')), /"rediss:\/\/".*Endpoint\.Address.*Endpoint\.Port/);
    assert.deepEqual(env.get('STEP_FUNCTIONS_ARN'), ref(idOf(stack.workflow.stateMachine)));
    assert.deepEqual(env.get('AUTH_REDIRECT_URI'), ref('CallbackUrl'));
    assert.ok(secretNames.includes('APP_SECRET'));
    assert.ok(!env.has('APP_SECRET'), 'never as plain environment');
  });
});

describe('load balancer', () => {
  test('HTTPS with the certificate parameter; HTTP only redirects to HTTPS', () => {
    template.hasParameter('CertificateArn', { Type: 'String' });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internet-facing', Type: 'application' });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 443, Protocol: 'HTTPS', Certificates: [{ CertificateArn: ref('CertificateArn') }] });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80, Protocol: 'HTTP',
      DefaultActions: [{ Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' } }],
    });
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 2);
  });

  test('the target group checks /api/v1/health and drains faster than the container is killed', () => {
    const tg = props(only('AWS::ElasticLoadBalancingV2::TargetGroup')[1]);
    assert.equal(tg.HealthCheckPath, '/api/v1/health');
    assert.equal(tg.Port, 8080);
    assert.equal(tg.TargetType, 'ip');
    const attributes = tg.TargetGroupAttributes as { Key: string; Value: string }[];
    const delay = Number(attributes.find((a) => a.Key === 'deregistration_delay.timeout_seconds')?.Value);
    const stopTimeout = container().StopTimeout as number;
    assert.ok(delay > 0 && delay < stopTimeout, `deregistration delay ${delay} s < stop timeout ${stopTimeout} s`);
  });
});

describe('data', () => {
  // The definitions src/adapters/aws/table-definitions.ts gives create-resources, in CloudFormation's words.
  const asCfn = (d: ReturnType<typeof jobTableDefinition>) => ({
    KeySchema: d.KeySchema,
    AttributeDefinitions: [...(d.AttributeDefinitions ?? [])].sort((a, b) => String(a.AttributeName).localeCompare(String(b.AttributeName))),
    GlobalSecondaryIndexes: d.GlobalSecondaryIndexes,
  });
  const tableOf = (table: { node: { defaultChild?: unknown } }) => props(template.toJSON().Resources[idOf(table)]);

  for (const [name, definition, table, ttl] of [
    ['jobs', jobTableDefinition('x'), () => stack.data.jobTable, false],
    ['usage', usageTableDefinition('x'), () => stack.data.usageTable, true],
  ] as const) {
    test(`the ${name} table is the one create-resources builds: same keys and index; on demand, PITR, deletion protection`, () => {
      const t = tableOf(table());
      const deployed = asCfn({ KeySchema: t.KeySchema, AttributeDefinitions: t.AttributeDefinitions, GlobalSecondaryIndexes: t.GlobalSecondaryIndexes } as never);
      assert.deepEqual(JSON.parse(JSON.stringify(deployed)), JSON.parse(JSON.stringify(asCfn(definition))));
      assert.equal(t.BillingMode, 'PAY_PER_REQUEST');
      assert.deepEqual(t.PointInTimeRecoverySpecification, { PointInTimeRecoveryEnabled: true });
      assert.equal(t.DeletionProtectionEnabled, true);
      assert.deepEqual(t.TimeToLiveSpecification, ttl ? { AttributeName: TTL_ATTRIBUTE, Enabled: true } : undefined);
      assert.equal(template.toJSON().Resources[idOf(table())].DeletionPolicy, 'Retain');
    });
  }

  test('the jobs table keeps its userId + createdAt listing index', () => {
    const index = (tableOf(stack.data.jobTable).GlobalSecondaryIndexes as { IndexName: string; KeySchema: { AttributeName: string }[] }[])[0];
    assert.equal(index?.IndexName, 'byUser');
    assert.deepEqual(index?.KeySchema.map((k) => k.AttributeName), ['userId', 'listKey']);
  });

  test('the assets bucket: no public access, encrypted, TLS only, lifecycle rules, access logs', () => {
    const bucket = props(template.toJSON().Resources[idOf(stack.data.bucket)]);
    assert.deepEqual(bucket.PublicAccessBlockConfiguration, { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    assert.match(JSON.stringify(bucket.BucketEncryption), /AES256/);
    assert.ok(((bucket.LifecycleConfiguration as { Rules: unknown[] }).Rules).length >= 1);
    assert.ok(bucket.LoggingConfiguration);
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: ref(idOf(stack.data.bucket)),
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });
});

describe('sign-in', () => {
  test('a user pool, a public code-flow client (PKCE, no secret) and a hosted-UI domain, URLs from parameters', () => {
    template.resourceCountIs('AWS::Cognito::UserPool', 1);
    const client = props(only('AWS::Cognito::UserPoolClient')[1]);
    assert.deepEqual(client.AllowedOAuthFlows, ['code']);
    assert.equal(client.AllowedOAuthFlowsUserPoolClient, true);
    assert.equal(client.GenerateSecret, false, 'a public client: the code flow with PKCE, no secret to keep');
    assert.deepEqual(client.CallbackURLs, [ref('CallbackUrl')]);
    assert.deepEqual(client.LogoutURLs, [ref('LogoutUrl')]);
    template.hasResourceProperties('AWS::Cognito::UserPoolDomain', { Domain: ref('AuthDomainPrefix') });
    for (const name of ['CallbackUrl', 'LogoutUrl', 'AuthDomainPrefix', 'PublicUrl']) template.hasParameter(name, { Type: 'String' });
  });
});

describe('workflow (placeholder until workflow/ exists)', () => {
  test('a Standard state machine that completes at once, logging ALL, traced', () => {
    const sm = props(only('AWS::StepFunctions::StateMachine')[1]);
    assert.equal(sm.StateMachineType, 'STANDARD');
    const definition = JSON.parse((sm.DefinitionString as string));
    assert.equal(definition.States[definition.StartAt].Type, 'Succeed');
    assert.equal((sm.LoggingConfiguration as { Level: string }).Level, 'ALL');
    assert.deepEqual(sm.TracingConfiguration, { Enabled: true });
    assert.deepEqual(resources(template, 'AWS::Lambda::Function').map(([, f]) => props(f).Handler), ['deliver-webhooks.handler'], 'no workflow step: only the webhook delivery function');
    assert.equal(stack.workflow.real, false);
  });
});

describe('rate-limit cache', () => {
  test('ElastiCache Serverless for Valkey, reachable only from the tasks', () => {
    const cache = props(only('AWS::ElastiCache::ServerlessCache')[1]);
    assert.equal(cache.Engine, 'valkey');
    const groups = list(cache.SecurityGroupIds as unknown[]);
    assert.equal(groups.length, 1);
    const cacheGroup = (groups[0] as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0] as string;
    const taskGroup = idOf(stack.service.securityGroup);
    const ingress = [
      ...((props(template.toJSON().Resources[cacheGroup]).SecurityGroupIngress as unknown[] | undefined) ?? []),
      ...resources(template, 'AWS::EC2::SecurityGroupIngress').map(([, r]) => props(r)).filter((r) => JSON.stringify(r.GroupId).includes(cacheGroup)),
    ] as Record<string, unknown>[];
    assert.equal(ingress.length, 1, 'one rule');
    assert.deepEqual(ingress[0]?.SourceSecurityGroupId, { 'Fn::GetAtt': [taskGroup, 'GroupId'] });
    assert.equal(ingress[0]?.FromPort, 6379);
    assert.ok(!JSON.stringify(ingress).includes('0.0.0.0/0'));
  });
});
