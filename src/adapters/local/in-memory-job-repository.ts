import { ConcurrentUpdate, JobNotFound } from '../../domain/errors.ts';
import type { Job } from '../../domain/job.ts';
import type { JobEvent } from '../../domain/job-event.ts';
import type { JobChanges, JobEventOutbox } from '../../application/ports/job-changes.ts';
import type { JobPage, JobPosition, JobRepository, ListQuery } from '../../application/ports/job-repository.ts';
import { JobWatchers } from './job-watchers.ts';

/** Sorts ascending by (createdAt, jobId): the order of a user's index. */
function compare(a: JobPosition, b: JobPosition): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? -1 : 1;
  return a.jobId < b.jobId ? -1 : a.jobId > b.jobId ? 1 : 0;
}

/**
 * Jobs in memory, with a per-user index kept sorted by creation, so a page costs O(log n + limit)
 * whatever the user's job count. Its job events sit in an outbox changed in the same synchronous step as
 * the job (atomic: nothing else runs in between); each write is then pushed to the process's JobWatchers.
 */
export class InMemoryJobRepository implements JobRepository, JobChanges, JobEventOutbox {
  private readonly byId = new Map<string, Job>();
  private readonly byUser = new Map<string, Job[]>();
  /** Undispatched events, oldest first (Map keeps insertion order). */
  private readonly outbox = new Map<string, JobEvent>();

  private readonly watchers: JobWatchers;
  constructor(watchers: JobWatchers = new JobWatchers()) {
    this.watchers = watchers;
  }

  async create(job: Job, event?: JobEvent): Promise<void> {
    if (this.byId.has(job.jobId)) throw new Error(`job ${job.jobId} already exists`);
    const stored = Object.freeze({ ...job });
    this.byId.set(job.jobId, stored);
    let index = this.byUser.get(job.userId);
    if (!index) this.byUser.set(job.userId, (index = []));
    const last = index[index.length - 1];
    if (!last || compare(last, stored) < 0) index.push(stored);
    else index.splice(this.lowerBound(index, stored), 0, stored);
    if (event) this.outbox.set(event.eventId, event);
    this.watchers.emit(stored, event);
  }

  async get(jobId: string): Promise<Job | undefined> {
    return this.byId.get(jobId);
  }

  async update(next: Job, event?: JobEvent): Promise<void> {
    const current = this.byId.get(next.jobId);
    if (!current) throw new JobNotFound(next.jobId);
    if (current.version !== next.version - 1) throw new ConcurrentUpdate(next.jobId);
    const stored = Object.freeze({ ...next });
    this.byId.set(next.jobId, stored);
    const index = this.byUser.get(current.userId) as Job[];
    index[this.lowerBound(index, current)] = stored;
    if (event) this.outbox.set(event.eventId, event);
    this.watchers.emit(stored, event);
  }

  async listByUser(userId: string, query: ListQuery): Promise<JobPage> {
    const index = this.byUser.get(userId) ?? [];
    const jobs: Job[] = [];
    // Newest first: walk the ascending index backwards from just before the cursor.
    let i = (query.after ? this.lowerBound(index, query.after) : index.length) - 1;
    for (; i >= 0 && jobs.length < query.limit; i--) {
      const job = index[i] as Job;
      if (!query.status || job.status === query.status) jobs.push(job);
    }
    const last = jobs[jobs.length - 1];
    const more = last !== undefined && jobs.length === query.limit && i >= 0;
    return more ? { jobs, next: { createdAt: last.createdAt, jobId: last.jobId } } : { jobs };
  }

  watch(jobId: string, listener: (job: Job) => void): () => void {
    return this.watchers.watch(jobId, listener);
  }

  onEvent(listener: (event: JobEvent) => void): () => void {
    return this.watchers.onEvent(listener);
  }

  async undispatched(limit: number): Promise<JobEvent[]> {
    return [...this.outbox.values()].slice(0, limit);
  }

  async markDispatched(eventIds: readonly string[]): Promise<void> {
    for (const id of eventIds) this.outbox.delete(id);
  }

  /** The first index whose entry is not below `position`. */
  private lowerBound(index: readonly JobPosition[], position: JobPosition): number {
    let lo = 0;
    let hi = index.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compare(index[mid] as JobPosition, position) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
