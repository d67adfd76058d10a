import { signingSecrets } from '../domain/webhook.ts';
import { abandon, afterAttempt, publicJob, type AttemptResult, type WebhookDelivery } from '../domain/webhook-delivery.ts';
import type { Clock } from './ports/clock.ts';
import type { DeliveryTicket } from './ports/delivery-queue.ts';
import type { Logger } from './ports/logger.ts';
import type { VideoStorage } from './ports/video-storage.ts';
import type { WebhookDeliveries } from './ports/webhook-deliveries.ts';
import type { WebhookEndpoints } from './ports/webhook-endpoints.ts';
import type { WebhookSigner, WebhookTransport } from './ports/webhook-transport.ts';

export interface SendWebhookDeps {
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
  /** Told of each attempt's result (metrics: WebhookDeliveries, WebhookFailures, latency). */
  onAttempt?: (result: AttemptResult) => void;
}

/** What became of a ticket: sent (whatever the receiver answered), or skipped as stale or duplicated. */
export type TicketOutcome = 'attempted' | 'stale';

/**
 * One attempt of one delivery: signed afresh, sent through the SSRF-safe transport, its outcome (and the
 * next attempt's time, or the end) stored whatever happens. Run in the local delivery loop, and in aws
 * mode by the delivery Lambda for each ticket the dispatcher queued.
 */
export class SendWebhook {
  private readonly deps: SendWebhookDeps;
  constructor(deps: SendWebhookDeps) {
    this.deps = deps;
  }

  /**
   * A queued ticket: its claim taken over for `leaseMs` (longer than an attempt can take: 15 s timeout),
   * then one attempt. A ticket whose claim is gone (a duplicated message, or one the dispatcher replaced
   * after its lease ran out) is skipped: it never becomes a second attempt.
   */
  async deliver(ticket: DeliveryTicket, leaseMs: number): Promise<TicketOutcome> {
    const until = new Date(this.deps.clock.now().getTime() + leaseMs).toISOString();
    const delivery = await this.deps.deliveries.takeClaim(ticket.deliveryId, ticket.claimedUntil, until);
    if (!delivery) return 'stale';
    await this.attempt(delivery);
    return 'attempted';
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
