import type { DeliveryPosition, WebhookDeliveries } from '../../application/ports/webhook-deliveries.ts';
import type { WebhookDelivery } from '../../domain/webhook-delivery.ts';

const newestFirst = (a: WebhookDelivery, b: WebhookDelivery): number =>
  a.createdAt !== b.createdAt ? (a.createdAt < b.createdAt ? 1 : -1) : a.id < b.id ? 1 : a.id > b.id ? -1 : 0;

const below = (d: WebhookDelivery, p: DeliveryPosition): boolean => d.createdAt < p.createdAt || (d.createdAt === p.createdAt && d.id < p.id);

/** The delivery log in memory (LOCAL_STORE=memory and tests). Scans are linear: fine for a process's own tests. */
export class InMemoryWebhookDeliveries implements WebhookDeliveries {
  private readonly byId = new Map<string, WebhookDelivery>();

  async add(deliveries: readonly WebhookDelivery[]): Promise<void> {
    for (const d of deliveries) if (!this.byId.has(d.id)) this.byId.set(d.id, Object.freeze({ ...d }));
  }

  async claimDue(now: string, leaseUntil: string, limit: number): Promise<WebhookDelivery[]> {
    // The head of each (target, job) queue: the pending delivery with the lowest sequence.
    const heads = new Map<string, WebhookDelivery>();
    for (const d of this.byId.values()) {
      if (d.outcome !== 'pending') continue;
      const key = d.jobId === undefined ? d.id : `${d.target}\n${d.jobId}`;
      const head = heads.get(key);
      if (!head || d.sequence < head.sequence) heads.set(key, d);
    }
    const due = [...heads.values()]
      .filter((d) => (d.nextAttemptAt ?? '') <= now)
      .sort((a, b) => ((a.nextAttemptAt ?? '') < (b.nextAttemptAt ?? '') ? -1 : 1))
      .slice(0, limit);
    for (const d of due) this.byId.set(d.id, Object.freeze({ ...d, nextAttemptAt: leaseUntil }));
    return due;
  }

  async takeClaim(id: string, claimedUntil: string, leaseUntil: string): Promise<WebhookDelivery | undefined> {
    const d = this.byId.get(id);
    if (d?.outcome !== 'pending' || d.nextAttemptAt !== claimedUntil) return undefined;
    this.byId.set(id, Object.freeze({ ...d, nextAttemptAt: leaseUntil }));
    return d;
  }

  async save(delivery: WebhookDelivery): Promise<void> {
    this.byId.set(delivery.id, Object.freeze({ ...delivery }));
  }

  async get(userId: string, id: string): Promise<WebhookDelivery | undefined> {
    const d = this.byId.get(id);
    return d?.userId === userId ? d : undefined;
  }

  async listByTarget(userId: string, target: string, limit: number, after?: DeliveryPosition): Promise<WebhookDelivery[]> {
    return [...this.byId.values()]
      .filter((d) => d.userId === userId && d.target === target && (!after || below(d, after)))
      .sort(newestFirst)
      .slice(0, limit);
  }

  async listByJob(userId: string, jobId: string, limit: number): Promise<WebhookDelivery[]> {
    return [...this.byId.values()].filter((d) => d.userId === userId && d.jobId === jobId).sort(newestFirst).slice(0, limit);
  }
}
