import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { providerTokenOnce, readProviderToken } from '../aws/provider-token.ts';
import { createReplicateClient } from './replicate-client.ts';
import { ReplicateVideoModel } from './replicate-video-model.ts';

/**
 * The Replicate model with its token from Secrets Manager, read on first use and then kept for the
 * process (a Lambda cold start, an API task). The Lambdas and the API (for cancels) build it the same way.
 */
export function providerModel(options: {
  secrets: SecretsManagerClient;
  secretArn: string;
  /** Tests and stand-ins only. */
  baseUrl?: string;
}): ReplicateVideoModel {
  const token = providerTokenOnce(() => readProviderToken(options.secrets, options.secretArn));
  return new ReplicateVideoModel({ client: async () => createReplicateClient(await token(), options.baseUrl) });
}
