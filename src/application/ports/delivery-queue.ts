/**
 * A claimed delivery handed to another process to send: its id, and the lease its claim set (so the
 * receiver can tell a current hand-off from a stale or duplicated one: WebhookDeliveries.takeClaim).
 */
export interface DeliveryTicket {
  deliveryId: string;
  claimedUntil: string;
}

/** Where the dispatcher puts claimed deliveries for the sender (aws mode: an SQS queue read by the delivery Lambda). */
export interface DeliveryQueue {
  /** Enqueues every ticket, or throws after trying them all; a ticket not enqueued is claimed again when its lease ends. */
  enqueue(tickets: readonly DeliveryTicket[]): Promise<void>;
}
