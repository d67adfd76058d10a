import type { WebhookDelivery } from '../../domain/webhook-delivery.ts';

export interface DeliveryPosition {
  createdAt: string;
  id: string;
}

/** The delivery log: every message to every endpoint, with its attempts' outcome (what an integrator audits). */
export interface WebhookDeliveries {
  /** Adds new deliveries; one whose id is already stored is left as it is (fan-out may run twice). */
  add(deliveries: readonly WebhookDelivery[]): Promise<void>;
  /**
   * Claims up to `limit` pending deliveries due at `now`, only the first pending one of each job to each
   * target (so a job's events reach an endpoint in order). Each claimed one is moved out to `leaseUntil`,
   * so another tick (or process) does not send it meanwhile; a crash mid-send leaves it to be sent again then.
   */
  claimDue(now: string, leaseUntil: string, limit: number): Promise<WebhookDelivery[]>;
  /**
   * Takes over a claim handed to another process (DeliveryTicket): when the delivery is still pending
   * under the lease `claimedUntil`, moves its lease to `leaseUntil` and returns it; otherwise (sent
   * meanwhile, claimed again after its lease ran out, or this ticket was already taken) returns
   * undefined, so a duplicated or stale hand-off never becomes a second attempt.
   */
  takeClaim(id: string, claimedUntil: string, leaseUntil: string): Promise<WebhookDelivery | undefined>;
  /** Stores the delivery's new state after an attempt (or a manual retry). */
  save(delivery: WebhookDelivery): Promise<void>;
  get(userId: string, id: string): Promise<WebhookDelivery | undefined>;
  /** A target's deliveries, newest first, after `after`. */
  listByTarget(userId: string, target: string, limit: number, after?: DeliveryPosition): Promise<WebhookDelivery[]>;
  /** A job's deliveries (every target), newest first. */
  listByJob(userId: string, jobId: string, limit: number): Promise<WebhookDelivery[]>;
}
