import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { DeliveryPosition, WebhookDeliveries } from '../../application/ports/webhook-deliveries.ts';
import type { WebhookDelivery } from '../../domain/webhook-delivery.ts';
import { callAws } from './aws-errors.ts';
import { DELIVERY_INDEXES, USAGE_PK, USAGE_SK } from './table-definitions.ts';

const { byTarget, byJob, due } = DELIVERY_INDEXES;
/** The due index's one partition. Fine for a delivery log's write rate; shard it (PENDING#0..n) past ~1,000 writes a second. */
const PENDING = 'PENDING';

const keyOf = (id: string) => ({ [USAGE_PK]: `WEBHOOK_DELIVERY#${id}`, [USAGE_SK]: 'WEBHOOK_DELIVERY' });
const sortOf = (p: DeliveryPosition) => `${p.createdAt}#${p.id}`;
const toDelivery = (item: Record<string, unknown>): WebhookDelivery => JSON.parse(String(item.delivery)) as WebhookDelivery;

/** The item: the delivery as JSON, plus the attributes its indexes and conditions read (the due ones only while pending). */
function toItem(d: WebhookDelivery): Record<string, unknown> {
  const item: Record<string, unknown> = {
    ...keyOf(d.id), userId: d.userId, target: d.target, outcome: d.outcome, sequence: d.sequence, delivery: JSON.stringify(d),
    [byTarget.pk]: `${d.userId}#${d.target}`, [byTarget.sk]: sortOf(d),
  };
  if (d.jobId !== undefined) Object.assign(item, { [byJob.pk]: `${d.userId}#${d.jobId}`, [byJob.sk]: sortOf(d) });
  if (d.outcome === 'pending' && d.nextAttemptAt) Object.assign(item, { [due.pk]: PENDING, [due.sk]: d.nextAttemptAt });
  return item;
}

/**
 * The delivery log in the usage table: one item per delivery, read by id, by endpoint and by job through
 * two indexes, and claimed through a sparse index of pending deliveries by due time. A claim is a
 * conditional write on the due time read, so two claimers never both get one. Indexes are eventually
 * consistent: a delivery just written may be claimable a moment later, never twice.
 */
export class DynamoDbWebhookDeliveries implements WebhookDeliveries {
  private readonly db: DynamoDBDocumentClient;
  private readonly tableName: string;
  constructor(
    db: DynamoDBDocumentClient,
    tableName: string,
  ) {
    this.db = db;
    this.tableName = tableName;
  }

  async add(deliveries: readonly WebhookDelivery[]): Promise<void> {
    for (const d of deliveries) {
      await callAws('DynamoDB', async () => {
        try {
          await this.db.send(new PutCommand({ TableName: this.tableName, Item: toItem(d), ConditionExpression: 'attribute_not_exists(#pk)', ExpressionAttributeNames: { '#pk': USAGE_PK } }));
        } catch (err) {
          if (!(err instanceof ConditionalCheckFailedException)) throw err;
        }
      });
    }
  }

  async claimDue(now: string, leaseUntil: string, limit: number): Promise<WebhookDelivery[]> {
    const claimed: WebhookDelivery[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.query({
        IndexName: due.name, KeyConditionExpression: '#pk = :pending AND #sk <= :now',
        ExpressionAttributeNames: { '#pk': due.pk, '#sk': due.sk }, ExpressionAttributeValues: { ':pending': PENDING, ':now': now },
        Limit: limit * 2, ExclusiveStartKey: startKey,
      });
      for (const item of page.Items ?? []) {
        const delivery = toDelivery(item);
        if (claimed.length < limit && (await this.isHead(delivery)) && (await this.lease(delivery.id, String(item[due.sk]), leaseUntil))) claimed.push(delivery);
      }
      startKey = page.LastEvaluatedKey;
    } while (claimed.length < limit && startKey);
    return claimed;
  }

