// The delivery Lambda's handler: an SQS event (up to BatchSize ticket messages from the delivery queue)
// → one attempt per ticket, all at once (each ticket is the head of its own job-and-target chain, so
// they never race one another). Its answer names the messages to keep (ReportBatchItemFailures): a
// ticket that could not be read, or whose attempt could not be recorded, is received again after the
// queue's visibility timeout and, after maxReceiveCount receives, lands in the dead-letter queue.
// A failed *request* to the receiver is not a failed message: it is recorded, with its next attempt
// scheduled in the delivery log, and the message is done.
// https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html#services-sqs-batchfailurereporting
import type { Logger } from '../../application/ports/logger.ts';
import type { DeliveryTicket } from '../../application/ports/delivery-queue.ts';
import type { TicketOutcome } from '../../application/send-webhook.ts';
import { InvalidEvent } from './lambda-event.ts';

/** How long an attempt holds a delivery: past the function's timeout (60 s), so a crashed attempt is handed out again soon after. */
export const ATTEMPT_LEASE_MS = 5 * 60_000;

export interface DeliveryFunction {
  send: { deliver(ticket: DeliveryTicket, leaseMs: number): Promise<TicketOutcome> };
  logger: Logger;
  /** Written at the end of each invocation: a frozen execution environment flushes no timer. */
  flushMetrics(): void;
}

interface SqsRecord {
  messageId: string;
  body: string;
}

export interface BatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

/** A message body as a ticket (the JSON SqsDeliveryQueue sends); undefined when it is not one. */
export function ticketOf(body: string): DeliveryTicket | undefined {
  try {
    const parsed = JSON.parse(body) as Partial<DeliveryTicket> | null;
    if (typeof parsed?.deliveryId === 'string' && parsed.deliveryId !== '' && typeof parsed.claimedUntil === 'string' && parsed.claimedUntil !== '') {
      return { deliveryId: parsed.deliveryId, claimedUntil: parsed.claimedUntil };
    }
  } catch {
    // not JSON: reported below
  }
  return undefined;
}

function recordsOf(event: unknown): SqsRecord[] {
  const records = (event as { Records?: unknown } | null)?.Records;
  if (!Array.isArray(records) || records.some((r) => typeof (r as SqsRecord | null)?.messageId !== 'string' || typeof (r as SqsRecord).body !== 'string')) {
    throw new InvalidEvent('not an SQS event (Records with messageId and body)');
  }
  return records as SqsRecord[];
}

export const createHandler = (built: () => DeliveryFunction) => async (event: unknown): Promise<BatchResponse> => {
  const records = recordsOf(event);
  const { send, logger, flushMetrics } = built();
  const failed: string[] = [];
  try {
    await Promise.all(records.map(async ({ messageId, body }) => {
      const ticket = ticketOf(body);
      if (!ticket) {
        logger.error({ messageId }, 'not a delivery ticket: kept for the dead-letter queue');
        failed.push(messageId);
        return;
      }
      try {
        if ((await send.deliver(ticket, ATTEMPT_LEASE_MS)) === 'stale') logger.info({ messageId, deliveryId: ticket.deliveryId }, 'ticket no longer current (sent, or handed out again): skipped');
      } catch (err) {
        logger.error({ err, messageId, deliveryId: ticket.deliveryId }, 'webhook attempt not recorded: the message is received again');
        failed.push(messageId);
      }
    }));
  } finally {
    flushMetrics();
  }
  return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
};
