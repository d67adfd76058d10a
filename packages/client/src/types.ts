// Named types for the API's shapes, all taken from the generated OpenAPI types (src/generated/openapi.ts,
// regenerated with `npm run client:generate`): the client knows the API only through that document.
import type { paths } from './generated/openapi.ts';

type JsonOf<Operation, Status extends number> = Operation extends { responses: { [S in Status]: { content: { 'application/json': infer T } } } } ? T : never;
type BodyOf<Operation> = Operation extends { requestBody?: { content: { 'application/json': infer T } } } ? T : never;

/** The JSON answer of `method path` with `status`, as the service documents it. */
export type Served<Path extends keyof paths, Method extends keyof paths[Path], Status extends number> = JsonOf<NonNullable<paths[Path][Method]>, Status>;
/** The JSON request body of `method path`. */
export type ServedBody<Path extends keyof paths, Method extends keyof paths[Path]> = BodyOf<NonNullable<paths[Path][Method]>>;

export type Job = Served<'/api/v1/jobs/{id}', 'get', 200>;
export type JobStatus = Job['status'];
export type JobPage = Served<'/api/v1/jobs', 'get', 200>;
export type CreateJobInput = ServedBody<'/api/v1/jobs', 'post'>;
export type CreatedJob = Served<'/api/v1/jobs', 'post', 202>;
export type VideoLink = Served<'/api/v1/jobs/{id}/video', 'get', 200>;
export type Usage = Served<'/api/v1/usage', 'get', 200>;
export type DevToken = Served<'/api/v1/auth/dev-token', 'post', 200>;
export type ModelCatalogue = Served<'/api/v1/models', 'get', 200>;
export type UploadTicket = Served<'/api/v1/uploads', 'post', 201>;
export type UploadContentType = ServedBody<'/api/v1/uploads', 'post'>['contentType'];

export type WebhookCreateInput = ServedBody<'/api/v1/webhooks', 'post'>;
export type WebhookUpdateInput = ServedBody<'/api/v1/webhooks/{id}', 'patch'>;
/** As created: the signing secret is shown this once. */
export type CreatedWebhookEndpoint = Served<'/api/v1/webhooks', 'post', 201>;
export type WebhookEndpoint = Served<'/api/v1/webhooks/{id}', 'get', 200>;
export type WebhookEndpointList = Served<'/api/v1/webhooks', 'get', 200>;
/** After a rotation: the endpoint with its new secret (shown this once). */
export type WebhookSecret = Served<'/api/v1/webhooks/{id}/rotate-secret', 'post', 200>;
export type DefaultWebhookSecret = Served<'/api/v1/webhooks/secret', 'get', 200>;
export type WebhookDelivery = Served<'/api/v1/webhooks/{id}/test', 'post', 202>;
export type WebhookDeliveryPage = Served<'/api/v1/webhooks/{id}/deliveries', 'get', 200>;
export type JobDeliveryList = Served<'/api/v1/jobs/{id}/deliveries', 'get', 200>;
