// Secrets Manager's GetSecretValue over its wire protocol (awsJson1_1, X-Amz-Target: secretsmanager.GetSecretValue),
// so the real SDK client and readProviderToken are exercised.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Teardown } from './fake-step-functions.ts';

export class FakeSecretsManager {
  readonly secrets = new Map<string, string>();
  reads = 0;
  endpoint = '';

  static async start(t: Teardown): Promise<FakeSecretsManager> {
    const fake = new FakeSecretsManager();
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { SecretId?: string };
        const secret = req.headers['x-amz-target'] === 'secretsmanager.GetSecretValue' ? fake.secrets.get(String(body.SecretId)) : undefined;
        fake.reads++;
        res.writeHead(secret === undefined ? 400 : 200, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify(secret === undefined
          ? { __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." }
          : { ARN: body.SecretId, Name: 'omnigen/provider', SecretString: secret, VersionId: 'v1' }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    fake.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    t.teardown(() => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))));
    return fake;
  }
}
