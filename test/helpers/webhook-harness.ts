// The webhook use cases wired in process on the memory adapters, the real pinned transport and the real
// signer: what local mode composes, with a fake clock (started at the real time, since receivers check
// webhook-timestamp against their own clock) and a fixed jitter.
import { DeliverWebhooks } from '../../src/application/deliver-webhooks.ts';
import type { DeliveryQueue } from '../../src/application/ports/delivery-queue.ts';
import { ManageWebhooks } from '../../src/application/manage-webhooks.ts';
import { mutateJob, saveNewJob } from '../../src/application/mutate-job.ts';
import { silentLogger } from '../../src/application/ports/logger.ts';
import { WebhookDeliveryLog } from '../../src/application/webhook-delivery-log.ts';
import { InMemoryJobRepository } from '../../src/adapters/local/in-memory-job-repository.ts';
import { InMemoryWebhookDeliveries } from '../../src/adapters/local/in-memory-webhook-deliveries.ts';
import { InMemoryWebhookEndpoints } from '../../src/adapters/local/in-memory-webhook-endpoints.ts';
import { PinnedWebhookTransport, type Resolver } from '../../src/adapters/outbound-http/pinned-webhook-transport.ts';
import { StandardWebhooksSigner } from '../../src/adapters/standard-webhooks/standard-webhooks-signer.ts';
import { uuidGenerator } from '../../src/adapters/system-clock.ts';
import { advanceJob, completeJob, newJob, type Job } from '../../src/domain/job.ts';
import type { AttemptResult } from '../../src/domain/webhook-delivery.ts';
import { FakeClock } from './fake-clock.ts';
import { fakeStorage } from './test-app.ts';

export function webhookHarness(options: { ca?: string; resolve?: Resolver; allowLoopback?: boolean; startOffsetMs?: number; queue?: DeliveryQueue } = {}) {
  const clock = new FakeClock(new Date(Math.floor(Date.now() / 1000) * 1000 + (options.startOffsetMs ?? 0)).toISOString());
  const jobs = new InMemoryJobRepository();
  const endpoints = new InMemoryWebhookEndpoints();
  const deliveries = new InMemoryWebhookDeliveries();
  const rules = { allowLoopback: options.allowLoopback ?? true, ports: [443, 8443] };
  const transport = new PinnedWebhookTransport({ ...rules, ca: options.ca, resolve: options.resolve, timeoutMs: 5000 });
  const signer = new StandardWebhooksSigner();
  const manage = new ManageWebhooks({ endpoints, transport, signer, clock, ids: uuidGenerator, rules });
  /** Every attempt's result, as the metrics are told of it. */
  const attempts: AttemptResult[] = [];
  const deliver = new DeliverWebhooks({
    outbox: jobs, endpoints, deliveries, transport, signer, storage: fakeStorage, clock, logger: silentLogger,
    random: () => 0.5, videoUrlTtlSeconds: 3600, onAttempt: (result) => attempts.push(result), ...(options.queue ? { queue: options.queue } : {}),
  });
  const log = new WebhookDeliveryLog({ webhooks: manage, deliveries, clock, ids: uuidGenerator });
  let n = 0;
  /** A job for `userId` that is created, starts and completes (three events). */
  async function runJob(userId: string, finish = true): Promise<Job> {
    const job = newJob({ jobId: `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`, userId, prompt: 'A neon city at night', category: 'music-video', now: clock.now() });
    await saveNewJob(jobs, job);
    await mutateJob(jobs, job.jobId, (j) => advanceJob(j, { progress: 10 }, clock.now()));
    return finish ? mutateJob(jobs, job.jobId, (j) => completeJob(j, `videos/${j.jobId}.mp4`, clock.now())) : (jobs.get(job.jobId) as Promise<Job>);
  }
  /** Ticks until nothing is due now (retries later in the schedule stay pending). */
  async function drain(): Promise<void> {
    for (let i = 0; i < 100; i++) if ((await deliver.tick()).sent === 0) return;
  }
  return { clock, jobs, endpoints, deliveries, transport, signer, manage, deliver, log, runJob, drain, attempts };
}
