import { DomainError, ValidationError } from '../domain/errors.ts';
import {
  MAX_ENDPOINTS_PER_USER, parseDescription, parseEvents, parseWebhookUrl, rotateSecret,
  type JobWebhook, type UrlRules, type WebhookEndpoint,
} from '../domain/webhook.ts';
import type { Clock } from './ports/clock.ts';
import type { IdGenerator } from './ports/id-generator.ts';
import type { WebhookEndpoints } from './ports/webhook-endpoints.ts';
import type { WebhookSigner, WebhookTransport } from './ports/webhook-transport.ts';

export class WebhookNotFound extends DomainError {
  constructor(id: string) {
    super('NOT_FOUND', `Webhook ${id} not found`);
  }
}

export interface ManageWebhooksDeps {
  endpoints: WebhookEndpoints;
  transport: WebhookTransport;
  signer: WebhookSigner;
  clock: Clock;
  ids: IdGenerator;
  rules: UrlRules;
}

export interface WebhookPatch {
  url?: unknown;
  events?: unknown;
  enabled?: boolean;
}

/** 400 VALIDATION_ERROR (the contract has no other code for a limit on what a user registers). */
export class WebhookLimitReached extends DomainError {
  constructor() {
    super('VALIDATION_ERROR', `Invalid request: at most ${MAX_ENDPOINTS_PER_USER} webhooks per user; delete one first`,
      { field: 'webhooks', constraint: 'maxItems', limit: MAX_ENDPOINTS_PER_USER });
  }
}

/** A user's webhook endpoints: register, read, change, delete, rotate the secret (docs/webhooks.md). */
export class ManageWebhooks {
  private readonly deps: ManageWebhooksDeps;
  constructor(deps: ManageWebhooksDeps) {
    this.deps = deps;
  }

  /** Checks a URL as a webhook target: its text, then the addresses its host resolves to. */
  async checkUrl(raw: unknown): Promise<string> {
    const url = parseWebhookUrl(raw, this.deps.rules).href;
    await this.deps.transport.check(url);
    return url;
  }

  async create(userId: string, input: { url: unknown; events?: unknown; description?: unknown }): Promise<WebhookEndpoint> {
    const events = parseEvents(input.events);
    const description = parseDescription(input.description);
    const url = await this.checkUrl(input.url);
    const at = this.deps.clock.now().toISOString();
    const endpoint: WebhookEndpoint = {
      id: this.deps.ids.newId(), userId, url, events, enabled: true, secret: this.deps.signer.newSecret(),
      createdAt: at, updatedAt: at, ...(description !== undefined ? { description } : {}),
    };
    if (!(await this.deps.endpoints.create(endpoint, MAX_ENDPOINTS_PER_USER))) throw new WebhookLimitReached();
    return endpoint;
  }

  list(userId: string): Promise<WebhookEndpoint[]> {
    return this.deps.endpoints.list(userId);
  }

  async get(userId: string, id: string): Promise<WebhookEndpoint> {
    const endpoint = await this.deps.endpoints.get(userId, id);
    if (!endpoint) throw new WebhookNotFound(id);
    return endpoint;
  }

  async update(userId: string, id: string, patch: WebhookPatch): Promise<WebhookEndpoint> {
    const current = await this.get(userId, id);
    const next: { -readonly [K in keyof WebhookEndpoint]: WebhookEndpoint[K] } = { ...current, updatedAt: this.deps.clock.now().toISOString() };
    if (patch.events !== undefined) next.events = parseEvents(patch.events);
    if (patch.url !== undefined) next.url = await this.checkUrl(patch.url);
    if (patch.enabled !== undefined) {
      next.enabled = patch.enabled;
      if (patch.enabled) delete next.disabledReason;
    }
    if (!(await this.deps.endpoints.update(next))) throw new WebhookNotFound(id);
    return next;
  }

  async delete(userId: string, id: string): Promise<void> {
    if (!(await this.deps.endpoints.delete(userId, id))) throw new WebhookNotFound(id);
  }

  /** A new secret; the old one keeps signing beside it for 24 h, so receivers can switch without a gap. */
  async rotateSecret(userId: string, id: string): Promise<WebhookEndpoint> {
    const rotated = rotateSecret(await this.get(userId, id), this.deps.signer.newSecret(), this.deps.clock.now());
    if (!(await this.deps.endpoints.update(rotated))) throw new WebhookNotFound(id);
    return rotated;
  }

  /** The secret that signs the user's jobs' one-off webhooks (made on first use). */
  defaultSecret(userId: string): Promise<string> {
    return this.deps.endpoints.defaultSecret(userId, this.deps.signer.newSecret());
  }

  /**
   * A job's one-off `webhook: { url, events? }`, checked before the job is made; the returned function
   * stores it under the job's id, before the job itself, so the job's first event always finds it.
   */
  async prepareJobWebhook(userId: string, raw: unknown): Promise<(jobId: string) => Promise<void>> {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ValidationError('webhook', 'type', 'webhook must be an object { url, events? }');
    const { url: rawUrl, events: rawEvents, ...rest } = raw as Record<string, unknown>;
    const unknown = Object.keys(rest)[0];
    if (unknown !== undefined) throw new ValidationError(`webhook.${unknown}`, 'additionalProperties', `webhook may contain only url and events`);
    const events = parseEvents(rawEvents, 'webhook.events');
    const url = await this.checkUrl(rawUrl);
    return async (jobId) => {
      const hook: JobWebhook = { jobId, userId, url, events };
      await this.deps.endpoints.saveJobWebhook(hook);
    };
  }
}
