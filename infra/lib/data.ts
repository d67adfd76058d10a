// The service's state: the jobs and usage tables, built from the very definitions
// `npm run aws:create-resources` uses (src/adapters/aws/table-definitions.ts), and the assets bucket.
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { jobTableDefinition, TTL_ATTRIBUTE, usageTableDefinition } from '../../src/adapters/aws/table-definitions.ts';
import { VIDEO_PREFIX } from '../../src/adapters/aws/iam-actions.ts';

type Definition = ReturnType<typeof jobTableDefinition>;

function attribute(definition: Definition, name: string | undefined): dynamodb.Attribute {
  const type = definition.AttributeDefinitions?.find((a) => a.AttributeName === name)?.AttributeType;
  if (!name || !type) throw new Error(`table ${definition.TableName}: no attribute definition for ${name}`);
  return { name, type: type as dynamodb.AttributeType };
}

function keys(definition: Definition, schema: { AttributeName?: string; KeyType?: string }[] | undefined) {
  const partitionKey = attribute(definition, schema?.find((k) => k.KeyType === 'HASH')?.AttributeName);
  const range = schema?.find((k) => k.KeyType === 'RANGE')?.AttributeName;
  return { partitionKey, sortKey: range === undefined ? undefined : attribute(definition, range) };
}

/** A CreateTable input as CDK table props. The physical name is left to CloudFormation. */
export function tableProps(definition: Definition): dynamodb.TableProps & { globalSecondaryIndexes: dynamodb.GlobalSecondaryIndexProps[] } {
  if (definition.BillingMode !== 'PAY_PER_REQUEST') throw new Error(`table ${definition.TableName}: expected on-demand billing`);
  return {
    ...keys(definition, definition.KeySchema),
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    globalSecondaryIndexes: (definition.GlobalSecondaryIndexes ?? []).map((index) => ({
      indexName: index.IndexName as string,
      ...keys(definition, index.KeySchema),
      projectionType: index.Projection?.ProjectionType as dynamodb.ProjectionType,
    })),
  };
}

export interface DataProps {
  /** Receives the assets bucket's server access logs (and the ALB's). */
  logsBucket: s3.IBucket;
}

export class Data extends Construct {
  readonly jobTable: dynamodb.Table;
  readonly usageTable: dynamodb.Table;
  readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: DataProps) {
    super(scope, id);
    const common = {
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      removalPolicy: RemovalPolicy.RETAIN,
    };
    // Placeholder names: the definitions want one, CloudFormation picks the real one.
    const jobs = tableProps(jobTableDefinition('jobs'));
    // TTL only where an item carries it (as create-resources does): idempotency claims in the usage table.
    this.jobTable = new dynamodb.Table(this, 'Jobs', { ...jobs, ...common });
    for (const index of jobs.globalSecondaryIndexes) this.jobTable.addGlobalSecondaryIndex(index);
    const usage = tableProps(usageTableDefinition('usage'));
    this.usageTable = new dynamodb.Table(this, 'Usage', { ...usage, ...common, timeToLiveAttribute: TTL_ATTRIBUTE });
    for (const index of usage.globalSecondaryIndexes) this.usageTable.addGlobalSecondaryIndex(index);

    this.bucket = new s3.Bucket(this, 'Assets', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: false,
      serverAccessLogsBucket: props.logsBucket,
      serverAccessLogsPrefix: 'assets/',
      removalPolicy: RemovalPolicy.RETAIN,
      // The try-it page and other browser clients post start images straight here (presigned POST).
      cors: [{ allowedMethods: [s3.HttpMethods.POST], allowedOrigins: ['*'], allowedHeaders: ['*'], maxAge: 3000 }],
      lifecycleRules: [
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
        // Videos are fetched mostly in their first days; after 30 they are cheaper in Infrequent Access.
        // Start images a job never used: gone after a day (S3 counts whole days, so 24–48 h). A job's own
        // copy lives under inputs/, which no rule touches (docs/uploads.md).
        { id: 'expire-unused-uploads', prefix: 'uploads/', expiration: Duration.days(1) },
        { id: 'videos-to-infrequent-access', prefix: VIDEO_PREFIX, transitions: [{ storageClass: s3.StorageClass.INFREQUENT_ACCESS, transitionAfter: Duration.days(30) }] },
      ],
    });
  }
}
