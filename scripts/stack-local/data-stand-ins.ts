// The stack's data as the template declares it: its DynamoDB tables on dynalite (key schema, attribute
// definitions, indexes and TTL from the resource's properties), its buckets on s3rver, its secrets in the
// Secrets Manager stand-in (generated as GenerateSecretString asks, unless the caller supplies a value).
import { randomInt } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient, UpdateTimeToLiveCommand, type CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import type { Json, Template } from './template.ts';

// dynalite and s3rver ship no types; these are the calls used here.
const require = createRequire(import.meta.url);
const dynalite = require('dynalite') as (options: { createTableMs?: number; deleteTableMs?: number; updateTableMs?: number }) => Server;
const S3rver = require('s3rver') as new (options: { port: number; address: string; directory: string; silent: boolean }) => { run(): Promise<AddressInfo>; close(): Promise<void> };
// s3rver checks that a request's access key is one it knows (it does not check SigV4 signatures).
const s3rverAccount = require('s3rver/lib/models/account.js') as { DUMMY_ACCOUNT: { createKeyPair(id: string, secret: string): void } };

/** Provisioning is CloudFormation's, not a role's: it talks to the stand-ins directly with these. */
export const ADMIN = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

type Stop = () => unknown;

export async function startDynamoDb(template: Template, stops: Stop[], say: (line: string) => void): Promise<{ endpoint: string; tables: Record<string, string> }> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  stops.push(() => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new DynamoDBClient({ region: template.region, endpoint, credentials: ADMIN });
  const tables: Record<string, string> = {};
  try {
    for (const id of template.ofType('AWS::DynamoDB::Table')) {
      const p = template.resolve(template.resource(id).Properties as Json) as Record<string, Json>;
      const TableName = template.ref(id);
      const input = { TableName, AttributeDefinitions: p.AttributeDefinitions, KeySchema: p.KeySchema, BillingMode: p.BillingMode ?? 'PAY_PER_REQUEST' } as CreateTableCommandInput;
      for (const key of ['GlobalSecondaryIndexes', 'LocalSecondaryIndexes', 'ProvisionedThroughput'] as const) if (p[key]) Object.assign(input, { [key]: p[key] });
      await client.send(new CreateTableCommand(input));
      tables[id] = TableName;
      const ttl = p.TimeToLiveSpecification as { AttributeName: string; Enabled: boolean } | undefined;
      if (ttl?.Enabled) {
        // dynalite does not implement TTL: the attribute is declared, nothing expires (as DynamoDB Local).
        await client.send(new UpdateTimeToLiveCommand({ TableName, TimeToLiveSpecification: ttl })).catch(() => say(`${id}: TTL on "${ttl.AttributeName}" is declared; dynalite does not expire items`));
      }
    }
  } finally {
    client.destroy();
  }
  return { endpoint, tables };
}

export async function startS3(template: Template, accessKeys: { accessKeyId: string; secretAccessKey: string }[], stops: Stop[]): Promise<{ endpoint: string; buckets: Record<string, string>; admin: S3Client }> {
  const directory = await mkdtemp(join(tmpdir(), 'omnigen-stack-s3-'));
  stops.push(() => rm(directory, { recursive: true, force: true }));
  const server = new S3rver({ port: 0, address: '127.0.0.1', directory, silent: true });
  const endpoint = `http://127.0.0.1:${(await server.run()).port}`;
  stops.push(() => server.close());
  for (const key of accessKeys) s3rverAccount.DUMMY_ACCOUNT.createKeyPair(key.accessKeyId, key.secretAccessKey);
  const admin = new S3Client({
    region: template.region, endpoint, credentials: ADMIN, forcePathStyle: true,
    // s3rver predates the SDK's default upload checksums.
    requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED',
  });
  stops.push(() => admin.destroy());
  const buckets: Record<string, string> = {};
  for (const id of template.ofType('AWS::S3::Bucket')) {
    buckets[id] = template.ref(id);
    await admin.send(new CreateBucketCommand({ Bucket: buckets[id] }));
  }
  return { endpoint, buckets, admin };
}

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const DIGITS = '0123456789';
const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';

/** A value as Secrets Manager generates it for GenerateSecretString (length 32 unless PasswordLength says). */
export function generateSecret(spec: Record<string, Json>): string {
  const excluded = String(spec.ExcludeCharacters ?? '');
  const pool = [UPPER, LOWER, DIGITS, spec.ExcludePunctuation ? '' : PUNCTUATION].join('').split('').filter((c) => !excluded.includes(c)).join('');
  const length = Number(spec.PasswordLength ?? 32);
  const value = Array.from({ length }, () => pool[randomInt(pool.length)]).join('');
  if (typeof spec.SecretStringTemplate === 'string' && typeof spec.GenerateStringKey === 'string') {
    return JSON.stringify({ ...(JSON.parse(spec.SecretStringTemplate) as object), [spec.GenerateStringKey]: value });
  }
  return value;
}

/** Each secret's ARN and value: SecretString as given, else `supplied[id]`, else generated. */
export function templateSecrets(template: Template, supplied: Record<string, string>): Map<string, string> {
  const secrets = new Map<string, string>();
  for (const id of template.ofType('AWS::SecretsManager::Secret')) {
    const p = template.resolve(template.resource(id).Properties as Json) as Record<string, Json>;
    const value = typeof p.SecretString === 'string' ? p.SecretString : (supplied[id] ?? generateSecret((p.GenerateSecretString ?? {}) as Record<string, Json>));
    secrets.set(template.ref(id), value);
  }
  return secrets;
}
