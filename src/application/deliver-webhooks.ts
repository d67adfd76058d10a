import { createHash } from 'node:crypto';
import type { JobEvent } from '../domain/job-event.ts';
import type { WebhookDelivery } from '../domain/webhook-delivery.ts';
import type { DeliveryQueue } from './ports/delivery-queue.ts';
import type { JobEventOutbox } from './ports/job-changes.ts';
import { SendWebhook, type SendWebhookDeps } from './send-webhook.ts';

export interface DeliverWebhooksDeps extends SendWebhookDeps {
  outbox: JobEventOutbox;
  /** Deliveries sent at once per tick (each to a different job or endpoint). */
  concurrency?: number;
  /**
   * How long a claimed delivery is left alone: longer than an attempt can take (15 s timeout), or, with
   * a queue, than a ticket may wait in it before it is handed out again.
   */
  leaseMs?: number;
  /** aws mode: claimed deliveries are handed to this queue (the delivery Lambda sends them) instead of sent here. */
  queue?: DeliveryQueue;
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
 * The delivery loop: hands recorded job events to the endpoints that want them (fan-out, safe to
 * repeat), then claims what is due (the first pending delivery of each job to each target, so events
 * go out in order) and sends it here (local mode) or queues it for the delivery Lambda (aws mode).
 * Crash-safe because every step's state is stored before the next one starts: an event leaves the
 * outbox only once its deliveries are stored, and a claim not sent or not queued runs out and is
 * claimed again.
 */
export class DeliverWebhooks {
  private running: Promise<TickReport> | undefined;
  readonly send: SendWebhook;

  private readonly deps: DeliverWebhooksDeps;
  constructor(deps: DeliverWebhooksDeps) {
    this.deps = deps;
    this.send = new SendWebhook(deps);
  }

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
      const claimedUntil = new Date(now.getTime() + (this.deps.leaseMs ?? 60_000)).toISOString();
      const due = await this.deps.deliveries.claimDue(now.toISOString(), claimedUntil, BATCH);
      if (due.length === 0) break;
      const { queue } = this.deps;
      if (queue) {
        // Not queued (the queue unreachable): claimed again when the lease runs out.
        await queue.enqueue(due.map((d) => ({ deliveryId: d.id, claimedUntil })));
      } else {
        // A store error on one delivery leaves it claimed; it is tried again when its lease runs out.
        await runLimited(due, this.deps.concurrency ?? 8, (delivery) => this.send.attempt(delivery).catch((err: unknown) =>
          this.deps.logger.error({ err, deliveryId: delivery.id }, 'webhook attempt could not be recorded')));
      }
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
}

async function runLimited<T>(items: readonly T[], limit: number, run: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await run(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
