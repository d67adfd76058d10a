import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ConsumeResult, SpendCharge, UsageLedger } from '../../application/ports/usage-ledger.ts';
import { callAws } from './aws-errors.ts';
import { USAGE_PK, USAGE_SK } from './table-definitions.ts';

export function usageKey(userId: string, period: string): Record<string, string> {
  return { [USAGE_PK]: `USER#${userId}`, [USAGE_SK]: `USAGE#${period}` };
}

/**
 * Monthly job counts, one item per user and period. Each change is a single conditional UpdateItem
 * (an atomic ADD), so concurrent requests can never push a count past the limit or below zero.
 */
export class DynamoDbUsageLedger implements UsageLedger {
  private readonly db: DynamoDBDocumentClient;
  private readonly tableName: string;
  constructor(
    db: DynamoDBDocumentClient,
    tableName: string,
  ) {
    this.db = db;
    this.tableName = tableName;
  }

  /**
   * One UpdateItem adds the unit and the cost (micro-USD, an integer) under one condition on both, so the
   * quota and the spend cap hold together under any concurrency.
   */
  async consume(userId: string, period: string, limit: number, spend?: SpendCharge): Promise<ConsumeResult> {
    // With a limit of 0, "no item yet" would otherwise pass the condition below.
    if (limit <= 0) return false;
    const cost = spend?.costMicroUsd ?? 0;
    const cap = spend?.limitMicroUsd;
    if (cap !== undefined && cost > cap) return (await this.used(userId, period)) >= limit ? false : 'spend';
    const capped = cap !== undefined;
    const update = new UpdateCommand({
      TableName: this.tableName,
      Key: usageKey(userId, period),
      UpdateExpression: 'ADD used :one, spentMicroUsd :cost',
      ConditionExpression: `(attribute_not_exists(used) OR used < :limit)${capped ? ' AND (attribute_not_exists(spentMicroUsd) OR spentMicroUsd <= :room)' : ''}`,
      ExpressionAttributeValues: { ':one': 1, ':cost': cost, ':limit': limit, ...(capped ? { ':room': cap - cost } : {}) },
    });
    if (await this.conditional(update)) return true;
    // Refused: which limit was it? (A read after the fact; only the error's wording depends on it.)
    return (await this.used(userId, period)) >= limit ? false : 'spend';
  }

  async refund(userId: string, period: string, costMicroUsd = 0): Promise<void> {
    const update = new UpdateCommand({
      TableName: this.tableName,
      Key: usageKey(userId, period),
      UpdateExpression: 'ADD used :minusOne, spentMicroUsd :minusCost',
      ConditionExpression: 'used > :zero AND (attribute_not_exists(spentMicroUsd) OR spentMicroUsd >= :cost)',
      ExpressionAttributeValues: { ':minusOne': -1, ':zero': 0, ':minusCost': -costMicroUsd, ':cost': costMicroUsd },
    });
    await this.conditional(update);
  }

  /**
   * One conditional UpdateItem: the difference is added and the job's id joins the month's settled set,
   * unless it is in it already (or nothing was reserved that month). The set holds one id per ended job
   * of the month: 37 bytes each, far inside an item's 400 KB at any monthly quota.
   */
  async settle(userId: string, period: string, jobId: string, reservedMicroUsd: number, actualMicroUsd: number): Promise<void> {
    const delta = actualMicroUsd - reservedMicroUsd;
    await this.conditional(new UpdateCommand({
      TableName: this.tableName,
      Key: usageKey(userId, period),
      UpdateExpression: 'ADD spentMicroUsd :delta, settledJobs :job',
      // A give-back larger than the month's spend (never expected) is refused rather than going below zero.
      ConditionExpression: `attribute_exists(used) AND NOT contains(settledJobs, :jobId)${delta < 0 ? ' AND spentMicroUsd >= :giveBack' : ''}`,
      ExpressionAttributeValues: { ':delta': delta, ':job': new Set([jobId]), ':jobId': jobId, ...(delta < 0 ? { ':giveBack': -delta } : {}) },
    }));
  }

  async spentMicroUsd(userId: string, period: string): Promise<number> {
    const out = await callAws('DynamoDB', () =>
      this.db.send(new GetCommand({ TableName: this.tableName, Key: usageKey(userId, period), ConsistentRead: true })),
    );
    return Number(out.Item?.spentMicroUsd ?? 0);
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
