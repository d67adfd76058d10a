import type { WebhookEndpoints } from '../../application/ports/webhook-endpoints.ts';
import type { JobWebhook, WebhookEndpoint } from '../../domain/webhook.ts';

/** Webhook endpoints in memory (LOCAL_STORE=memory and tests); every method runs in one synchronous step. */
export class InMemoryWebhookEndpoints implements WebhookEndpoints {
  private readonly byUser = new Map<string, Map<string, WebhookEndpoint>>();
  private readonly secrets = new Map<string, string>();
  private readonly jobHooks = new Map<string, JobWebhook>();

  private mine(userId: string): Map<string, WebhookEndpoint> {
    let map = this.byUser.get(userId);
    if (!map) this.byUser.set(userId, (map = new Map()));
    return map;
  }

  async create(endpoint: WebhookEndpoint, max: number): Promise<boolean> {
    const mine = this.mine(endpoint.userId);
    if (mine.size >= max) return false;
    mine.set(endpoint.id, Object.freeze({ ...endpoint }));
    return true;
  }

  async get(userId: string, id: string): Promise<WebhookEndpoint | undefined> {
    return this.byUser.get(userId)?.get(id);
  }

  async list(userId: string): Promise<WebhookEndpoint[]> {
    // Oldest first, like the stores: by creation time, then id.
    return [...(this.byUser.get(userId)?.values() ?? [])].sort((a, b) => (a.createdAt + a.id < b.createdAt + b.id ? -1 : 1));
  }

  async update(endpoint: WebhookEndpoint): Promise<boolean> {
    const mine = this.byUser.get(endpoint.userId);
    if (!mine?.has(endpoint.id)) return false;
    mine.set(endpoint.id, Object.freeze({ ...endpoint }));
    return true;
  }

  async delete(userId: string, id: string): Promise<boolean> {
    return this.byUser.get(userId)?.delete(id) ?? false;
  }

  async defaultSecret(userId: string, candidate: string): Promise<string> {
    const secret = this.secrets.get(userId) ?? candidate;
    this.secrets.set(userId, secret);
    return secret;
  }

  async saveJobWebhook(hook: JobWebhook): Promise<void> {
    this.jobHooks.set(hook.jobId, Object.freeze({ ...hook }));
  }

  async jobWebhook(jobId: string): Promise<JobWebhook | undefined> {
    return this.jobHooks.get(jobId);
  }
}
