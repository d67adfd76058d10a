import type { JobWebhook, WebhookEndpoint } from '../../domain/webhook.ts';

/** Users' webhook endpoints, their default secret, and jobs' one-off webhooks. */
export interface WebhookEndpoints {
  /**
   * Stores a new endpoint unless the user already has `max`: returns false then (checked and written
   * as one step, so concurrent registrations cannot pass the limit).
   */
  create(endpoint: WebhookEndpoint, max: number): Promise<boolean>;
  get(userId: string, id: string): Promise<WebhookEndpoint | undefined>;
  /** Oldest first. */
  list(userId: string): Promise<WebhookEndpoint[]>;
  /** Replaces a stored endpoint (same user and id); false when it no longer exists. */
  update(endpoint: WebhookEndpoint): Promise<boolean>;
  delete(userId: string, id: string): Promise<boolean>;
  /** The user's default secret (signs jobs' one-off webhooks), stored as `candidate` the first time. */
  defaultSecret(userId: string, candidate: string): Promise<string>;
  saveJobWebhook(hook: JobWebhook): Promise<void>;
  jobWebhook(jobId: string): Promise<JobWebhook | undefined>;
}
