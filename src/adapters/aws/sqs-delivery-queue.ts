import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DeliveryQueue, DeliveryTicket } from '../../application/ports/delivery-queue.ts';
import { callAws } from './aws-errors.ts';

/** SendMessageBatch takes at most ten entries (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatch.html). */
const MAX_BATCH = 10;

/** Some tickets were not queued: their claims run out and are handed out again. */
export class DeliveriesNotQueued extends Error {
  readonly deliveryIds: string[];
  constructor(deliveryIds: string[], detail: string) {
    super(`${deliveryIds.length} webhook deliveries not queued (${detail}); they are claimed again when their lease runs out`);
    this.deliveryIds = deliveryIds;
    this.name = 'DeliveriesNotQueued';
  }
}

/**
 * The delivery queue on SQS: one message per ticket, its body the ticket as JSON (read back by
 * adapters/lambda/deliver-webhooks.ts), sent ten to a request.
 * IAM authorizes SendMessageBatch as sqs:SendMessage. Every batch is tried; what failed is reported once.
 */
export class SqsDeliveryQueue implements DeliveryQueue {
  private readonly sqs: SQSClient;
  private readonly queueUrl: string;
  constructor(
    sqs: SQSClient,
    queueUrl: string,
  ) {
    this.sqs = sqs;
    this.queueUrl = queueUrl;
  }

  async enqueue(tickets: readonly DeliveryTicket[]): Promise<void> {
    const failed: string[] = [];
    let detail = '';
    for (let i = 0; i < tickets.length; i += MAX_BATCH) {
      const batch = tickets.slice(i, i + MAX_BATCH);
      try {
        const out = await callAws('SQS', () => this.sqs.send(new SendMessageBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: batch.map((ticket, n) => ({ Id: String(n), MessageBody: JSON.stringify(ticket) })),
        })));
        for (const entry of out.Failed ?? []) {
          failed.push((batch[Number(entry.Id)] as DeliveryTicket).deliveryId);
          detail = `${entry.Code}: ${entry.Message}`;
        }
      } catch (err) {
        failed.push(...batch.map((t) => t.deliveryId));
        detail = String(err);
      }
    }
    if (failed.length > 0) throw new DeliveriesNotQueued(failed, detail);
  }
}
