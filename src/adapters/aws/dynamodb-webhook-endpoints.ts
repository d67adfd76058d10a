import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { WebhookEndpoints } from '../../application/ports/webhook-endpoints.ts';
import type { JobWebhook, WebhookEndpoint } from '../../domain/webhook.ts';
import { callAws } from './aws-errors.ts';
import { USAGE_PK, USAGE_SK } from './table-definitions.ts';

type Endpoints = Record<string, WebhookEndpoint>;

const endpointsKey = (userId: string) => ({ [USAGE_PK]: `USER#${userId}`, [USAGE_SK]: 'WEBHOOKS' });
const secretKey = (userId: string) => ({ [USAGE_PK]: `USER#${userId}`, [USAGE_SK]: 'WEBHOOK_SECRET' });
const hookKey = (jobId: string) => ({ [USAGE_PK]: `JOB_WEBHOOK#${jobId}`, [USAGE_SK]: 'JOB_WEBHOOK' });

const oldestFirst = (a: WebhookEndpoint, b: WebhookEndpoint): number =>
  a.createdAt !== b.createdAt ? (a.createdAt < b.createdAt ? -1 : 1) : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;

/**
 * Webhook endpoints in the usage table. A user's endpoints (at most 10, a few hundred bytes each) are one
 * item, changed by read → change → write conditional on its revision, so the limit holds under concurrent
 * registrations without a transaction. The default secret and jobs' one-off webhooks are items of their own.
 */
export class DynamoDbWebhookEndpoints implements WebhookEndpoints {
  private readonly db: DynamoDBDocumentClient;
  private readonly tableName: string;
  constructor(
    db: DynamoDBDocumentClient,
    tableName: string,
  ) {
    this.db = db;
    this.tableName = tableName;
  }

  async create(endpoint: WebhookEndpoint, max: number): Promise<boolean> {
    return this.change(endpoint.userId, (mine) => (Object.keys(mine).length >= max ? undefined : { ...mine, [endpoint.id]: endpoint }));
  }

  async get(userId: string, id: string): Promise<WebhookEndpoint | undefined> {
    return (await this.read(userId)).endpoints[id];
  }

  async list(userId: string): Promise<WebhookEndpoint[]> {
    return Object.values((await this.read(userId)).endpoints).sort(oldestFirst);
  }

  async update(endpoint: WebhookEndpoint): Promise<boolean> {
    return this.change(endpoint.userId, (mine) => (mine[endpoint.id] ? { ...mine, [endpoint.id]: endpoint } : undefined));
  }

  async delete(userId: string, id: string): Promise<boolean> {
    return this.change(userId, (mine) => {
      if (!mine[id]) return undefined;
      const { [id]: _gone, ...rest } = mine;
      return rest;
    });
  }

  async defaultSecret(userId: string, candidate: string): Promise<string> {
    // if_not_exists: the first caller's candidate is kept, and every caller reads the kept one back.
    const out = await callAws('DynamoDB', () => this.db.send(new UpdateCommand({
      TableName: this.tableName, Key: secretKey(userId), UpdateExpression: 'SET #secret = if_not_exists(#secret, :candidate)',
      ExpressionAttributeNames: { '#secret': 'secret' }, ExpressionAttributeValues: { ':candidate': candidate }, ReturnValues: 'ALL_NEW',
    })));
    return String(out.Attributes?.secret);
  }

  async saveJobWebhook(hook: JobWebhook): Promise<void> {
    await callAws('DynamoDB', () => this.db.send(new PutCommand({ TableName: this.tableName, Item: { ...hookKey(hook.jobId), hook: JSON.stringify(hook) } })));
  }

  async jobWebhook(jobId: string): Promise<JobWebhook | undefined> {
    const { Item: item } = await callAws('DynamoDB', () => this.db.send(new GetCommand({ TableName: this.tableName, Key: hookKey(jobId), ConsistentRead: true })));
    return typeof item?.hook === 'string' ? (JSON.parse(item.hook) as JobWebhook) : undefined;
  }

  private async read(userId: string): Promise<{ endpoints: Endpoints; revision: number }> {
    const { Item: item } = await callAws('DynamoDB', () => this.db.send(new GetCommand({ TableName: this.tableName, Key: endpointsKey(userId), ConsistentRead: true })));
    return { endpoints: item ? (JSON.parse(String(item.endpoints)) as Endpoints) : {}, revision: Number(item?.revision ?? 0) };
  }

  /** Read → change → write if nobody wrote in between (else again); false when `change` declines (returns undefined). */
  private async change(userId: string, change: (mine: Endpoints) => Endpoints | undefined): Promise<boolean> {
    for (;;) {
      const { endpoints, revision } = await this.read(userId);
      const next = change(endpoints);
      if (!next) return false;
      try {
        await callAws('DynamoDB', () => this.db.send(new PutCommand({
          TableName: this.tableName, Item: { ...endpointsKey(userId), endpoints: JSON.stringify(next), revision: revision + 1 },
          ConditionExpression: revision === 0 ? 'attribute_not_exists(#revision)' : '#revision = :revision',
          ExpressionAttributeNames: { '#revision': 'revision' }, ExpressionAttributeValues: revision === 0 ? undefined : { ':revision': revision },
        })));
        return true;
      } catch (err) {
        if (!(err instanceof ConditionalCheckFailedException)) throw err;
      }
    }
  }
}
