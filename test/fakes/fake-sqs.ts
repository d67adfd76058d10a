// An SQS stand-in speaking the protocol @aws-sdk/client-sqs v3 uses (AWS JSON 1.0: POST / with
// X-Amz-Target: AmazonSQS.<Operation>), with the behaviour the delivery path relies on: a visibility
// timeout per queue (or per receive), DelaySeconds (at most 900), long polling, receipt handles that
// change on every receive, and a RedrivePolicy that moves a message received maxReceiveCount times to
// its dead-letter queue instead of handing it out again. Messages live in memory.
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_Operations.html
import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { closeServer, listenOnLoopback } from './loopback-server.ts';
import type { Teardown } from './fake-step-functions.ts';

export interface QueueSpec {
  name: string;
  /** Seconds a received message stays hidden (SQS's default is 30). */
  visibilityTimeoutSeconds?: number;
  redrive?: { deadLetterQueue: string; maxReceiveCount: number };
}

interface Message {
  id: string;
  body: string;
  md5: string;
  sentAt: number;
  /** Hidden until then (delayed, or received and not yet deleted). */
  visibleAt: number;
  receiveCount: number;
  firstReceivedAt?: number;
  receipt?: string;
}

interface Queue extends Required<Omit<QueueSpec, 'redrive'>> {
  redrive?: QueueSpec['redrive'];
  url: string;
  arn: string;
  messages: Message[];
}

type Reply = [status: number, body: Record<string, unknown>, queryError?: string];

const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');
// The JSON protocol's error: a `__type`, and the Query protocol's code for older clients (x-amzn-query-error).
const fail = (type: string, message: string, queryCode = type): Reply => [400, { __type: `com.amazonaws.sqs#${type}`, message }, `${queryCode};Sender`];

export class FakeSqs {
  readonly queues = new Map<string, Queue>();
  /** Every call, in order (tests count SendMessageBatch). */
  readonly calls: { operation: string; body: Record<string, unknown> }[] = [];
  endpoint = '';
  private server: Server | undefined;
  private waiters = new Set<() => void>();

  private readonly region: string;
  private readonly account: string;
  private constructor(region: string, account: string) {
    this.region = region;
    this.account = account;
  }

  static async start(t: Teardown, queues: QueueSpec[], options: { region?: string; account?: string } = {}): Promise<FakeSqs> {
    const fake = new FakeSqs(options.region ?? 'us-east-1', options.account ?? '123456789012');
    for (const spec of queues) fake.create(spec);
    ({ server: fake.server, endpoint: fake.endpoint } = await listenOnLoopback((req, res) => void fake.handle(req, res)));
    t.teardown(() => fake.close());
    return fake;
  }

  /** The queue's URL and ARN as AWS forms them. */
  create(spec: QueueSpec): Queue {
    const queue: Queue = {
      name: spec.name, visibilityTimeoutSeconds: spec.visibilityTimeoutSeconds ?? 30, redrive: spec.redrive,
      url: `https://sqs.${this.region}.amazonaws.com/${this.account}/${spec.name}`, arn: `arn:aws:sqs:${this.region}:${this.account}:${spec.name}`, messages: [],
    };
    this.queues.set(spec.name, queue);
    return queue;
  }

  queue(name: string): Queue {
    const queue = this.queues.get(name);
    if (!queue) throw new Error(`no queue ${name}`);
    return queue;
  }

