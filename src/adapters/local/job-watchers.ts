import type { JobEvents } from '../../application/ports/job-events.js';
import type { Job } from '../../domain/job.js';

type Listener = (job: Job) => void;

/** Local JobEvents: a repository that every write of a job goes through calls `emit` after each one. */
export class JobWatchers implements JobEvents {
  private readonly watchers = new Map<string, Set<Listener>>();

  watch(jobId: string, listener: Listener): () => void {
    let set = this.watchers.get(jobId);
    if (!set) this.watchers.set(jobId, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.watchers.delete(jobId);
    };
  }

  emit(job: Job): void {
    const set = this.watchers.get(job.jobId);
    if (set) for (const listener of [...set]) listener(job);
  }
}
