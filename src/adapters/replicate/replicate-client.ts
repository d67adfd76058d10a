import Replicate from 'replicate';

/** The official client as the adapter expects it: outputs as plain URLs, and a base URL tests can point at a fake. */
export function createReplicateClient(token: string, baseUrl?: string): Replicate {
  return new Replicate({ auth: token, useFileOutput: false, ...(baseUrl ? { baseUrl } : {}) });
}
