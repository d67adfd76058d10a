// The DynamoDB tables, defined once: the create-resources tool and the tests build them from here, so
// the adapters are tested against exactly the schema that gets deployed.
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/** Jobs: one item per job, keyed by jobId; the `byUser` index lists a user's jobs newest first. */
export const JOB_INDEX = 'byUser';
/** The index sort key: `${createdAt}#${jobId}`, so jobs created in the same millisecond still order deterministically. */
export const JOB_LIST_KEY = 'listKey';

/**
 * Usage counters and idempotency claims share one table (pk/sk with prefixes), so the service needs
 * only the two tables the contract names. Items: `USER#<userId>` / `USAGE#<yyyy-mm>` and
 * `USER#<userId>` / `IDEMPOTENCY#<key>`.
 */
export const USAGE_PK = 'pk';
export const USAGE_SK = 'sk';
/** Epoch seconds; DynamoDB's TTL deletes expired idempotency claims (lazily, so reads still check expiry). */
export const TTL_ATTRIBUTE = 'ttl';

export function jobTableDefinition(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: 'jobId', AttributeType: 'S' },
      { AttributeName: 'userId', AttributeType: 'S' },
      { AttributeName: JOB_LIST_KEY, AttributeType: 'S' },
    ],
    KeySchema: [{ AttributeName: 'jobId', KeyType: 'HASH' }],
    GlobalSecondaryIndexes: [
      {
        IndexName: JOB_INDEX,
        KeySchema: [
          { AttributeName: 'userId', KeyType: 'HASH' },
          { AttributeName: JOB_LIST_KEY, KeyType: 'RANGE' },
        ],
        // ALL: a listing page is served from the index alone, without a GetItem per job.
        Projection: { ProjectionType: 'ALL' },
      },
    ],
  };
}

export function usageTableDefinition(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: USAGE_PK, AttributeType: 'S' },
      { AttributeName: USAGE_SK, AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: USAGE_PK, KeyType: 'HASH' },
      { AttributeName: USAGE_SK, KeyType: 'RANGE' },
    ],
  };
}
