import type { JobChanges } from '../../application/ports/job-changes.ts';
import type { Job } from '../../domain/job.ts';
import type { JobEvent } from '../../domain/job-event.ts';

type Listener = (job: Job) => void;
type EventListener = (event: JobEvent) => void;

/**
 * Local mode's JobChanges: one per process, made by the composition root and handed to the repository,
 * which calls `emit` after each committed write. The event stream and the webhook delivery read it.
 */
export class JobWatchers implements JobChanges {
  private readonly watchers = new Map<string, Set<Listener>>();
  private readonly eventListeners = new Set<EventListener>();

  watch(jobId: string, listener: Listener): () => void {
    let set = this.watchers.get(jobId);
    if (!set) this.watchers.set(jobId, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.watchers.delete(jobId);
    };
  }

  onEvent(listener: EventListener): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  emit(job: Job, event?: JobEvent): void {
    const set = this.watchers.get(job.jobId);
    if (set) for (const listener of [...set]) listener(job);
    if (event) for (const listener of [...this.eventListeners]) listener(event);
  }
}
