// Standard Webhooks verification (https://www.standardwebhooks.com, spec/standard-webhooks.md) with Web
// Crypto only, so the same code runs in browsers, Node, Deno and edge runtimes.
import { WebhookVerificationError } from './errors.ts';

export type WebhookHeaders = Headers | Record<string, string | string[] | undefined>;

export interface VerifyOptions {
  /** How far the timestamp may be from now, either way (default 300 s, the spec's recommendation). */
  toleranceSeconds?: number;
  /** Unix milliseconds (default Date.now()). */
  now?: number;
}

/** The verified delivery, parsed. */
export interface WebhookEvent<Data = Record<string, unknown>> {
  type: string;
  timestamp: string;
  data: Data;
}

const encoder = new TextEncoder();

/**
 * Checks a delivery's `webhook-signature` against the raw body (exactly the bytes received: re-serialized
 * JSON does not verify) and returns the parsed event. `secret` is the endpoint's `whsec_…` secret, or
 * several of them while one rotates. Throws WebhookVerificationError.
 */
export async function verifyWebhook<Data = Record<string, unknown>>(body: string | Uint8Array, headers: WebhookHeaders, secret: string | string[], options: VerifyOptions = {}): Promise<WebhookEvent<Data>> {
  const id = header(headers, 'webhook-id');
  const timestamp = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  if (!id || !timestamp || !signatures) throw new WebhookVerificationError('Missing webhook-id, webhook-timestamp or webhook-signature header');
  if (!/^\d+$/.test(timestamp)) throw new WebhookVerificationError('Invalid webhook-timestamp');
  const tolerance = options.toleranceSeconds ?? 300;
  const now = Math.floor((options.now ?? Date.now()) / 1000);
  if (Math.abs(now - Number(timestamp)) > tolerance) throw new WebhookVerificationError('Message timestamp too old or too new');

  const payload = typeof body === 'string' ? encoder.encode(body) : body;
  const prefix = encoder.encode(`${id}.${timestamp}.`);
  const signed = new Uint8Array(prefix.byteLength + payload.byteLength);
  signed.set(prefix);
  signed.set(payload, prefix.byteLength);

  const candidates = signatures.split(' ').flatMap((entry) => {
    const [version, value] = entry.split(',', 2);
    const bytes = version === 'v1' && value ? fromBase64(value) : undefined;
    return bytes ? [bytes] : [];
  });
  for (const key of (Array.isArray(secret) ? secret : [secret]).map(secretBytes)) {
    const hmac = await crypto.subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
    for (const candidate of candidates) {
      // subtle.verify compares in constant time.
      if (await crypto.subtle.verify('HMAC', hmac, candidate, signed)) return parse<Data>(payload);
    }
  }
  throw new WebhookVerificationError('No matching signature found');
}

function parse<Data>(payload: Uint8Array): WebhookEvent<Data> {
  try {
    return JSON.parse(new TextDecoder().decode(payload)) as WebhookEvent<Data>;
  } catch {
    throw new WebhookVerificationError('The signed body is not JSON');
  }
}

function header(headers: WebhookHeaders, name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const record = headers as Record<string, string | string[] | undefined>;
  const key = Object.keys(record).find((k) => k.toLowerCase() === name);
  const value = key === undefined ? undefined : record[key];
  return Array.isArray(value) ? value.join(' ') : value;
}

/** `whsec_<base64>`; the prefix is optional, as in the reference libraries. */
function secretBytes(secret: string): Uint8Array<ArrayBuffer> {
  const bytes = fromBase64(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret);
  if (!bytes || bytes.byteLength === 0) throw new WebhookVerificationError('The webhook secret is not base64 (whsec_…)');
  return bytes;
}

function fromBase64(text: string): Uint8Array<ArrayBuffer> | undefined {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return undefined;
  try {
    const binary = atob(text);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  } catch {
    return undefined;
  }
}
