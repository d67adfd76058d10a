import { ValidationError } from './errors.ts';
import { JOB_EVENT_TYPES, type JobEventType } from './job-event.ts';

// Webhook endpoints (docs/webhooks.md): where a user wants their job events delivered, Standard Webhooks
// style (https://www.standardwebhooks.com/). The address checks that need DNS live behind the
// WebhookTargets port; what can be told from the URL's text alone is checked here.

export const WEBHOOK_EVENT_TYPES = [...JOB_EVENT_TYPES, 'webhook.test'] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export const MAX_ENDPOINTS_PER_USER = 10;
export const URL_MAX_BYTES = 2048;
export const DESCRIPTION_MAX = 200;
/** After a rotation the old secret keeps signing beside the new one this long (two signatures). */
export const ROTATION_OVERLAP_MS = 24 * 60 * 60 * 1000;

export interface WebhookEndpoint {
  readonly id: string;
  readonly userId: string;
  readonly url: string;
  /** The job event types it receives; all of them when it was registered without a list. */
  readonly events: readonly JobEventType[];
  readonly enabled: boolean;
  readonly description?: string;
  /** `whsec_…`: shown once, at creation and at each rotation. */
  readonly secret: string;
  /** The secret before the last rotation, signing beside `secret` until `previousSecretExpiresAt`. */
  readonly previousSecret?: string;
  readonly previousSecretExpiresAt?: string;
  /** Why it was turned off by the service (a 410 Gone), when it was. */
  readonly disabledReason?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** A job's one-off webhook (`webhook` on POST /jobs), signed with the user's default secret. */
export interface JobWebhook {
  readonly jobId: string;
  readonly userId: string;
  readonly url: string;
  readonly events: readonly JobEventType[];
}

/** The secrets that sign a message sent at `now`: the current one, and the previous one during its overlap. */
export function signingSecrets(endpoint: WebhookEndpoint, now: Date): string[] {
  const overlap = endpoint.previousSecret && endpoint.previousSecretExpiresAt && Date.parse(endpoint.previousSecretExpiresAt) > now.getTime();
  return overlap ? [endpoint.secret, endpoint.previousSecret as string] : [endpoint.secret];
}

export function rotateSecret(endpoint: WebhookEndpoint, secret: string, now: Date): WebhookEndpoint {
  return {
    ...endpoint, secret, previousSecret: endpoint.secret,
    previousSecretExpiresAt: new Date(now.getTime() + ROTATION_OVERLAP_MS).toISOString(), updatedAt: now.toISOString(),
  };
}

export function parseEvents(raw: unknown, field = 'events'): JobEventType[] {
  if (raw === undefined) return [...JOB_EVENT_TYPES];
  if (!Array.isArray(raw) || raw.length === 0) throw new ValidationError(field, 'minItems', `${field} must be a non-empty list of event types`);
  for (const type of raw) {
    if (!(JOB_EVENT_TYPES as readonly unknown[]).includes(type)) {
      throw new ValidationError(field, 'enum', `${field} may contain only ${JOB_EVENT_TYPES.join(', ')}`);
    }
  }
  return [...new Set(raw as JobEventType[])];
}

export function parseDescription(raw: unknown): string | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || [...raw].length > DESCRIPTION_MAX) {
    throw new ValidationError('description', 'maxLength', `description must be a string of at most ${DESCRIPTION_MAX} characters`);
  }
  return raw;
}

export interface UrlRules {
  /** WEBHOOK_ALLOW_LOOPBACK: plain http (and loopback addresses) allowed, for local development and tests. */
  allowLoopback: boolean;
  /** Ports a URL may name; 443 and 8443 unless the operator says otherwise. */
  ports: readonly number[];
}

export const DEFAULT_WEBHOOK_PORTS: readonly number[] = [443, 8443];

function refuse(reason: string, constraint = 'format'): never {
  throw new ValidationError('url', constraint, `url ${reason}`);
}

/**
 * What the URL's text says: https (or http when loopback is allowed), no credentials, at most 2 KiB. WHATWG URL parsing normalises odd IPv4 spellings (decimal, octal, hex), so
 * the host checked later is the one a client would connect to. Returns the normalised URL.
 */
export function parseWebhookUrl(raw: unknown, rules: UrlRules): URL {
  if (typeof raw !== 'string' || raw.length === 0) refuse('must be a non-empty string', 'type');
  if (new TextEncoder().encode(raw).length > URL_MAX_BYTES) refuse(`must be at most ${URL_MAX_BYTES} bytes`, 'maxLength');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return refuse('is not a valid absolute URL');
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && rules.allowLoopback)) refuse('must use https');
  if (url.username || url.password) refuse('must not contain credentials');
  if (url.hash) refuse('must not contain a fragment');
  return url;
}

/** The port a URL names (its scheme's default when it names none). */
export function portOf(url: URL): number {
  return url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
}

/**
 * Once the host is resolved: http and other ports only to loopback, and only when allowed.
 * Throws the same VALIDATION_ERROR as the URL's text checks.
 */
export function checkTarget(url: URL, isLoopback: boolean, rules: UrlRules): void {
  const local = isLoopback && rules.allowLoopback;
  if (url.protocol !== 'https:' && !local) refuse('must use https');
  if (!local && !rules.ports.includes(portOf(url))) refuse(`must use port ${rules.ports.join(' or ')}`);
}
