// A DynamoDB stand-in per test file: dynalite in memory on a free port, with tables made from the very
// definitions the create-resources tool deploys.
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import type { Test } from 'tap';
import { createAwsClients, type AwsClients } from '../../src/adapters/aws/aws-clients.ts';
import { ensureTable } from '../../src/adapters/aws/aws-resources.ts';
import { jobTableDefinition, usageTableDefinition } from '../../src/adapters/aws/table-definitions.ts';

// dynalite ships no types; this is the one call the tests use.
const require = createRequire(import.meta.url);
const dynalite = require('dynalite') as (options: { createTableMs?: number; deleteTableMs?: number; updateTableMs?: number }) => Server;

export const TEST_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

export interface Dynalite {
  endpoint: string;
  clients: AwsClients;
  /** A new, empty jobs table; returns its name. */
  jobTable(): Promise<string>;
  /** A new, empty usage table; returns its name. */
  usageTable(): Promise<string>;
}

export async function startDynalite(t: Test): Promise<Dynalite> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // Generous timeouts: dynalite is single-threaded JavaScript sharing two cores with the other test files,
  // so a slow answer here is the machine, not a fault. The fault suites build their own short-timeout clients.
  const clients = createAwsClients({
    region: 'us-east-1', endpoints: { dynamodb: endpoint }, credentials: TEST_CREDENTIALS, maxAttempts: 1,
    connectionTimeoutMs: 10_000, requestTimeoutMs: 30_000,
  });
  t.teardown(async () => {
    clients.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const quiet = (): void => {};
  const table = async (define: (name: string) => Parameters<typeof ensureTable>[1]): Promise<string> => {
    const name = `t-${randomUUID()}`;
    await ensureTable(clients.dynamodb, define(name), quiet);
    return name;
  };
  return { endpoint, clients, jobTable: () => table(jobTableDefinition), usageTable: () => table(usageTableDefinition) };
}
