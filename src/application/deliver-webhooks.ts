import { createHash } from 'node:crypto';
import type { JobEvent } from '../domain/job-event.js';
import { signingSecrets } from '../domain/webhook.js';
import { abandon, afterAttempt, publicJob, type AttemptResult, type WebhookDelivery } from '../domain/webhook-delivery.js';
import type { Clock } from './ports/clock.js';
import type { JobEventOutbox } from './ports/job-changes.js';
import type { Logger } from './ports/logger.js';
import type { VideoStorage } from './ports/video-storage.js';
import type { WebhookDeliveries } from './ports/webhook-deliveries.js';
import type { WebhookEndpoints } from './ports/webhook-endpoints.js';
import type { WebhookSigner, WebhookTransport } from './ports/webhook-transport.js';

export interface DeliverWebhooksDeps {
  outbox: JobEventOutbox;
  endpoints: WebhookEndpoints;
  deliveries: WebhookDeliveries;
  transport: WebhookTransport;
  signer: WebhookSigner;
  storage: VideoStorage;
  clock: Clock;
  logger: Logger;
  /** In [0, 1): spreads retries (jitter). Injected so tests are deterministic. */
  random: () => number;
  videoUrlTtlSeconds: number;
  /** Deliveries sent at once per tick (each to a different job or endpoint). */
  concurrency?: number;
  /** How long a claimed delivery is left alone: longer than an attempt can take (15 s timeout). */
  leaseMs?: number;
  /** Told of each attempt's result (metrics: WebhookDeliveries, WebhookFailures, latency). */
  onAttempt?: (result: AttemptResult) => void;
}

export interface TickReport {
  events: number;
  sent: number;
}

const BATCH = 100;

/** The webhook-id of an event's message to one target: the same however often the fan-out runs. */
export function deliveryId(eventId: string, target: string): string {
  return `msg_${createHash('sha256').update(`${eventId}\n${target}`).digest('base64url').slice(0, 27)}`;
}

/**
 * The delivery use case: hands recorded job events to the endpoints that want them (fan-out, safe to
 * repeat), then sends what is due, each attempt signed afresh and its outcome logged. Driven by one timer
 * in local mode; crash-safe because every step's state is stored before the next one starts.
 */
export class DeliverWebhooks {
  private running: Promise<TickReport> | undefined;

  constructor(private readonly deps: DeliverWebhooksDeps) {}

  /** One round; a call while one runs waits for it instead of starting a second. */
  tick(): Promise<TickReport> {
    this.running ??= this.round().finally(() => (this.running = undefined));
    return this.running;
  }

  /** Resolves when no round is running (for a clean stop). */
  async settled(): Promise<void> {
    await this.running?.catch(() => undefined);
  }

  private async round(): Promise<TickReport> {
    const events = await this.fanOut();
    let sent = 0;
    for (;;) {
      const now = this.deps.clock.now();
      const due = await this.deps.deliveries.claimDue(now.toISOString(), new Date(now.getTime() + (this.deps.leaseMs ?? 60_000)).toISOString(), BATCH);
      if (due.length === 0) break;
      // A store error on one delivery leaves it claimed; it is tried again when its lease runs out.
      await runLimited(due, this.deps.concurrency ?? 8, (delivery) => this.attempt(delivery).catch((err: unknown) =>
        this.deps.logger.error({ err, deliveryId: delivery.id }, 'webhook attempt could not be recorded')));
      sent += due.length;
      if (due.length < BATCH) break;
    }
    return { events, sent };
  }

  private async fanOut(): Promise<number> {
    const { outbox, deliveries } = this.deps;
    let total = 0;
    for (;;) {
      const events = await outbox.undispatched(BATCH);
      for (const event of events) await deliveries.add(await this.deliveriesOf(event));
      await outbox.markDispatched(events.map((e) => e.eventId));
      total += events.length;
      if (events.length < BATCH) return total;
    }
  }

