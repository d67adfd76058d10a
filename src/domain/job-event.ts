import type { Job, JobStatus } from './job.ts';

// A job event is a change of a job's status, recorded with the change itself (never one without the
// other). Progress is not an event: it is shown live (SSE), not delivered (webhooks).

export const JOB_EVENT_TYPES = ['job.created', 'job.processing', 'job.completed', 'job.failed', 'job.canceled'] as const;
export type JobEventType = (typeof JOB_EVENT_TYPES)[number];

export interface JobEvent {
  /** `<jobId>.<version>`: unique, because a job's versions only grow and one write makes one event. */
  readonly eventId: string;
  readonly type: JobEventType;
  readonly jobId: string;
  readonly userId: string;
  /** The job as it was written with this event. */
  readonly job: Job;
  readonly occurredAt: string;
}

const BY_STATUS: Record<Exclude<JobStatus, 'pending'>, JobEventType> = {
  processing: 'job.processing',
  completed: 'job.completed',
  failed: 'job.failed',
  canceled: 'job.canceled',
};

export function isJobEventType(value: unknown): value is JobEventType {
  return typeof value === 'string' && (JOB_EVENT_TYPES as readonly string[]).includes(value);
}

/**
 * The event a write of `next` over `previous` makes: `job.created` for a new job, one per change of
 * status, none for a write that leaves the status as it was (progress, workflow handle, sync time).
 */
export function jobEventFor(previous: Job | undefined, next: Job): JobEvent | undefined {
  let type: JobEventType;
  if (!previous) type = 'job.created';
  else if (previous.status === next.status || next.status === 'pending') return undefined;
  else type = BY_STATUS[next.status];
  return { eventId: `${next.jobId}.${next.version}`, type, jobId: next.jobId, userId: next.userId, job: next, occurredAt: next.updatedAt };
}
