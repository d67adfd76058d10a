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
 * `USER#<userId>` / `IDEMPOTENCY#<key>`; webhooks: `USER#<userId>` / `WEBHOOKS` (a user's endpoints),
 * `USER#<userId>` / `WEBHOOK_SECRET`, `JOB_WEBHOOK#<jobId>` and `WEBHOOK_DELIVERY#<id>`.
 */
export const USAGE_PK = 'pk';
export const USAGE_SK = 'sk';
/**
 * The job events outbox (docs/webhooks.md): a job item carries its undispatched events in `pendingEvents`
 * (event id → the event as JSON), written in the same conditional write as the change, and, while it
 * has any, `eventsPending` — the sparse index's key, so the outbox is read without a scan.
 */
export const OUTBOX_INDEX = 'undispatchedEvents';
export const OUTBOX_KEY = 'eventsPending';
export const PENDING_EVENTS = 'pendingEvents';

/**
 * Webhook deliveries live in the usage table too (pk `WEBHOOK_DELIVERY#<id>`); three sparse indexes serve
 * the delivery log per endpoint (`byTarget`), per job (`byJob`) and the pending deliveries by due time (`due`).
 * CloudFormation adds one index per table update: a stack deployed before them needs a deploy per index.
 */
export const DELIVERY_INDEXES = {
  byTarget: { name: 'deliveriesByTarget', pk: 'targetKey', sk: 'targetSort' },
  byJob: { name: 'deliveriesByJob', pk: 'jobKey', sk: 'jobSort' },
  due: { name: 'deliveriesDue', pk: 'duePartition', sk: 'dueAt' },
} as const;

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
      { AttributeName: OUTBOX_KEY, AttributeType: 'S' },
      { AttributeName: 'updatedAt', AttributeType: 'S' },
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
      {
        // Sparse: only jobs with undispatched events are in it, least recently written first.
        IndexName: OUTBOX_INDEX,
        KeySchema: [
          { AttributeName: OUTBOX_KEY, KeyType: 'HASH' },
          { AttributeName: 'updatedAt', KeyType: 'RANGE' },
        ],
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
      ...Object.values(DELIVERY_INDEXES).flatMap((index) => [
        { AttributeName: index.pk, AttributeType: 'S' as const },
        { AttributeName: index.sk, AttributeType: 'S' as const },
      ]),
    ],
    KeySchema: [
      { AttributeName: USAGE_PK, KeyType: 'HASH' },
      { AttributeName: USAGE_SK, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: Object.values(DELIVERY_INDEXES).map((index) => ({
      IndexName: index.name,
      KeySchema: [
        { AttributeName: index.pk, KeyType: 'HASH' },
        { AttributeName: index.sk, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    })),
  };
}