  /** One delivery per target that wants the event; each endpoint is read now, so a change applies from the next event on. */
  private async deliveriesOf(event: JobEvent): Promise<WebhookDelivery[]> {
    const { endpoints } = this.deps;
    const targets: { target: string; url: string }[] = [];
    for (const endpoint of await endpoints.list(event.userId)) {
      if (endpoint.enabled && endpoint.events.includes(event.type)) targets.push({ target: endpoint.id, url: endpoint.url });
    }
    const hook = await endpoints.jobWebhook(event.jobId);
    if (hook && hook.userId === event.userId && hook.events.includes(event.type)) targets.push({ target: `job:${event.jobId}`, url: hook.url });
    return targets.map(({ target, url }) => ({
      id: deliveryId(event.eventId, target), userId: event.userId, target, url, eventId: event.eventId, type: event.type,
      jobId: event.jobId, sequence: event.job.version, job: event.job, occurredAt: event.occurredAt,
      attempts: 0, outcome: 'pending', nextAttemptAt: event.occurredAt, createdAt: event.occurredAt,
    }));
  }

  /** One attempt of one delivery, its outcome stored whatever happens. */
  async attempt(delivery: WebhookDelivery): Promise<WebhookDelivery> {
    const { endpoints, transport, signer, clock, random } = this.deps;
    const now = clock.now();
    let url = delivery.url;
    let secrets: string[];
    const endpoint = delivery.target.startsWith('job:') ? undefined : await endpoints.get(delivery.userId, delivery.target);
    if (endpoint) {
      if (!endpoint.enabled && delivery.type !== 'webhook.test') return this.store(abandon(delivery, 'the endpoint is disabled', now));
      url = endpoint.url;
      secrets = signingSecrets(endpoint, now);
    } else if (delivery.target.startsWith('job:')) {
      secrets = [await endpoints.defaultSecret(delivery.userId, signer.newSecret())];
    } else {
      return this.store(abandon(delivery, 'the endpoint was deleted', now));
    }
    const body = JSON.stringify({ type: delivery.type, timestamp: delivery.occurredAt, data: await this.data(delivery, now) });
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'OmniGen-Webhooks/1',
      'webhook-id': delivery.id,
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': signer.sign(delivery.id, now, body, secrets),
    };
    const result = await transport.send(url, headers, body);
    this.deps.onAttempt?.(result);
    const next = afterAttempt(delivery, result, clock.now(), random);
    if (result.statusCode === 410 && endpoint) {
      // 410 Gone: the receiver says the endpoint is no more; nothing else is sent to it until re-enabled.
      await endpoints.update({ ...endpoint, enabled: false, disabledReason: 'the receiver answered 410 Gone', updatedAt: now.toISOString() });
    }
    if (next.outcome === 'failed') this.deps.logger.warn({ deliveryId: delivery.id, target: delivery.target, error: next.lastError, status: next.lastStatusCode }, 'webhook delivery failed for good');
    return this.store(next);
  }

  private async store(delivery: WebhookDelivery): Promise<WebhookDelivery> {
    await this.deps.deliveries.save(delivery);
    return delivery;
  }

  /** `data`: the public job, and on job.completed a video URL signed now (a late retry still gets a live one). */
  private async data(delivery: WebhookDelivery, now: Date): Promise<Record<string, unknown>> {
    const job = delivery.job;
    if (!job) return { message: 'A test event from OmniGen: your endpoint is reachable and verifies our signature' };
    if (delivery.type !== 'job.completed' || !job.videoKey) return { job: publicJob(job) };
    try {
      const { url } = await this.deps.storage.signedUrl(job.videoKey, this.deps.videoUrlTtlSeconds, now);
      return { job: publicJob(job), videoUrl: url };
    } catch (err) {
      this.deps.logger.warn({ err, jobId: job.jobId }, 'video URL could not be signed for a webhook; sent without it');
      return { job: publicJob(job) };
    }
  }
}

async function runLimited<T>(items: readonly T[], limit: number, run: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await run(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
