import type BetterSqlite3 from 'better-sqlite3';
import { ConcurrentUpdate, JobNotFound } from '../../domain/errors.ts';
import { isJobCategory, isJobStatus, type Job, type VideoFacts } from '../../domain/job.ts';
import { isJobEventType, type JobEvent } from '../../domain/job-event.ts';
import type { JobChanges, JobEventOutbox } from '../../application/ports/job-changes.ts';
import type { JobPage, JobRepository, ListQuery } from '../../application/ports/job-repository.ts';
import type { UnfinishedJobs } from '../../application/ports/unfinished-jobs.ts';
import { JobWatchers } from '../local/job-watchers.ts';
import type { SqliteDatabase } from './sqlite-database.ts';

interface JobRow {
  job_id: string;
  user_id: string;
  prompt: string;
  category: string;
  status: string;
  progress: number;
  stage: string | null;
  failure_code: string | null;
  failure_message: string | null;
  video_key: string | null;
  thumbnail_key: string | null;
  video: string | null;
  generation_id: string | null;
  execution_arn: string | null;
  /** JSON: the job's generation fields (GENERATION_FIELDS), or null for a job made before them. */
  generation: string | null;
  created_at: string;
  updated_at: string;
  synced_at: string | null;
  version: number;
}

const COLUMNS = 'job_id, user_id, prompt, category, status, progress, stage, failure_code, failure_message, video_key, thumbnail_key, video, generation_id, execution_arn, generation, created_at, updated_at, synced_at, version';

const GENERATION_FIELDS = ['options', 'model', 'provider', 'settings', 'estimatedCostUsd', 'costUsd'] as const satisfies readonly (keyof Job)[];

function generationOf(job: Job): string | null {
  const fields: Record<string, unknown> = {};
  for (const name of GENERATION_FIELDS) if (job[name] !== undefined) fields[name] = job[name];
  return Object.keys(fields).length === 0 ? null : JSON.stringify(fields);
}
const NEWEST_FIRST = 'ORDER BY created_at DESC, job_id DESC LIMIT :limit';

function toRow(job: Job): JobRow {
  return {
    job_id: job.jobId, user_id: job.userId, prompt: job.prompt, category: job.category, status: job.status,
    progress: job.progress, stage: job.stage ?? null, failure_code: job.failure?.code ?? null,
    failure_message: job.failure?.message ?? null, video_key: job.videoKey ?? null,
    thumbnail_key: job.thumbnailKey ?? null, video: job.video ? JSON.stringify(job.video) : null, generation_id: job.generationId ?? null, execution_arn: job.executionArn ?? null,
    generation: generationOf(job), created_at: job.createdAt, updated_at: job.updatedAt, synced_at: job.syncedAt ?? null, version: job.version,
  };
}

function toJob(row: JobRow): Job {
  const { status, category } = row;
  if (!isJobStatus(status) || !isJobCategory(category)) throw new Error(`job row ${row.job_id} has an unknown status or category`);
  const job: { -readonly [K in keyof Job]: Job[K] } = {
    jobId: row.job_id, userId: row.user_id, prompt: row.prompt, category, status, progress: row.progress,
    createdAt: row.created_at, updatedAt: row.updated_at, version: row.version,
  };
  // Absent optional fields stay absent (not undefined), as the other repositories return them.
  if (row.stage !== null) job.stage = row.stage;
  if (row.failure_code !== null) job.failure = { code: row.failure_code, message: row.failure_message ?? '' };
  if (row.video_key !== null) job.videoKey = row.video_key;
  if (row.thumbnail_key !== null) job.thumbnailKey = row.thumbnail_key;
  if (row.video !== null) job.video = JSON.parse(row.video) as VideoFacts;
  if (row.generation_id !== null) job.generationId = row.generation_id;
  if (row.execution_arn !== null) job.executionArn = row.execution_arn;
  if (row.synced_at !== null) job.syncedAt = row.synced_at;
  if (row.generation !== null) Object.assign(job, JSON.parse(row.generation) as Partial<Job>);
  return job;
}

interface EventRow {
  event_id: string;
  type: string;
  job_id: string;
  user_id: string;
  job: string;
  occurred_at: string;
}

function toEventRow(event: JobEvent): EventRow {
  return { event_id: event.eventId, type: event.type, job_id: event.jobId, user_id: event.userId, job: JSON.stringify(event.job), occurred_at: event.occurredAt };
}

function toEvent(row: EventRow): JobEvent {
  if (!isJobEventType(row.type)) throw new Error(`job event ${row.event_id} has an unknown type`);
  return { eventId: row.event_id, type: row.type, jobId: row.job_id, userId: row.user_id, job: JSON.parse(row.job) as Job, occurredAt: row.occurred_at };
}

/**
 * Jobs in local mode's SQLite file. Each write is one transaction (better-sqlite3 is synchronous, so it
 * runs to completion before anything else on the event loop); updates are conditional on the stored
 * version, and the job event a change makes is inserted into the outbox (job_events) in the same
 * transaction. After the commit, the write is pushed to the process's JobWatchers.
 */
export class SqliteJobRepository implements JobRepository, JobChanges, JobEventOutbox, UnfinishedJobs {
  private readonly insertJob: (job: Job, event: JobEvent | undefined) => void;
  private readonly replaceJob: (next: Job, event: JobEvent | undefined) => number;
  private readonly pendingEvents: BetterSqlite3.Statement<[number], EventRow>;
  private readonly markEvent: BetterSqlite3.Statement<[string]>;
  private readonly insert: BetterSqlite3.Statement<[JobRow]>;
  private readonly select: BetterSqlite3.Statement<[string], JobRow>;
  private readonly replace: BetterSqlite3.Statement<[JobRow & { previous: number }]>;
  private readonly firstPage: BetterSqlite3.Statement<[{ user: string; limit: number }], JobRow>;
  private readonly nextPage: BetterSqlite3.Statement<[{ user: string; limit: number; createdAt: string; jobId: string }], JobRow>;
  private readonly firstFiltered: BetterSqlite3.Statement<[{ user: string; limit: number; status: string }], JobRow>;
  private readonly nextFiltered: BetterSqlite3.Statement<[{ user: string; limit: number; status: string; createdAt: string; jobId: string }], JobRow>;
  private readonly unfinished: BetterSqlite3.Statement<[], JobRow>;

