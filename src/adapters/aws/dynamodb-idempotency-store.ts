import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { IdempotencyRecord, IdempotencyStore } from '../../application/ports/idempotency-store.ts';
import { ServiceUnavailable } from '../../domain/errors.ts';
import { callAws } from './aws-errors.ts';
import { TTL_ATTRIBUTE, USAGE_PK, USAGE_SK } from './table-definitions.ts';

const MAX_ATTEMPTS = 5;

function recordKey(userId: string, key: string): Record<string, string> {
  return { [USAGE_PK]: `USER#${userId}`, [USAGE_SK]: `IDEMPOTENCY#${key}` };
}

/**
 * Idempotency claims in the usage table. A claim is a conditional put that succeeds only where no live
 * claim exists; `expiresAt` (ISO, compared as a string) decides liveness exactly, while the numeric
 * TTL attribute lets DynamoDB delete old claims eventually (TTL deletion lags by up to days).
 */
export class DynamoDbIdempotencyStore implements IdempotencyStore {
  private readonly db: DynamoDBDocumentClient;
  private readonly tableName: string;
  constructor(
    db: DynamoDBDocumentClient,
    tableName: string,
  ) {
    this.db = db;
    this.tableName = tableName;
  }

  async reserve(record: IdempotencyRecord, now: Date): Promise<IdempotencyRecord | undefined> {
    const put = new PutCommand({
      TableName: this.tableName,
      Item: {
        ...recordKey(record.userId, record.key),
        userId: record.userId,
        key: record.key,
        fingerprint: record.fingerprint,
        jobId: record.jobId,
        expiresAt: record.expiresAt,
        [TTL_ATTRIBUTE]: Math.ceil(Date.parse(record.expiresAt) / 1000),
      },
      ConditionExpression: 'attribute_not_exists(#pk) OR expiresAt <= :now',
      ExpressionAttributeNames: { '#pk': USAGE_PK },
      ExpressionAttributeValues: { ':now': now.toISOString() },
    });
    // The winner's record is read after a lost race; it may be released or expire in between, and then
    // the claim is simply tried again.
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      if (await this.conditional(() => this.db.send(put))) return undefined;
      const held = await this.read(record.userId, record.key);
      if (held && Date.parse(held.expiresAt) > now.getTime()) return held;
    }
    // Only a storm of claims and releases on one key gets here; the client may simply retry.
    throw new ServiceUnavailable('This Idempotency-Key is changing hands too fast; please retry', 1);
  }

  async release(userId: string, key: string, jobId: string): Promise<void> {
    const remove = new DeleteCommand({
      TableName: this.tableName,
      Key: recordKey(userId, key),
      ConditionExpression: 'jobId = :jobId',
      ExpressionAttributeValues: { ':jobId': jobId },
    });
    await this.conditional(() => this.db.send(remove));
  }

  /** True when the write was applied, false when its condition did not hold. */
  private async conditional(write: () => Promise<unknown>): Promise<boolean> {
    return callAws('DynamoDB', async () => {
      try {
        await write();
        return true;
      } catch (err) {
        if (err instanceof ConditionalCheckFailedException) return false;
        throw err;
      }
    });
  }

  private async read(userId: string, key: string): Promise<IdempotencyRecord | undefined> {
    const out = await callAws('DynamoDB', () =>
      this.db.send(new GetCommand({ TableName: this.tableName, Key: recordKey(userId, key), ConsistentRead: true })),
    );
    const item = out.Item;
    if (!item) return undefined;
    return {
      userId: String(item.userId),
      key: String(item.key),
      fingerprint: String(item.fingerprint),
      jobId: String(item.jobId),
      expiresAt: String(item.expiresAt),
    };
  }
}
