// The template's SQS queues on the SQS stand-in (names, visibility timeouts and RedrivePolicy from each
// AWS::SQS::Queue), and its AWS::Lambda::EventSourceMapping resources run as Lambda runs them: pollers
// using the function's own role (so its grants are what the IAM proxy checks), BatchSize records per
// invocation of the function in the Lambda pool, ReportBatchItemFailures honoured when the mapping asks.
import { SQSClient } from '@aws-sdk/client-sqs';
import { FakeSqs, type QueueSpec } from '../../test/fakes/fake-sqs.ts';
import { startSqsEventSource, type SqsEventSource } from '../../test/fakes/sqs-event-source.ts';
import type { LambdaFunction, LambdaPool } from './lambda-pool.ts';
import { ACCOUNT_ID, type Json, type Template } from './template.ts';

type Teardown = (fn: () => unknown) => void;

/** The queues the template declares (none: no stand-in). */
export async function startTemplateQueues(template: Template, teardown: Teardown): Promise<FakeSqs | undefined> {
  const ids = template.ofType('AWS::SQS::Queue');
  if (ids.length === 0) return undefined;
  const nameByArn = new Map(ids.map((id) => [template.attribute(id, 'Arn'), template.attribute(id, 'QueueName')]));
  const specs: QueueSpec[] = ids.map((id) => {
    const p = template.resolve(template.resource(id).Properties as Json) as Record<string, Json> | null;
    const redrive = p?.RedrivePolicy as { deadLetterTargetArn?: string; maxReceiveCount?: number } | undefined;
    const deadLetterQueue = redrive?.deadLetterTargetArn ? nameByArn.get(redrive.deadLetterTargetArn) : undefined;
    if (redrive && !deadLetterQueue) throw new Error(`${id}: its RedrivePolicy names ${String(redrive.deadLetterTargetArn)}, not a queue of the template`);
    return {
      name: template.attribute(id, 'QueueName'),
      // SQS's own default when the template leaves it out.
      visibilityTimeoutSeconds: Number(p?.VisibilityTimeout ?? 30),
      ...(deadLetterQueue ? { redrive: { deadLetterQueue, maxReceiveCount: Number(redrive?.maxReceiveCount) } } : {}),
    };
  });
  return FakeSqs.start({ teardown }, specs, { region: template.region, account: ACCOUNT_ID });
}

export interface EventSourceOptions {
  template: Template;
  functions: LambdaFunction[];
  pool: LambdaPool;
  /** Where the pollers send their SQS calls (the IAM proxy in front of the stand-in). */
  endpoint: string;
  credentials: (fn: LambdaFunction) => { accessKeyId: string; secretAccessKey: string; sessionToken: string };
  onError: (mapping: string, err: unknown) => void;
  teardown: Teardown;
}

/** One running mapping per AWS::Lambda::EventSourceMapping on an SQS queue. */
export function startEventSourceMappings(options: EventSourceOptions): { id: string; source: SqsEventSource }[] {
  const { template } = options;
  return template.ofType('AWS::Lambda::EventSourceMapping').map((id) => {
    const p = template.resolve(template.resource(id).Properties as Json) as Record<string, Json>;
    const fn = options.functions.find((f) => f.name === p.FunctionName || f.arn === p.FunctionName);
    if (!fn) throw new Error(`${id}: its FunctionName ${String(p.FunctionName)} is not a function of the template`);
    const queueArn = String(p.EventSourceArn);
    const [, , , region, account, name] = queueArn.split(':');
    if (!queueArn.startsWith('arn:aws:sqs:')) throw new Error(`${id}: stack:local runs SQS event sources only, not ${queueArn}`);
    const sqs = new SQSClient({ region: String(region), endpoint: options.endpoint, credentials: options.credentials(fn), useQueueUrlAsEndpoint: false, maxAttempts: 1 });
    const source = startSqsEventSource({
      sqs, queueUrl: `https://sqs.${String(region)}.amazonaws.com/${String(account)}/${String(name)}`, queueArn, region: String(region),
      // Lambda's default batch size for SQS is 10.
      batchSize: Number(p.BatchSize ?? 10),
      reportBatchItemFailures: ((p.FunctionResponseTypes as string[] | undefined) ?? []).includes('ReportBatchItemFailures'),
      invoke: (event) => options.pool.invoke(fn, event),
      onError: (err) => options.onError(id, err),
    });
    options.teardown(async () => {
      await source.stop();
      sqs.destroy();
    });
    return { id, source };
  });
}
