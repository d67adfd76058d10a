import createClient from 'openapi-fetch';
import { downloadTo, type ByteSink, type DownloadResult } from './download.ts';
import { OmniGenError } from './errors.ts';
import type { paths } from './generated/openapi.ts';
import { Transport, type RetryOptions } from './transport.ts';
import type {
  CreateJobInput, CreatedJob, CreatedWebhookEndpoint, DefaultWebhookSecret, DevToken, Job, JobDeliveryList, JobPage, JobStatus, ModelCatalogue,
  Usage, VideoLink, WebhookCreateInput, WebhookDelivery, WebhookDeliveryPage, WebhookEndpoint, WebhookEndpointList, WebhookSecret, WebhookUpdateInput,
} from './types.ts';
import { uploadImage, type ImageSource, type UploadedImage } from './upload.ts';
import { waitForJob, type WaitOptions } from './wait-for-job.ts';

export interface OmniGenOptions {
  /** The service's origin (default local mode's http://127.0.0.1:8080); a trailing /api/v1 is accepted. */
  baseUrl?: string;
  /** A bearer token, or `getToken` to supply (and refresh) one per request. */
  token?: string;
  getToken?: () => string | undefined | Promise<string | undefined>;
  fetch?: typeof fetch;
  /** Per attempt, until the response headers arrive (default 30 s). */
  timeoutMs?: number;
  retry?: RetryOptions;
}

export interface CallOptions {
  signal?: AbortSignal;
}

export interface CreateJobOptions extends CallOptions {
  /** Same key + same body within 24 h returns the same job. Default: a new UUID per call, so this call's own
   * retries never create a second job. `false` sends none (and the create is then never retried). */
  idempotencyKey?: string | false;
}

export interface RunResult {
  job: Job;
  /** The finished video, fetchable without auth until `video.expiresAt`. */
  url: string;
  video: VideoLink;
}

const API = '/api/v1';

/** The OmniGen API. Every method throws OmniGenError for a non-2xx answer or no answer at all. */
export class OmniGen {
  readonly baseUrl: string;
  private readonly transport: Transport;
  private readonly api: ReturnType<typeof createClient<paths>>;

  constructor(options: OmniGenOptions = {}) {
    this.baseUrl = (options.baseUrl ?? 'http://127.0.0.1:8080').replace(/\/+$/, '').replace(/\/api\/v1$/, '');
    this.transport = new Transport(options);
    this.api = createClient<paths>({ baseUrl: this.baseUrl, fetch: (request) => this.transport.send(request) });
  }

  // ----- jobs -----

  async createJob(input: CreateJobInput, options: CreateJobOptions = {}): Promise<CreatedJob> {
    const key = options.idempotencyKey === undefined ? crypto.randomUUID() : options.idempotencyKey;
    return unwrap(await this.api.POST(`${API}/jobs`, {
      body: input, params: { header: key === false ? {} : { 'idempotency-key': key } }, signal: options.signal,
    }));
  }

  async getJob(jobId: string, options: CallOptions = {}): Promise<Job> {
    return unwrap(await this.api.GET(`${API}/jobs/{id}`, { params: { path: { id: jobId } }, signal: options.signal }));
  }

  /** One page, newest first; pass `nextCursor` back as `cursor` for the next. */
  async listJobs(query: { status?: JobStatus; limit?: number; cursor?: string } = {}, options: CallOptions = {}): Promise<JobPage> {
    const { limit = 20, ...rest } = query;
    return unwrap(await this.api.GET(`${API}/jobs`, { params: { query: { limit, ...rest } }, signal: options.signal }));
  }

