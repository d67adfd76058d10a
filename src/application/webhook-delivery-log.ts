import { DomainError } from '../domain/errors.ts';
import { retryNow, type WebhookDelivery } from '../domain/webhook-delivery.ts';
import type { DeliveryPosition, WebhookDeliveries } from './ports/webhook-deliveries.ts';
import type { Clock } from './ports/clock.ts';
import type { IdGenerator } from './ports/id-generator.ts';
import type { ManageWebhooks } from './manage-webhooks.ts';

export class DeliveryNotFound extends DomainError {
  constructor(id: string) {
    super('NOT_FOUND', `Delivery ${id} not found`);
  }
}

export interface DeliveryPage {
  deliveries: WebhookDelivery[];
  next?: DeliveryPosition;
}

/** What an integrator sees and does with deliveries: the log per endpoint, a retry, a test event. */
export class WebhookDeliveryLog {
  private readonly deps: {
      webhooks: ManageWebhooks;
      deliveries: WebhookDeliveries;
      clock: Clock;
      ids: IdGenerator;
      /** Asks the delivery loop to run soon (a test or a retry should not wait for its timer). */
      wake?: () => void;
    };
  constructor(
    deps: {
      webhooks: ManageWebhooks;
      deliveries: WebhookDeliveries;
      clock: Clock;
      ids: IdGenerator;
      /** Asks the delivery loop to run soon (a test or a retry should not wait for its timer). */
      wake?: () => void;
    },
  ) {
    this.deps = deps;
  }

  async list(userId: string, endpointId: string, limit: number, after?: DeliveryPosition): Promise<DeliveryPage> {
    await this.deps.webhooks.get(userId, endpointId);
    const rows = await this.deps.deliveries.listByTarget(userId, endpointId, limit + 1, after);
    const deliveries = rows.slice(0, limit);
    const last = deliveries[deliveries.length - 1];
    return rows.length > limit && last ? { deliveries, next: { createdAt: last.createdAt, id: last.id } } : { deliveries };
  }

  async retry(userId: string, endpointId: string, deliveryId: string): Promise<WebhookDelivery> {
    await this.deps.webhooks.get(userId, endpointId);
    const delivery = await this.deps.deliveries.get(userId, deliveryId);
    if (!delivery || delivery.target !== endpointId) throw new DeliveryNotFound(deliveryId);
    const again = retryNow(delivery, this.deps.clock.now());
    await this.deps.deliveries.save(again);
    this.deps.wake?.();
    return again;
  }

  /** Queues a `webhook.test` message to the endpoint (enabled or not: the integrator asked for it). */
  async sendTest(userId: string, endpointId: string): Promise<WebhookDelivery> {
    const endpoint = await this.deps.webhooks.get(userId, endpointId);
    const at = this.deps.clock.now().toISOString();
    const delivery: WebhookDelivery = {
      id: `msg_test_${this.deps.ids.newId().replaceAll('-', '')}`, userId, target: endpoint.id, url: endpoint.url,
      eventId: `test.${at}`, type: 'webhook.test', sequence: 0, occurredAt: at, attempts: 0, outcome: 'pending', nextAttemptAt: at, createdAt: at,
    };
    await this.deps.deliveries.add([delivery]);
    this.deps.wake?.();
    return delivery;
  }

  /** A job's deliveries (to every target), newest first: what the try-it page shows. */
  byJob(userId: string, jobId: string): Promise<WebhookDelivery[]> {
    return this.deps.deliveries.listByJob(userId, jobId, 50);
  }
}
