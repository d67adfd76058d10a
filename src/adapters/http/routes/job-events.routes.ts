import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { GetJob } from '../../../application/get-job.ts';
import type { JobChanges } from '../../../application/ports/job-changes.ts';
import { JobNotFound } from '../../../domain/errors.ts';
import { isTerminal, type Job as DomainJob } from '../../../domain/job.ts';
import { ErrorBody, HttpError } from '../http-error.ts';
import { principalOf } from '../plugins/auth.plugin.ts';
import { authErrors, bearer, Job, JobIdParams } from '../schemas.ts';
import { SseStream } from '../sse.ts';

export interface JobEventsRoutesOptions {
  getJob: GetJob;
  /** Local mode: every committed write of a job (the JobChanges feed). Without it (aws mode) each stream re-reads through `getJob`. */
  events?: JobChanges;
  /** aws mode: how often one stream re-reads its job (GetJob also reconciles with Step Functions). */
  pollIntervalMs?: number;
  maxStreamsPerUser?: number;
  maxStreams?: number;
  /** Keep-alive comments: idle connections are cut by load balancers (the ALB default is 60 s). */
  pingMs?: number;
}

const RETRY_AFTER_SECONDS = '5';

/** Counts open streams, so one user (or all of them) cannot hold every socket and timer of the process. */
class StreamSlots {
  private total = 0;
  private readonly byUser = new Map<string, number>();
  private readonly perUser: number;
  private readonly max: number;
  constructor(perUser: number, max: number) {
    this.perUser = perUser;
    this.max = max;
  }

  acquire(userId: string): () => void {
    const mine = this.byUser.get(userId) ?? 0;
    if (mine >= this.perUser) throw tooMany(`at most ${this.perUser} open event streams per user`, this.perUser, 'user');
    if (this.total >= this.max) throw tooMany('the server has too many open event streams', this.max, 'server');
    this.byUser.set(userId, mine + 1);
    this.total++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.total--;
      const left = (this.byUser.get(userId) ?? 1) - 1;
      if (left > 0) this.byUser.set(userId, left);
      else this.byUser.delete(userId);
    };
  }
}

function tooMany(reason: string, limit: number, scope: string): HttpError {
  return new HttpError(429, 'RATE_LIMITED', `Too many open event streams: ${reason}; close one or retry later`,
    { limit, scope, retryAfter: Number(RETRY_AFTER_SECONDS) }, { 'retry-after': RETRY_AFTER_SECONDS });
}

/** What a watcher sees: other writes (workflow handle, sync time) are not worth an event. */
function differs(a: DomainJob, b: DomainJob): boolean {
  return a.status !== b.status || a.progress !== b.progress || a.stage !== b.stage;
}

/** `GET /jobs/{id}/events`: the job as Server-Sent Events until it ends. Registered in the protected scope. */
export const jobEventsRoutes: FastifyPluginAsyncTypebox<JobEventsRoutesOptions> = async (app, opts) => {
  const pollIntervalMs = opts.pollIntervalMs ?? 2000;
  const pingMs = opts.pingMs ?? 15_000;
  const slots = new StreamSlots(opts.maxStreamsPerUser ?? 5, opts.maxStreams ?? 1000);
  const open = new Set<(shuttingDown?: boolean) => void>();
  // preClose, not onClose: server.close() waits for open connections, so streams must end before it.
  app.addHook('preClose', async () => {
    for (const finish of [...open]) finish(true);
  });

  app.get('/jobs/:id/events', {
    schema: {
      tags: ['jobs'], security: bearer, summary: "Follow a job's progress live (Server-Sent Events)",
      description: 'Read with fetch: EventSource cannot send the bearer header.',
      params: JobIdParams,
      response: {
        200: {
          description: '`event: job` with the job JSON (as GET /jobs/{id}) at once and on every change of status or progress; '
            + 'a `: ping` comment every 15 s; the stream ends after a terminal state.',
          content: { 'text/event-stream': { schema: Type.String() } },
        },
        400: ErrorBody, 404: ErrorBody, ...authErrors,
      },
    },
  }, async (request, reply) => {
    const userId = principalOf(request).userId;
    const jobId = request.params.id;
    // Ownership (404) and the bounds (429) are checked before hijacking, so they get the normal error body.
    let last = await opts.getJob.execute({ userId, jobId });
    const release = slots.acquire(userId);
    // The same serializer as GET /jobs/{id}: internal fields (userId, version, …) never leave.
    const toJson = reply.compileSerializationSchema(Job);
    const serialize = (job: DomainJob) => toJson({ ...job });
    reply.hijack();
    const sse = new SseStream(reply.raw);
    sse.open(reply.getHeaders());
    sse.event('job', serialize(last));

    let timer: NodeJS.Timeout | undefined;
    let unwatch: (() => void) | undefined;
    const ping = setInterval(() => sse.comment('ping'), pingMs);
    const finish = (shuttingDown = false) => {
      clearInterval(ping);
      clearTimeout(timer);
      unwatch?.();
      release();
      open.delete(finish);
      sse.end(shuttingDown);
    };
    open.add(finish);
    reply.raw.on('close', () => {
      // The client left before the stream ended: Fastify writes no request line for it, so we do.
      if (!reply.raw.writableFinished) app.requestEnded(request, reply);
      finish();
    });
    // A client that left while the job was being read has already fired 'close': end now, or its slot leaks.
    if (request.raw.destroyed || reply.raw.destroyed) return finish();

    const onJob = (job: DomainJob) => {
      // Versions only grow: a read that resolves after a newer push must not move the bar backwards.
      if (sse.isEnded || job.version <= last.version) return;
      const changed = differs(last, job);
      last = job;
      if (changed) sse.event('job', serialize(job));
      if (isTerminal(job.status)) finish();
    };
    const refresh = async () => {
      try {
        onJob(await opts.getJob.execute({ userId, jobId }));
      } catch (err) {
        if (err instanceof JobNotFound) return finish();
        request.log.warn({ err, jobId }, 'could not re-read job for its event stream');
      }
    };

    if (isTerminal(last.status)) return finish();
    if (opts.events) {
      unwatch = opts.events.watch(jobId, onJob);
      // A change between the first read and watch() would be missed otherwise.
      await refresh();
      return;
    }
    // One timer per stream, re-armed after each read, so a slow store never sees overlapping reads.
    // poll never rejects (refresh logs what a read throws), so the timer may leave its promise unawaited.
    const poll = async () => {
      await refresh();
      if (!sse.isEnded) timer = setTimeout(() => void poll(), pollIntervalMs);
    };
    timer = setTimeout(() => void poll(), pollIntervalMs);
  });
};
