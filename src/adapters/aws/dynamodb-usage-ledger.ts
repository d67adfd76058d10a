import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { UsageLedger } from '../../application/ports/usage-ledger.js';
import { callAws } from './aws-errors.js';
import { USAGE_PK, USAGE_SK } from './table-definitions.js';

export function usageKey(userId: string, period: string): Record<string, string> {
  return { [USAGE_PK]: `USER#${userId}`, [USAGE_SK]: `USAGE#${period}` };
}

/**
 * Monthly job counts, one item per user and period. Each change is a single conditional UpdateItem
 * (an atomic ADD), so concurrent requests can never push a count past the limit or below zero.
 */
export class DynamoDbUsageLedger implements UsageLedger {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async consume(userId: string, period: string, limit: number): Promise<boolean> {
    // With a limit of 0, "no item yet" would otherwise pass the condition below.
    if (limit <= 0) return false;
    const update = new UpdateCommand({
      TableName: this.tableName,
      Key: usageKey(userId, period),
      UpdateExpression: 'ADD used :one',
      ConditionExpression: 'attribute_not_exists(used) OR used < :limit',
      ExpressionAttributeValues: { ':one': 1, ':limit': limit },
    });
    return this.conditional(update);
  }

  async refund(userId: string, period: string): Promise<void> {
    const update = new UpdateCommand({
      TableName: this.tableName,
      Key: usageKey(userId, period),
      UpdateExpression: 'ADD used :minusOne',
      ConditionExpression: 'used > :zero',
      ExpressionAttributeValues: { ':minusOne': -1, ':zero': 0 },
    });
    await this.conditional(update);
  }

  async used(userId: string, period: string): Promise<number> {
    const out = await callAws('DynamoDB', () =>
      this.db.send(new GetCommand({ TableName: this.tableName, Key: usageKey(userId, period), ConsistentRead: true })),
    );
    return Number(out.Item?.used ?? 0);
  }

  /** Readiness: the table answers a read with these credentials. */
  async check(): Promise<void> {
    await callAws('DynamoDB', () => this.db.send(new GetCommand({ TableName: this.tableName, Key: usageKey('readiness-probe', '0000-00') })));
  }

  /** True when the update was applied, false when its condition did not hold. */
  private async conditional(update: UpdateCommand): Promise<boolean> {
    return callAws('DynamoDB', async () => {
      try {
        await this.db.send(update);
        return true;
      } catch (err) {
        if (err instanceof ConditionalCheckFailedException) return false;
        throw err;
      }
    });
  }
}
