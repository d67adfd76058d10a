// Named types for the API's shapes, taken from the generated OpenAPI types (src/generated/openapi.ts).
// Endpoints the service did not serve when the types were last generated are typed from the contract
// (docs: /work/shared/CONTRACT.md) through `Served<…, Fallback>`: once `npm run client:generate` picks
// the path up, the generated type replaces the fallback with no change here.
import type { paths } from './generated/openapi.js';

type JsonOf<Operation, Status extends number> = Operation extends { responses: { [S in Status]: { content: { 'application/json': infer T } } } } ? T : never;
type BodyOf<Operation> = Operation extends { requestBody?: { content: { 'application/json': infer T } } } ? T : never;
type IsNever<T> = [T] extends [never] ? true : false;

/** The generated JSON response of `method path` with `status`, or `Fallback` while the path is not generated yet. */
export type Served<Path extends string, Method extends string, Status extends number, Fallback> = Path extends keyof paths
  ? Method extends keyof paths[Path]
    ? IsNever<JsonOf<NonNullable<paths[Path][Method]>, Status>> extends true ? Fallback : JsonOf<NonNullable<paths[Path][Method]>, Status>
    : Fallback
  : Fallback;

/** The generated JSON request body of `method path`, or `Fallback` while the path is not generated yet. */
export type ServedBody<Path extends string, Method extends string, Fallback> = Path extends keyof paths
  ? Method extends keyof paths[Path]
    ? IsNever<BodyOf<NonNullable<paths[Path][Method]>>> extends true ? Fallback : BodyOf<NonNullable<paths[Path][Method]>>
    : Fallback
  : Fallback;

export type Job = Served<'/api/v1/jobs/{id}', 'get', 200, never>;
export type JobStatus = Job['status'];
export type JobPage = Served<'/api/v1/jobs', 'get', 200, never>;
export type CreatedJob = Served<'/api/v1/jobs', 'post', 202, never>;
export type VideoLink = Served<'/api/v1/jobs/{id}/video', 'get', 200, never> & { thumbnailUrl?: string };
export type Usage = Served<'/api/v1/usage', 'get', 200, never>;
export type DevToken = Served<'/api/v1/auth/dev-token', 'post', 200, never>;

/** The options of POST /jobs beyond prompt and category (contract: "Options"), until the generated body has them. */
export interface JobOptionsFallback {
  model?: string;
  durationSeconds?: number;
  aspectRatio?: string;
  resolution?: string;
  negativePrompt?: string;
  seed?: number;
  /** An `uploadId` from `uploadImage`. */
  startImage?: string;
  webhook?: { url: string; events?: string[] };
}
export type CreateJobInput = ServedBody<'/api/v1/jobs', 'post', never> & JobOptionsFallback;

// ----- Contract shapes of endpoints being added in parallel (fallbacks until regenerated) -----

export interface ModelFallback {
  id: string;
  provider: string;
  name: string;
  durations: number[];
  aspectRatios: string[];
  resolutions: string[];
  startImage: boolean;
  negativePrompt: boolean;
  seed: boolean;
  price: unknown;
  [more: string]: unknown;
}
export type ModelCatalogue = Served<'/api/v1/models', 'get', 200, { models: ModelFallback[]; defaults: Record<string, string> }>;

export type UploadContentType = 'image/jpeg' | 'image/png' | 'image/webp';
export type UploadTicket = Served<'/api/v1/uploads', 'post', 201, { uploadId: string; url: string; fields: Record<string, string>; expiresAt: string }>;

export interface WebhookEndpointFallback {
  id: string;
  url: string;
  events: string[];
  enabled: boolean;
  createdAt?: string;
  [more: string]: unknown;
}
export type WebhookEndpoint = Served<'/api/v1/webhooks/{id}', 'get', 200, WebhookEndpointFallback>;
/** As created: the signing secret is shown this once. */
export type CreatedWebhookEndpoint = Served<'/api/v1/webhooks', 'post', 201, WebhookEndpointFallback & { secret: string }>;
export type WebhookEndpointList = Served<'/api/v1/webhooks', 'get', 200, { webhooks: WebhookEndpointFallback[]; [more: string]: unknown }>;
export type WebhookSecret = Served<'/api/v1/webhooks/{id}/rotate-secret', 'post', 200, { secret: string; [more: string]: unknown }>;
export type DefaultWebhookSecret = Served<'/api/v1/webhooks/secret', 'get', 200, { secret: string; [more: string]: unknown }>;
export interface WebhookDeliveryFallback {
  id: string;
  [more: string]: unknown;
}
export type WebhookDeliveryPage = Served<'/api/v1/webhooks/{id}/deliveries', 'get', 200, { deliveries: WebhookDeliveryFallback[]; nextCursor?: string | null; [more: string]: unknown }>;
export type WebhookCreateInput = ServedBody<'/api/v1/webhooks', 'post', { url: string; events?: string[]; description?: string }>;
export type WebhookUpdateInput = ServedBody<'/api/v1/webhooks/{id}', 'patch', { url?: string; events?: string[]; enabled?: boolean; description?: string }>;
