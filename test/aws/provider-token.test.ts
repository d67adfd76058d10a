import t from 'tap';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { providerTokenOnce, readProviderToken } from '../../src/adapters/aws/provider-token.ts';
import { FakeSecretsManager } from '../fakes/fake-secrets-manager.ts';

const fake = await FakeSecretsManager.start(t);
const client = new SecretsManagerClient({ region: 'us-east-1', endpoint: fake.endpoint, credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, maxAttempts: 1 });
t.teardown(() => client.destroy());

t.test('the token as the secret string, or in a JSON field', async (t) => {
  const cases: [string, string][] = [[' r8_plain \n', 'r8_plain'], ['{"token":"r8_json"}', 'r8_json'], ['{"REPLICATE_API_TOKEN":"r8_env"}', 'r8_env']];
  for (const [secret, token] of cases) {
    fake.secrets.set('arn:s', secret);
    t.equal(await readProviderToken(client, 'arn:s'), token);
  }
  fake.secrets.set('arn:s', '{"other":"x"}');
  await t.rejects(readProviderToken(client, 'arn:s'), /holds no provider token/);
  await t.rejects(readProviderToken(client, 'arn:missing'), { name: 'ResourceNotFoundException' });
});

t.test('read once per process; a failed read is tried again next time', async (t) => {
  let reads = 0;
  const token = providerTokenOnce(async () => {
    if (++reads === 1) throw new Error('Secrets Manager down');
    return 'r8_ok';
  });
  await t.rejects(token(), /down/);
  t.equal(await token(), 'r8_ok');
  t.equal(await token(), 'r8_ok');
  t.equal(reads, 2);
});
