// The shared rate-limit store: ElastiCache Serverless for Valkey, in the private subnets, open on its
// port to the tasks' security group only. Serverless caches always require TLS, hence rediss://.
import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import { Construct } from 'constructs';

export interface RateLimitCacheProps {
  vpc: ec2.IVpc;
  /** The only security group allowed in. */
  clients: ec2.ISecurityGroup;
}

export class RateLimitCache extends Construct {
  readonly cache: elasticache.CfnServerlessCache;
  readonly securityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: RateLimitCacheProps) {
    super(scope, id);
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'Valkey rate-limit store: reachable from the API tasks only',
      allowAllOutbound: false,
    });
    this.securityGroup.addIngressRule(props.clients, this.port, 'API tasks');
    const subnets = props.vpc.selectSubnets({ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS });
    this.cache = new elasticache.CfnServerlessCache(this, 'Valkey', {
      engine: 'valkey',
      majorEngineVersion: '8',
      serverlessCacheName: `${Stack.of(this).stackName.toLowerCase()}-rate-limit`.slice(0, 40),
      description: 'OmniGen API rate-limit windows',
      subnetIds: subnets.subnetIds,
      securityGroupIds: [this.securityGroup.securityGroupId],
      // Rate-limit windows are tiny and short-lived: cap what a runaway client could cost.
      cacheUsageLimits: { dataStorage: { maximum: 1, unit: 'GB' }, ecpuPerSecond: { maximum: 5000 } },
    });
  }

  readonly port = ec2.Port.tcp(6379);

  /** What the service's REDIS_URL wants. */
  get url(): string {
    return `rediss://${this.cache.attrEndpointAddress}:${this.cache.attrEndpointPort}`;
  }
}