  async close(): Promise<void> {
    for (const wake of this.waiters) wake();
    await closeServer(this.server);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.startsWith('AmazonSQS.') ? target.slice('AmazonSQS.'.length) : '';
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
    } catch {
      // answered below as a call on no queue
    }
    this.calls.push({ operation, body });
    const closed = new AbortController();
    res.once('close', () => closed.abort());
    const [status, answer, queryError] = await this.answer(operation, body, closed.signal);
    if (res.destroyed) return;
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': randomUUID(), ...(queryError ? { 'x-amzn-query-error': queryError } : {}) });
    res.end(JSON.stringify(answer));
  }

  private byUrl(url: unknown): Queue | undefined {
    // A queue is named by its URL's path, /<account>/<name>, whatever host the URL names.
    const [, account, name] = /\/(\d{12})\/([^/]+)$/.exec(String(url ?? '')) ?? [];
    return account === this.account ? this.queues.get(String(name)) : undefined;
  }

  private async answer(operation: string, body: Record<string, unknown>, closed: AbortSignal): Promise<Reply> {
    if (operation === 'GetQueueUrl') {
      const queue = this.queues.get(String(body.QueueName));
      return queue ? [200, { QueueUrl: queue.url }] : fail('QueueDoesNotExist', 'The specified queue does not exist.', 'AWS.SimpleQueueService.NonExistentQueue');
    }
    const queue = this.byUrl(body.QueueUrl);
    if (!queue) return fail('QueueDoesNotExist', 'The specified queue does not exist.', 'AWS.SimpleQueueService.NonExistentQueue');
    switch (operation) {
      case 'SendMessage': {
        const sent = this.send(queue, body);
        return 'error' in sent ? sent.error : [200, { MessageId: sent.id, MD5OfMessageBody: sent.md5 }];
      }
      case 'SendMessageBatch': {
        const entries = (body.Entries as Record<string, unknown>[] | undefined) ?? [];
        if (entries.length === 0 || entries.length > 10) return fail(entries.length ? 'TooManyEntriesInBatchRequest' : 'EmptyBatchRequest', `${entries.length} entries`);
        const Successful: unknown[] = [];
        const Failed: unknown[] = [];
        for (const entry of entries) {
          const sent = this.send(queue, entry);
          if ('error' in sent) Failed.push({ Id: entry.Id, SenderFault: true, Code: String((sent.error[1].__type as string).split('#')[1]), Message: sent.error[1].message });
          else Successful.push({ Id: entry.Id, MessageId: sent.id, MD5OfMessageBody: sent.md5 });
        }
        return [200, { Successful, Failed }];
      }
      case 'ReceiveMessage':
        return [200, { Messages: await this.receive(queue, body, closed) }];
      case 'DeleteMessage':
        return this.remove(queue, String(body.ReceiptHandle)) ? [200, {}] : fail('ReceiptHandleIsInvalid', `The input receipt handle "${String(body.ReceiptHandle)}" is not a valid receipt handle.`);
      case 'DeleteMessageBatch': {
        const entries = (body.Entries as { Id: string; ReceiptHandle: string }[] | undefined) ?? [];
        const Successful = entries.filter((e) => this.remove(queue, e.ReceiptHandle)).map((e) => ({ Id: e.Id }));
        const Failed = entries.filter((e) => !Successful.some((s) => s.Id === e.Id)).map((e) => ({ Id: e.Id, SenderFault: true, Code: 'ReceiptHandleIsInvalid', Message: 'invalid receipt handle' }));
        return [200, { Successful, Failed }];
      }
      case 'ChangeMessageVisibility': {
        const message = queue.messages.find((m) => m.receipt === body.ReceiptHandle);
        const seconds = Number(body.VisibilityTimeout);
        if (!message) return fail('ReceiptHandleIsInvalid', 'invalid receipt handle');
        if (!(seconds >= 0 && seconds <= 43_200)) return fail('InvalidParameterValue', 'VisibilityTimeout must be 0 to 43200');
        message.visibleAt = Date.now() + seconds * 1000;
        this.wake();
        return [200, {}];
      }
      case 'GetQueueAttributes':
        return [200, { Attributes: this.attributes(queue) }];
      default:
        return fail('InvalidAction', `unknown operation "${operation}"`);
    }
  }

  private send(queue: Queue, entry: Record<string, unknown>): Message | { error: Reply } {
    const delay = Number(entry.DelaySeconds ?? 0);
    if (!(delay >= 0 && delay <= 900)) return { error: fail('InvalidParameterValue', 'DelaySeconds must be from 0 to 900') };
    if (typeof entry.MessageBody !== 'string' || entry.MessageBody === '') return { error: fail('MissingParameter', 'The request must contain the parameter MessageBody.') };
    // The characters SQS allows in a body (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html).
    if (/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u.test(entry.MessageBody)) return { error: fail('InvalidMessageContents', 'Invalid characters found.') };
    const now = Date.now();
    const message: Message = { id: randomUUID(), body: entry.MessageBody, md5: md5(entry.MessageBody), sentAt: now, visibleAt: now + delay * 1000, receiveCount: 0 };
    queue.messages.push(message);
    this.wake();
    return message;
  }

  /** Visible messages (up to MaxNumberOfMessages), waiting up to WaitTimeSeconds for one. */
  private async receive(queue: Queue, body: Record<string, unknown>, closed: AbortSignal): Promise<unknown[]> {
    const max = Math.min(Number(body.MaxNumberOfMessages ?? 1), 10);
    const deadline = Date.now() + Number(body.WaitTimeSeconds ?? 0) * 1000;
    for (;;) {
      const taken = this.take(queue, max, Number(body.VisibilityTimeout ?? queue.visibilityTimeoutSeconds));
      if (taken.length > 0 || Date.now() >= deadline || closed.aborted || !this.server?.listening) return taken;
      // Until something is sent or changed, a hidden message shows again, or the wait ends.
      const next = Math.min(deadline, ...queue.messages.map((m) => m.visibleAt).filter((at) => at > Date.now()));
      await new Promise<void>((resolve) => {
        const done = () => (clearTimeout(timer), this.waiters.delete(done), resolve());
        const timer = setTimeout(done, Math.max(1, next - Date.now()));
        this.waiters.add(done);
        closed.addEventListener('abort', done, { once: true });
      });
    }
  }

  private take(queue: Queue, max: number, visibilitySeconds: number): unknown[] {
    const now = Date.now();
    const out: unknown[] = [];
    for (const message of [...queue.messages]) {
      if (out.length >= max) break;
      if (message.visibleAt > now) continue;
      // Received maxReceiveCount times already: to the dead-letter queue, never handed out again here.
      if (queue.redrive && message.receiveCount >= queue.redrive.maxReceiveCount) {
        queue.messages.splice(queue.messages.indexOf(message), 1);
        const dlq = this.queues.get(queue.redrive.deadLetterQueue);
        dlq?.messages.push({ ...message, visibleAt: now, receipt: undefined });
        continue;
      }
      message.receiveCount += 1;
      message.firstReceivedAt ??= now;
      message.receipt = `${message.id}#${randomUUID()}`;
      message.visibleAt = now + visibilitySeconds * 1000;
      out.push({
        MessageId: message.id, ReceiptHandle: message.receipt, MD5OfBody: message.md5, Body: message.body,
        Attributes: { ApproximateReceiveCount: String(message.receiveCount), SentTimestamp: String(message.sentAt), ApproximateFirstReceiveTimestamp: String(message.firstReceivedAt), SenderId: 'AIDASTANDIN' },
      });
    }
    return out;
  }

  private remove(queue: Queue, receipt: string): boolean {
    const at = queue.messages.findIndex((m) => m.receipt === receipt);
    if (at < 0) return false;
    queue.messages.splice(at, 1);
    return true;
  }

  private attributes(queue: Queue): Record<string, string> {
    const now = Date.now();
    const hidden = queue.messages.filter((m) => m.visibleAt > now);
    return {
      QueueArn: queue.arn,
      ApproximateNumberOfMessages: String(queue.messages.length - hidden.length),
      ApproximateNumberOfMessagesNotVisible: String(hidden.filter((m) => m.receiveCount > 0).length),
      ApproximateNumberOfMessagesDelayed: String(hidden.filter((m) => m.receiveCount === 0).length),
      VisibilityTimeout: String(queue.visibilityTimeoutSeconds),
      ...(queue.redrive ? { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: this.queue(queue.redrive.deadLetterQueue).arn, maxReceiveCount: queue.redrive.maxReceiveCount }) } : {}),
    };
  }

  private wake(): void {
    for (const wake of [...this.waiters]) wake();
  }
}
