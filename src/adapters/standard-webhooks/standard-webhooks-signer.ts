// Standard Webhooks signing with the reference package (https://www.standardwebhooks.com/):
// `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, one per secret, space-separated during a rotation.
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import type { WebhookSigner } from '../../application/ports/webhook-transport.ts';

export class StandardWebhooksSigner implements WebhookSigner {
  newSecret(): string {
    // 24 random bytes, base64: within the spec's 24..64 byte range for secrets.
    return `whsec_${randomBytes(24).toString('base64')}`;
  }

  sign(messageId: string, timestamp: Date, body: string, secrets: readonly string[]): string {
    return secrets.map((secret) => new Webhook(secret).sign(messageId, timestamp, body)).join(' ');
  }
}
