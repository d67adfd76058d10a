import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConcurrentUpdate, JobNotFound } from '../../domain/errors.ts';
import type { Job } from '../../domain/job.ts';
import type { JobEvent } from '../../domain/job-event.ts';
import type { JobPage, JobPosition, JobRepository, ListQuery } from '../../application/ports/job-repository.ts';
import { callAws } from './aws-errors.ts';
import { JOB_INDEX, JOB_LIST_KEY } from './table-definitions.ts';
import { itemToJob, jobUpdate, listKey, newJobItem } from './job-item.ts';

export interface DynamoDbJobRepositoryOptions {
  /** Index items read per Query round while a status filter fills a page (a Query's Limit counts items before filtering). */
  filteredBatchSize?: number;
}

/**
 * Jobs in DynamoDB. Writes are conditional on the stored version (optimistic concurrency), so a
 * workflow writing the same item directly must bump `version` too (see docs/aws-mode.md). A write's job
 * event goes into the item's own outbox in that same write (one item's write is atomic: both or neither);
 * DynamoDbJobEventOutbox reads and clears it.
 */
export class DynamoDbJobRepository implements JobRepository {
  private readonly filteredBatchSize: number;

  private readonly db: DynamoDBDocumentClient;
  private readonly tableName: string;
  constructor(
    db: DynamoDBDocumentClient,
    tableName: string,
    options: DynamoDbJobRepositoryOptions = {},
  ) {
    this.db = db;
    this.tableName = tableName;
    this.filteredBatchSize = options.filteredBatchSize ?? 100;
  }

  async create(job: Job, event?: JobEvent): Promise<void> {
    const put = new PutCommand({
      TableName: this.tableName,
      Item: newJobItem(job, event),
      ConditionExpression: 'attribute_not_exists(jobId)',
    });
    await callAws('DynamoDB', async () => {
      try {
        await this.db.send(put);
      } catch (err) {
        if (err instanceof ConditionalCheckFailedException) throw new Error(`job ${job.jobId} already exists`, { cause: err });
        throw err;
      }
    });
  }

  async get(jobId: string): Promise<Job | undefined> {
    const out = await callAws('DynamoDB', () =>
      this.db.send(new GetCommand({ TableName: this.tableName, Key: { jobId }, ConsistentRead: true })),
    );
    return out.Item ? itemToJob(out.Item) : undefined;
  }

  async update(next: Job, event?: JobEvent): Promise<void> {
    const write = (wholeOutbox: boolean) => this.db.send(new UpdateCommand({ TableName: this.tableName, Key: { jobId: next.jobId }, ...jobUpdate(next, event, wholeOutbox) }));
    await callAws('DynamoDB', async () => {
      try {
        await write(false).catch((err: unknown) => {
          // A job item written before items had an outbox map: the event's path does not exist yet.
          if (event && err instanceof Error && err.name === 'ValidationException' && /document path/i.test(err.message)) return write(true);
          throw err;
        });
      } catch (err) {
        if (!(err instanceof ConditionalCheckFailedException)) throw err;
        // The condition also fails on a missing item (no version): tell the two apart.
        const current = await this.get(next.jobId);
        throw current ? new ConcurrentUpdate(next.jobId) : new JobNotFound(next.jobId);
      }
    });
  }

  async listByUser(userId: string, query: ListQuery): Promise<JobPage> {
    // One job more than asked for tells whether another page follows, so the last page has no `next`.
    const wanted = query.limit + 1;
    const found: Job[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await callAws('DynamoDB', () => this.db.send(this.listQuery(userId, query, wanted - found.length, startKey)));
      for (const item of page.Items ?? []) found.push(itemToJob(item));
      startKey = page.LastEvaluatedKey;
    } while (found.length < wanted && startKey);
    const jobs = found.slice(0, query.limit);
    const last = jobs[jobs.length - 1];
    if (found.length <= query.limit || !last) return { jobs };
    const next: JobPosition = { createdAt: last.createdAt, jobId: last.jobId };
    return { jobs, next };
  }

  /** Readiness: the table answers a read with these credentials (GetItem, the permission the service has anyway). */
  async check(): Promise<void> {
    await callAws('DynamoDB', () => this.db.send(new GetCommand({ TableName: this.tableName, Key: { jobId: 'readiness-probe' } })));
  }

  private listQuery(userId: string, query: ListQuery, missing: number, startKey: Record<string, unknown> | undefined): QueryCommand {
    // DynamoDB refuses names and values that the expressions do not use, so each is added with its use.
    const names: Record<string, string> = { '#user': 'userId' };
    const values: Record<string, unknown> = { ':user': userId };
    let keyCondition = '#user = :user';
    if (query.after) {
      names['#key'] = JOB_LIST_KEY;
      keyCondition += ' AND #key < :after';
      values[':after'] = listKey(query.after);
    }
    if (query.status) {
      names['#status'] = 'status';
      values[':status'] = query.status;
    }
    return new QueryCommand({
      TableName: this.tableName,
      IndexName: JOB_INDEX,
      KeyConditionExpression: keyCondition,
      FilterExpression: query.status ? '#status = :status' : undefined,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ScanIndexForward: false,
      Limit: query.status ? Math.max(missing, this.filteredBatchSize) : missing,
      ExclusiveStartKey: startKey,
    });
  }
}
