// Creates what the AWS adapters need, idempotently: used by `npm run aws:create-resources` and by the
// tests, so both build exactly the same tables.
import {
  CreateTableCommand,
  DescribeTimeToLiveCommand,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
  type CreateTableCommandInput,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, HeadBucketCommand, type BucketLocationConstraint, type S3Client } from '@aws-sdk/client-s3';
import { jobTableDefinition, TTL_ATTRIBUTE, usageTableDefinition } from './table-definitions.ts';

export type Say = (line: string) => void;

export interface ResourceNames {
  region: string;
  jobTable: string;
  usageTable: string;
  bucket: string;
}

export async function ensureTable(db: DynamoDBClient, definition: CreateTableCommandInput, say: Say): Promise<void> {
  const name = definition.TableName as string;
  try {
    await db.send(new CreateTableCommand(definition));
    say(`table ${name}: created`);
  } catch (err) {
    if (!(err instanceof ResourceInUseException)) throw err;
    say(`table ${name}: exists`);
  }
  await waitUntilTableExists({ client: db, minDelay: 1, maxDelay: 5, maxWaitTime: 300 }, { TableName: name });
}

/** TTL is best effort: some stand-ins (dynalite) lack the API, and readers check expiry themselves anyway. */
export async function ensureTtl(db: DynamoDBClient, tableName: string, attribute: string, say: Say): Promise<void> {
  try {
    const current = await db.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
    const status = current.TimeToLiveDescription?.TimeToLiveStatus;
    if (status === 'ENABLED' || status === 'ENABLING') {
      say(`table ${tableName}: TTL on "${current.TimeToLiveDescription?.AttributeName}" already ${status.toLowerCase()}`);
      return;
    }
    await db.send(new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { AttributeName: attribute, Enabled: true } }));
    say(`table ${tableName}: TTL enabled on "${attribute}"`);
  } catch (err) {
    say(`table ${tableName}: TTL not enabled (${err instanceof Error ? err.name : String(err)}); expired items stay until deleted by hand`);
  }
}

export async function ensureBucket(s3: S3Client, bucket: string, region: string, say: Say): Promise<void> {
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
    say(`bucket ${bucket}: exists`);
    return;
  } catch (err) {
    if (!(err instanceof Error) || (err.name !== 'NotFound' && err.name !== 'NoSuchBucket')) throw err;
  }
  // us-east-1 is the one region that refuses an explicit LocationConstraint.
  const configuration = region === 'us-east-1' ? undefined : { LocationConstraint: region as BucketLocationConstraint };
  await s3.send(new CreateBucketCommand({ Bucket: bucket, CreateBucketConfiguration: configuration }));
  say(`bucket ${bucket}: created`);
}

export async function createAwsResources(clients: { dynamodb: DynamoDBClient; s3: S3Client }, names: ResourceNames, say: Say): Promise<void> {
  await ensureTable(clients.dynamodb, jobTableDefinition(names.jobTable), say);
  await ensureTable(clients.dynamodb, usageTableDefinition(names.usageTable), say);
  await ensureTtl(clients.dynamodb, names.usageTable, TTL_ATTRIBUTE, say);
  await ensureBucket(clients.s3, names.bucket, names.region, say);
}
