import type { AttemptResult } from '../../domain/webhook-delivery.ts';

/**
 * Where webhooks go out: the outbound HTTP port, SSRF-safe by construction. `check` and `send` both
 * resolve the host and refuse loopback, private, link-local, CGNAT, multicast, unique-local and metadata
 * addresses (loopback only when the operator allows it); `send` connects to the address it checked.
 */
export interface WebhookTransport {
  /** Throws ValidationError (field `url`) when the URL may not be a webhook target now. */
  check(url: string): Promise<void>;
  /** POSTs `body`; never follows a redirect; a refused target is a result with `error`, never a request. */
  send(url: string, headers: Record<string, string>, body: string): Promise<AttemptResult>;
}

/** Standard Webhooks signing. */
export interface WebhookSigner {
  /** A new `whsec_…` secret. */
  newSecret(): string;
  /** The `webhook-signature` header: one `v1,…` per secret, space-separated. */
  sign(messageId: string, timestamp: Date, body: string, secrets: readonly string[]): string;
}
