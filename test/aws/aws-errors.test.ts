import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { ConditionalCheckFailedException, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { createAwsClients } from '../../src/adapters/aws/aws-clients.ts';
import { translateAwsError } from '../../src/adapters/aws/aws-errors.ts';
import { DynamoDbIdempotencyStore } from '../../src/adapters/aws/dynamodb-idempotency-store.ts';
import { DynamoDbJobRepository } from '../../src/adapters/aws/dynamodb-job-repository.ts';
import { DynamoDbUsageLedger } from '../../src/adapters/aws/dynamodb-usage-ledger.ts';
import { JobNotFound, ServiceUnavailable } from '../../src/domain/errors.ts';
import { TEST_CREDENTIALS } from '../helpers/dynalite.ts';

const sdkError = (name: string, status: number, extra: object = {}): Error =>
  Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status }, ...extra });

t.test('translateAwsError sorts failures into "retry later" and the rest', async (t) => {
  const retryable: [string, unknown, number][] = [
    ['DynamoDB throttling', new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: { httpStatusCode: 400 } }), 2],
    ['ThrottlingException', sdkError('ThrottlingException', 400), 2],
    ['RequestLimitExceeded', sdkError('RequestLimitExceeded', 400), 2],
    ['HTTP 429', sdkError('Whatever', 429), 2],
    ['HTTP 503', sdkError('ServiceUnavailable', 503), 5],
    ['a server fault', sdkError('InternalServerError', 500, { $fault: 'server' }), 5],
    ['a timeout', Object.assign(new Error('timed out'), { name: 'TimeoutError' }), 5],
    ['connection refused', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 5],
    ['a DNS failure wrapped in a cause', new Error('request failed', { cause: Object.assign(new Error('dns'), { code: 'EAI_AGAIN' }) }), 5],
  ];
  for (const [name, err, retryAfter] of retryable) {
    const translated = translateAwsError(err, 'DynamoDB');
    t.type(translated, ServiceUnavailable, name);
    t.equal((translated as ServiceUnavailable).retryAfterSeconds, retryAfter, `${name}: Retry-After`);
    t.equal((translated as ServiceUnavailable).cause, err, `${name}: keeps the cause for the log`);
  }
  const kept: [string, unknown][] = [
    ['a failed condition', new ConditionalCheckFailedException({ message: 'no', $metadata: { httpStatusCode: 400 } })],
    ['access denied', sdkError('AccessDeniedException', 400)],
    ['a missing table', sdkError('ResourceNotFoundException', 400)],
    ['a domain error', new JobNotFound('j')],
    ['a plain bug', new TypeError('x is undefined')],
  ];
  for (const [name, err] of kept) t.equal(translateAwsError(err, 'DynamoDB'), err, `${name} passes through`);
});

t.test('every DynamoDB adapter reports throttling, 5xx and timeouts as ServiceUnavailable', async (t) => {
  // A DynamoDB endpoint that answers every request with the error the test sets (or never answers).
  let answer: { status: number; type: string } | 'hang' = { status: 400, type: 'ProvisionedThroughputExceededException' };
  const server = createServer((req, res) => {
    req.resume();
    if (answer === 'hang') return;
    res.writeHead(answer.status, { 'content-type': 'application/x-amz-json-1.0' });
    res.end(JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${answer.type}`, message: answer.type }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clients = createAwsClients({ region: 'us-east-1', endpoints: { dynamodb: endpoint }, credentials: TEST_CREDENTIALS, maxAttempts: 1, requestTimeoutMs: 200 });
  t.teardown(() => {
    clients.destroy();
    server.closeAllConnections();
    server.close();
  });
  const jobs = new DynamoDbJobRepository(clients.dynamo, 'jobs');
  const usage = new DynamoDbUsageLedger(clients.dynamo, 'usage');
  const idempotency = new DynamoDbIdempotencyStore(clients.dynamo, 'usage');
  const calls: [string, () => Promise<unknown>][] = [
    ['jobs.get', () => jobs.get('j')],
    ['jobs.listByUser', () => jobs.listByUser('alice', { limit: 5, status: 'completed' })],
    ['usage.consume', () => usage.consume('alice', '2026-11', 10)],
    ['usage.refund', () => usage.refund('alice', '2026-11')],
    ['idempotency.reserve', () => idempotency.reserve({ userId: 'alice', key: 'k', fingerprint: 'f', jobId: 'j', expiresAt: '2026-11-28T00:00:00.000Z' }, new Date())],
    ['idempotency.release', () => idempotency.release('alice', 'k', 'j')],
  ];
  for (const fault of [{ status: 400, type: 'ProvisionedThroughputExceededException' }, { status: 400, type: 'RequestLimitExceeded' }, { status: 500, type: 'InternalServerError' }, 'hang'] as const) {
    answer = fault;
    for (const [name, call] of calls) await t.rejects(call(), ServiceUnavailable, `${name}: ${typeof fault === 'string' ? fault : fault.type}`);
  }
  answer = { status: 400, type: 'ResourceNotFoundException' };
  await t.rejects(jobs.get('j'), { name: 'ResourceNotFoundException' }, 'a missing table is a setup problem, not "retry later"');
});