  /** Every job (matching `status`), newest first, fetching pages of `pageSize` as the loop goes. */
  async *jobs(query: { status?: JobStatus; pageSize?: number } = {}, options: CallOptions = {}): AsyncGenerator<Job> {
    let cursor: string | undefined;
    do {
      const page = await this.listJobs({ limit: query.pageSize ?? 20, ...(query.status ? { status: query.status } : {}), ...(cursor ? { cursor } : {}) }, options);
      yield* page.jobs;
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }

  async cancelJob(jobId: string, options: CallOptions = {}): Promise<Job> {
    return unwrap(await this.api.POST(`${API}/jobs/{id}/cancel`, { params: { path: { id: jobId } }, signal: options.signal }));
  }

  /** The finished video's short-lived URL (409 JOB_NOT_READY before the job completed). */
  async video(jobId: string, options: CallOptions = {}): Promise<VideoLink> {
    return unwrap(await this.api.GET(`${API}/jobs/{id}/video`, { params: { path: { id: jobId } }, signal: options.signal }));
  }

  /** Follows the job's event stream (polling where streaming is not possible) until it ends. */
  waitForJob(jobId: string, options: WaitOptions = {}): Promise<Job> {
    return waitForJob({
      openEvents: (id, signal) => this.openEvents(id, signal),
      getJob: (id, signal) => this.getJob(id, { signal }),
      backoffMs: (attempt) => this.transport.backoffMs(attempt),
      sleep: (ms, signal) => this.transport.sleep(ms, signal),
    }, jobId, options);
  }

  /** Create, wait, and hand back the video's URL: the whole round trip in one call. */
  async run(input: CreateJobInput, options: WaitOptions & CreateJobOptions = {}): Promise<RunResult> {
    const created = await this.createJob(input, options);
    const job = await this.waitForJob(created.jobId, options);
    const video = await this.video(job.jobId, options);
    return { job, url: video.url, video };
  }

  /** Writes the finished video to a file path or a writable stream, resuming with Range after a dropped connection. */
  async downloadVideo(jobId: string, destination: string | ByteSink, options: CallOptions = {}): Promise<DownloadResult> {
    return downloadTo(destination, {
      link: async () => (await this.video(jobId, options)).url,
      fetch: (request) => this.transport.send(request, { auth: false }),
      backoffMs: (attempt) => this.transport.backoffMs(attempt),
      sleep: (ms) => this.transport.sleep(ms, options.signal),
      signal: options.signal,
    });
  }

  /** The video's thumbnail (JPEG), when the service made one (404 NOT_FOUND otherwise). */
  async thumbnail(jobId: string, options: CallOptions = {}): Promise<Blob> {
    const { thumbnailUrl } = await this.video(jobId, options);
    if (!thumbnailUrl) throw new OmniGenError({ message: `Job ${jobId} has no thumbnail`, status: 404, code: 'NOT_FOUND' });
    const response = await this.transport.send(new Request(thumbnailUrl, { signal: options.signal }), { auth: false });
    if (!response.ok) throw OmniGenError.fromResponse(response, await readBody(response));
    return await response.blob();
  }

  // ----- account -----

  async usage(options: CallOptions = {}): Promise<Usage> {
    return unwrap(await this.api.GET(`${API}/usage`, { signal: options.signal }));
  }

  /** The video models, their options and prices, and the default model per category. */
  async models(options: CallOptions = {}): Promise<ModelCatalogue> {
    return unwrap(await this.api.GET(`${API}/models`, { signal: options.signal }));
  }

  /** Local mode only: an access token for any user id (404 in aws mode). */
  async devToken(userId: string, options: CallOptions & { email?: string } = {}): Promise<DevToken> {
    return unwrap(await this.api.POST(`${API}/auth/dev-token`, { body: { userId, ...(options.email ? { email: options.email } : {}) }, signal: options.signal }));
  }

  // ----- uploads -----

  /** Uploads a start image (JPEG, PNG or WebP) for a job's `startImage`: POST /uploads, then the presigned form POST. */
  async uploadImage(source: ImageSource, options: CallOptions = {}): Promise<UploadedImage> {
    return uploadImage(source, {
      ticket: async (body) => unwrap(await this.api.POST(`${API}/uploads`, { body, signal: options.signal })),
      post: (request) => this.transport.send(request, { auth: false }),
      signal: options.signal,
    });
  }

  // ----- webhooks -----

  /** A webhook endpoint; its signing `secret` is in this answer only. */
  async createWebhook(input: WebhookCreateInput, options: CallOptions = {}): Promise<CreatedWebhookEndpoint> {
    return unwrap(await this.api.POST(`${API}/webhooks`, { body: input, signal: options.signal }));
  }
  async listWebhooks(options: CallOptions = {}): Promise<WebhookEndpointList> {
    return unwrap(await this.api.GET(`${API}/webhooks`, { signal: options.signal }));
  }
  async getWebhook(id: string, options: CallOptions = {}): Promise<WebhookEndpoint> {
    return unwrap(await this.api.GET(`${API}/webhooks/{id}`, { params: { path: { id } }, signal: options.signal }));
  }
  async updateWebhook(id: string, patch: WebhookUpdateInput, options: CallOptions = {}): Promise<WebhookEndpoint> {
    return unwrap(await this.api.PATCH(`${API}/webhooks/{id}`, { params: { path: { id } }, body: patch, signal: options.signal }));
  }
  async deleteWebhook(id: string, options: CallOptions = {}): Promise<void> {
    const { response, error } = await this.api.DELETE(`${API}/webhooks/{id}`, { params: { path: { id } }, signal: options.signal });
    if (!response.ok) throw OmniGenError.fromResponse(response, error);
  }
  /** A new signing secret (in this answer only); for 24 h the service signs with the old one too. */
  async rotateWebhookSecret(id: string, options: CallOptions = {}): Promise<WebhookSecret> {
    return unwrap(await this.api.POST(`${API}/webhooks/{id}/rotate-secret`, { params: { path: { id } }, signal: options.signal }));
  }
  /** Sends a `webhook.test` event to the endpoint; the answer is its delivery, queued. */
  async testWebhook(id: string, options: CallOptions = {}): Promise<WebhookDelivery> {
    return unwrap(await this.api.POST(`${API}/webhooks/{id}/test`, { params: { path: { id } }, signal: options.signal }));
  }
  /** One page of the endpoint's deliveries, newest first; pass `nextCursor` back as `cursor` for the next. */
  async webhookDeliveries(id: string, query: { limit?: number; cursor?: string } = {}, options: CallOptions = {}): Promise<WebhookDeliveryPage> {
    const { limit = 20, ...rest } = query;
    return unwrap(await this.api.GET(`${API}/webhooks/{id}/deliveries`, { params: { path: { id }, query: { limit, ...rest } }, signal: options.signal }));
  }
  /** Sends a failed (or any) delivery again, as a new attempt with the same webhook-id. */
  async retryWebhookDelivery(id: string, deliveryId: string, options: CallOptions = {}): Promise<WebhookDelivery> {
    return unwrap(await this.api.POST(`${API}/webhooks/{id}/deliveries/{deliveryId}/retry`, { params: { path: { id, deliveryId } }, signal: options.signal }));
  }
  /** The user's default signing secret, for a job's one-off `webhook`. */
  async defaultWebhookSecret(options: CallOptions = {}): Promise<DefaultWebhookSecret> {
    return unwrap(await this.api.GET(`${API}/webhooks/secret`, { signal: options.signal }));
  }
  /** A job's webhook deliveries, to every endpoint, newest first. */
  async jobDeliveries(jobId: string, options: CallOptions = {}): Promise<JobDeliveryList> {
    return unwrap(await this.api.GET(`${API}/jobs/{id}/deliveries`, { params: { path: { id: jobId } }, signal: options.signal }));
  }

  // ----- plumbing -----

  private async openEvents(jobId: string, signal: AbortSignal): Promise<Response> {
    const url = `${this.baseUrl}${API}/jobs/${encodeURIComponent(jobId)}/events`;
    const response = await this.transport.send(new Request(url, { headers: { accept: 'text/event-stream' }, signal }));
    if (!response.ok) throw OmniGenError.fromResponse(response, await readBody(response));
    return response;
  }
}

/** openapi-fetch's `{ data, error, response }` as a value or a thrown OmniGenError. */
function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (!result.response.ok || result.data === undefined) throw OmniGenError.fromResponse(result.response, result.error);
  return result.data;
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