  async takeClaim(id: string, claimedUntil: string, leaseUntil: string): Promise<WebhookDelivery | undefined> {
    const item = await this.lease(id, claimedUntil, leaseUntil);
    return item ? toDelivery(item) : undefined;
  }

  async save(delivery: WebhookDelivery): Promise<void> {
    await callAws('DynamoDB', () => this.db.send(new PutCommand({ TableName: this.tableName, Item: toItem(delivery) })));
  }

  async get(userId: string, id: string): Promise<WebhookDelivery | undefined> {
    const { Item: item } = await callAws('DynamoDB', () => this.db.send(new GetCommand({ TableName: this.tableName, Key: keyOf(id), ConsistentRead: true })));
    return item && item.userId === userId ? toDelivery(item) : undefined;
  }

  listByTarget(userId: string, target: string, limit: number, after?: DeliveryPosition): Promise<WebhookDelivery[]> {
    return this.newestFirst(byTarget, `${userId}#${target}`, limit, after);
  }

  listByJob(userId: string, jobId: string, limit: number): Promise<WebhookDelivery[]> {
    return this.newestFirst(byJob, `${userId}#${jobId}`, limit);
  }

  private async newestFirst(index: { name: string; pk: string; sk: string }, key: string, limit: number, after?: DeliveryPosition): Promise<WebhookDelivery[]> {
    const found: WebhookDelivery[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.query({
        IndexName: index.name, KeyConditionExpression: after ? '#pk = :key AND #sk < :after' : '#pk = :key',
        ExpressionAttributeNames: after ? { '#pk': index.pk, '#sk': index.sk } : { '#pk': index.pk },
        ExpressionAttributeValues: after ? { ':key': key, ':after': sortOf(after) } : { ':key': key },
        ScanIndexForward: false, Limit: limit - found.length, ExclusiveStartKey: startKey,
      });
      found.push(...(page.Items ?? []).map(toDelivery));
      startKey = page.LastEvaluatedKey;
    } while (found.length < limit && startKey);
    return found;
  }

  /** True unless an earlier delivery of the same job to the same target is still pending (a job's events go in order). */
  private async isHead(d: WebhookDelivery): Promise<boolean> {
    if (d.jobId === undefined) return true;
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.query({
        IndexName: byJob.name, KeyConditionExpression: '#pk = :key', FilterExpression: '#target = :target AND #outcome = :pending AND #sequence < :sequence',
        ExpressionAttributeNames: { '#pk': byJob.pk, '#target': 'target', '#outcome': 'outcome', '#sequence': 'sequence' },
        ExpressionAttributeValues: { ':key': `${d.userId}#${d.jobId}`, ':target': d.target, ':pending': 'pending', ':sequence': d.sequence },
        Select: 'COUNT', ExclusiveStartKey: startKey,
      });
      if ((page.Count ?? 0) > 0) return false;
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return true;
  }

  /** Moves the due time to `leaseUntil` if it is still the one read (the item, leased); undefined when another claimer (or a save) came first. */
  private async lease(id: string, seen: string, leaseUntil: string): Promise<Record<string, unknown> | undefined> {
    return callAws('DynamoDB', async () => {
      try {
        const out = await this.db.send(new UpdateCommand({
          TableName: this.tableName, Key: keyOf(id), UpdateExpression: 'SET #due = :lease', ConditionExpression: '#due = :seen AND #outcome = :pending',
          ExpressionAttributeNames: { '#due': due.sk, '#outcome': 'outcome' }, ExpressionAttributeValues: { ':lease': leaseUntil, ':seen': seen, ':pending': 'pending' },
          ReturnValues: 'ALL_NEW',
        }));
        return out.Attributes;
      } catch (err) {
        if (err instanceof ConditionalCheckFailedException) return undefined;
        throw err;
      }
    });
  }

  private query(input: Omit<QueryCommandInput, 'TableName'>) {
    return callAws('DynamoDB', () => this.db.send(new QueryCommand({ TableName: this.tableName, ...input })));
  }
}
