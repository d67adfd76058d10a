import type { Job, JobStatus } from '../domain/job.ts';
import type { JobCursor } from './job-cursor.ts';
import type { JobRepository } from './ports/job-repository.ts';

export interface ListJobsInput {
  userId: string;
  limit: number;
  cursor?: string;
  status?: JobStatus;
}

export interface ListJobsResult {
  jobs: Job[];
  nextCursor: string | null;
}

export class ListJobs {
  private readonly deps: { jobs: JobRepository; cursor: JobCursor };
  constructor(deps: { jobs: JobRepository; cursor: JobCursor }) {
    this.deps = deps;
  }

  async execute(input: ListJobsInput): Promise<ListJobsResult> {
    const { jobs, cursor } = this.deps;
    const after = input.cursor === undefined ? undefined : cursor.decode(input.userId, input.cursor);
    const page = await jobs.listByUser(input.userId, { limit: input.limit, after, status: input.status });
    return { jobs: page.jobs, nextCursor: page.next ? cursor.encode(input.userId, page.next) : null };
  }
}
