// Lambda's event source mapping for an SQS queue, as a stand-in: pollers that long-poll the queue with
// the function's own credentials (as the Lambda service does, with the function's execution role),
// invoke the function with up to BatchSize records in the SQS event shape, and delete what succeeded.
// A thrown invocation deletes nothing (every message shows again after the visibility timeout); with
// ReportBatchItemFailures, only the records named in `batchItemFailures` stay, and a reply naming a
// record that is not in the batch fails the whole batch, as Lambda treats it.
// https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';

export interface SqsEventSourceOptions {
  sqs: SQSClient;
  queueUrl: string;
  queueArn: string;
  region: string;
  batchSize: number;
  reportBatchItemFailures: boolean;
  invoke: (event: SqsEvent) => Promise<unknown>;
  /** Pollers at once (Lambda starts with five); default 2. */
  pollers?: number;
  /** Polling or invoking failed: the pollers go on (as Lambda's do). */
  onError?: (err: unknown) => void;
}

export interface SqsRecord {
  messageId: string;
  receiptHandle: string;
  body: string;
  attributes: Record<string, string>;
  messageAttributes: Record<string, never>;
  md5OfBody: string;
  eventSource: 'aws:sqs';
  eventSourceARN: string;
  awsRegion: string;
}

export interface SqsEvent {
  Records: SqsRecord[];
}

export interface SqsEventSource {
  /** Invocations so far, and the records they carried. */
  invocations: number;
  records: number;
  stop(): Promise<void>;
}

/** The records that stay on the queue after `reply`; every record when the reply is not a valid partial-failure answer. */
export function failedRecords(records: SqsRecord[], reply: unknown, reportBatchItemFailures: boolean): SqsRecord[] {
  if (!reportBatchItemFailures) return [];
  const failures = (reply as { batchItemFailures?: unknown } | null)?.batchItemFailures;
  if (failures === undefined || failures === null) return [];
  if (!Array.isArray(failures)) return records;
  const ids = failures.map((f) => (f as { itemIdentifier?: unknown } | null)?.itemIdentifier);
  if (ids.some((id) => typeof id !== 'string' || !records.some((r) => r.messageId === id))) return records;
  return records.filter((r) => ids.includes(r.messageId));
}

export function startSqsEventSource(options: SqsEventSourceOptions): SqsEventSource {
  const { sqs, queueUrl } = options;
  const stopping = new AbortController();
  const state: SqsEventSource = { invocations: 0, records: 0, stop: async () => undefined };
  const record = (m: Message): SqsRecord => ({
    messageId: String(m.MessageId), receiptHandle: String(m.ReceiptHandle), body: String(m.Body), attributes: (m.Attributes ?? {}) as Record<string, string>,
    messageAttributes: {}, md5OfBody: String(m.MD5OfBody), eventSource: 'aws:sqs', eventSourceARN: options.queueArn, awsRegion: options.region,
  });
  const poll = async (): Promise<void> => {
    while (!stopping.signal.aborted) {
      try {
        const { Messages: messages = [] } = await sqs.send(new ReceiveMessageCommand({
          // Long polling, as Lambda's pollers do; stopping aborts the wait.
          QueueUrl: queueUrl, MaxNumberOfMessages: Math.min(options.batchSize, 10), WaitTimeSeconds: 20, MessageSystemAttributeNames: ['All'],
        }), { abortSignal: stopping.signal });
        if (messages.length === 0) continue;
        const records = messages.map(record);
        state.invocations += 1;
        state.records += records.length;
        let failed: SqsRecord[];
        try {
          failed = failedRecords(records, await options.invoke({ Records: records }), options.reportBatchItemFailures);
        } catch (err) {
          options.onError?.(err);
          failed = records;
        }
        const done = records.filter((r) => !failed.includes(r));
        if (done.length > 0) {
          await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: done.map((r, i) => ({ Id: String(i), ReceiptHandle: r.receiptHandle })) }));
        }
      } catch (err) {
        if (stopping.signal.aborted) break;
        options.onError?.(err);
        // As Lambda's pollers back off from a queue they cannot read (a missing grant, an outage).
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 200);
          stopping.signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
        });
      }
    }
  };
  const running = Array.from({ length: options.pollers ?? 2 }, () => poll());
  state.stop = async () => {
    stopping.abort();
    await Promise.all(running);
  };
  return state;
}