  private readonly watchers: JobWatchers;
  constructor(db: SqliteDatabase, watchers: JobWatchers = new JobWatchers()) {
    this.watchers = watchers;
    this.insert = db.prepare(`INSERT INTO jobs (${COLUMNS}) VALUES (${COLUMNS.replace(/(\w+)/g, '@$1')})`);
    this.select = db.prepare(`SELECT ${COLUMNS} FROM jobs WHERE job_id = ?`);
    this.replace = db.prepare(`UPDATE jobs SET ${COLUMNS.split(', ').slice(2).map((c) => `${c} = @${c}`).join(', ')} WHERE job_id = @job_id AND version = @previous`);
    // Keyset pagination: the range starts just below the cursor in the (user, created_at, job_id) index.
    const after = 'AND (created_at, job_id) < (:createdAt, :jobId)';
    this.firstPage = db.prepare(`SELECT ${COLUMNS} FROM jobs WHERE user_id = :user ${NEWEST_FIRST}`);
    this.nextPage = db.prepare(`SELECT ${COLUMNS} FROM jobs WHERE user_id = :user ${after} ${NEWEST_FIRST}`);
    this.firstFiltered = db.prepare(`SELECT ${COLUMNS} FROM jobs WHERE user_id = :user AND status = :status ${NEWEST_FIRST}`);
    this.nextFiltered = db.prepare(`SELECT ${COLUMNS} FROM jobs WHERE user_id = :user AND status = :status ${after} ${NEWEST_FIRST}`);
    this.unfinished = db.prepare(`SELECT ${COLUMNS} FROM jobs WHERE status IN ('pending', 'processing') ORDER BY created_at, job_id`);
    const EVENT_COLUMNS = 'event_id, type, job_id, user_id, job, occurred_at';
    const insertEvent = db.prepare<[EventRow]>(`INSERT INTO job_events (${EVENT_COLUMNS}) VALUES (${EVENT_COLUMNS.replace(/(\w+)/g, '@$1')})`);
    this.pendingEvents = db.prepare(`SELECT ${EVENT_COLUMNS} FROM job_events WHERE dispatched = 0 ORDER BY sequence LIMIT ?`);
    this.markEvent = db.prepare('UPDATE job_events SET dispatched = 1 WHERE event_id = ?');
    const unitSaved = db.prepare<[string]>('DELETE FROM unsaved_units WHERE job_id = ?');
    // The job, its event and the end of its quota unit's "not saved yet" mark in one transaction: a crash
    // between them cannot leave one without the others (sqlite-usage-ledger.ts).
    this.insertJob = db.transaction((job: Job, event: JobEvent | undefined) => {
      this.insert.run(toRow(job));
      if (event) insertEvent.run(toEventRow(event));
      unitSaved.run(job.jobId);
    });
    this.replaceJob = db.transaction((next: Job, event: JobEvent | undefined) => {
      const { changes } = this.replace.run({ ...toRow(next), previous: next.version - 1 });
      if (changes > 0 && event) insertEvent.run(toEventRow(event));
      return changes;
    });
  }

  async create(job: Job, event?: JobEvent): Promise<void> {
    try {
      this.insertJob(job, event);
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') throw new Error(`job ${job.jobId} already exists`, { cause: err });
      throw err;
    }
    this.watchers.emit(job, event);
  }

  async get(jobId: string): Promise<Job | undefined> {
    const row = this.select.get(jobId);
    return row ? toJob(row) : undefined;
  }

  async update(next: Job, event?: JobEvent): Promise<void> {
    const changes = this.replaceJob(next, event);
    if (changes === 0) throw this.select.get(next.jobId) ? new ConcurrentUpdate(next.jobId) : new JobNotFound(next.jobId);
    this.watchers.emit(next, event);
  }

  async listByUser(userId: string, query: ListQuery): Promise<JobPage> {
    // One row more than asked for tells whether another page follows, so the last page has no `next`.
    const base = { user: userId, limit: query.limit + 1 };
    const { after, status } = query;
    let rows: JobRow[];
    if (status) rows = after ? this.nextFiltered.all({ ...base, status, ...after }) : this.firstFiltered.all({ ...base, status });
    else rows = after ? this.nextPage.all({ ...base, ...after }) : this.firstPage.all(base);
    const jobs = rows.slice(0, query.limit).map(toJob);
    const last = jobs[jobs.length - 1];
    return rows.length > query.limit && last ? { jobs, next: { createdAt: last.createdAt, jobId: last.jobId } } : { jobs };
  }

  async listUnfinished(): Promise<Job[]> {
    return this.unfinished.all().map(toJob);
  }

  watch(jobId: string, listener: (job: Job) => void): () => void {
    return this.watchers.watch(jobId, listener);
  }

  onEvent(listener: (event: JobEvent) => void): () => void {
    return this.watchers.onEvent(listener);
  }

  async undispatched(limit: number): Promise<JobEvent[]> {
    return this.pendingEvents.all(limit).map(toEvent);
  }

  async markDispatched(eventIds: readonly string[]): Promise<void> {
    for (const id of eventIds) this.markEvent.run(id);
  }
}
