import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { JobEventOutbox } from '../../application/ports/job-changes.ts';
import type { JobEvent } from '../../domain/job-event.ts';
import { callAws } from './aws-errors.ts';
import { EVENTS_PENDING } from './job-item.ts';
import { OUTBOX_INDEX, OUTBOX_KEY, PENDING_EVENTS } from './table-definitions.ts';

/** `<jobId>.<version>` → the job's id (job ids hold no dot after their last one: the version follows it). */
const jobIdOf = (eventId: string): string => eventId.slice(0, eventId.lastIndexOf('.'));

const byOccurrence = (a: JobEvent, b: JobEvent): number =>
  a.occurredAt !== b.occurredAt ? (a.occurredAt < b.occurredAt ? -1 : 1) : a.job.version - b.job.version;

/**
 * The job events outbox in the jobs table: the events DynamoDbJobRepository wrote into job items with
 * their changes, found through the sparse index (only jobs holding events are in it) and removed from
 * their item once handed on. The index is eventually consistent: an event just written may show on the
 * next read, never lost.
 */
export class DynamoDbJobEventOutbox implements JobEventOutbox {
  private readonly db: DynamoDBDocumentClient;
  private readonly tableName: string;
  constructor(
    db: DynamoDBDocumentClient,
    tableName: string,
  ) {
    this.db = db;
    this.tableName = tableName;
  }

  /** Oldest first among the least recently written jobs holding events (the index's order), at most `limit`. */
  async undispatched(limit: number): Promise<JobEvent[]> {
    const events: JobEvent[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await callAws('DynamoDB', () => this.db.send(new QueryCommand({
        TableName: this.tableName, IndexName: OUTBOX_INDEX, KeyConditionExpression: '#key = :pending',
        ExpressionAttributeNames: { '#key': OUTBOX_KEY }, ExpressionAttributeValues: { ':pending': EVENTS_PENDING },
        Limit: limit, ExclusiveStartKey: startKey,
      })));
      for (const item of page.Items ?? []) {
        for (const json of Object.values((item[PENDING_EVENTS] ?? {}) as Record<string, string>)) events.push(JSON.parse(json) as JobEvent);
      }
      startKey = page.LastEvaluatedKey;
    } while (events.length < limit && startKey);
    return events.sort(byOccurrence).slice(0, limit);
  }

  async markDispatched(eventIds: readonly string[]): Promise<void> {
    const byJob = new Map<string, string[]>();
    for (const id of eventIds) byJob.set(jobIdOf(id), [...(byJob.get(jobIdOf(id)) ?? []), id]);
    for (const [jobId, ids] of byJob) await callAws('DynamoDB', () => this.clear(jobId, ids));
  }

  /**
   * Removes the events from the job's outbox (removing one already gone is a no-op), then takes the job
   * out of the index if the outbox is empty — conditionally, so an event written meanwhile keeps it in.
   */
  private async clear(jobId: string, ids: readonly string[]): Promise<void> {
    const names: Record<string, string> = { '#outbox': PENDING_EVENTS };
    ids.forEach((id, i) => (names[`#e${i}`] = id));
    try {
      const out = await this.db.send(new UpdateCommand({
        TableName: this.tableName, Key: { jobId },
        UpdateExpression: `REMOVE ${ids.map((_, i) => `#outbox.#e${i}`).join(', ')}`,
        ConditionExpression: 'attribute_exists(#outbox)', ExpressionAttributeNames: names, ReturnValues: 'ALL_NEW',
      }));
      // The condition above means the map is there (possibly empty) in the item returned.
      const item = out.Attributes as Record<string, unknown>;
      if (!item[OUTBOX_KEY] || Object.keys(item[PENDING_EVENTS] as object).length > 0) return;
      await this.db.send(new UpdateCommand({
        TableName: this.tableName, Key: { jobId }, UpdateExpression: 'REMOVE #key', ConditionExpression: 'size(#outbox) = :none',
        ExpressionAttributeNames: { '#key': OUTBOX_KEY, '#outbox': PENDING_EVENTS }, ExpressionAttributeValues: { ':none': 0 },
      }));
    } catch (err) {
      // No such job (or no outbox), or an event arrived between the two writes: nothing to do.
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
    }
  }
}
