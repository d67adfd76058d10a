import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { callAws } from './aws-errors.ts';

/**
 * The video provider's API token from Secrets Manager. The secret's string is the token itself, or JSON
 * with a `token` (or `REPLICATE_API_TOKEN`) field — what the console's key/value editor makes.
 */
export async function readProviderToken(secrets: SecretsManagerClient, secretArn: string): Promise<string> {
  const out = await callAws('Secrets Manager', () => secrets.send(new GetSecretValueCommand({ SecretId: secretArn })));
  const text = out.SecretString?.trim() ?? '';
  let token = text;
  if (text.startsWith('{')) {
    const parsed = JSON.parse(text) as Record<string, unknown>;
    const field = parsed.token ?? parsed.REPLICATE_API_TOKEN;
    token = typeof field === 'string' ? field.trim() : '';
  }
  if (!token) throw new Error(`secret ${secretArn} holds no provider token`);
  return token;
}

/**
 * Reads the token once and keeps it for the life of the process (a Lambda cold start, an API task). A
 * failed read is not kept: the next call tries again.
 */
export function providerTokenOnce(read: () => Promise<string>): () => Promise<string> {
  let token: Promise<string> | undefined;
  return () => {
    token ??= read().catch((err: unknown) => {
      token = undefined;
      throw err;
    });
    return token;
  };
}
