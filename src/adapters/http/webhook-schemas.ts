// TypeBox schemas of the webhook routes (CONTRACT.md "Webhooks"; docs/webhooks.md).
import { Type } from '@sinclair/typebox';
import { JOB_EVENT_TYPES } from '../../domain/job-event.ts';
import { DESCRIPTION_MAX, URL_MAX_BYTES, WEBHOOK_EVENT_TYPES } from '../../domain/webhook.ts';
import { MAX_DELIVERY_ATTEMPTS } from '../../domain/webhook-delivery.ts';

const Time = Type.String({ format: 'date-time', description: 'ISO 8601 UTC' });
const Uuid = Type.String({ pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$', description: 'lower-case UUID' });
const EventType = Type.Unsafe<string>({ type: 'string', enum: [...JOB_EVENT_TYPES] });
const Url = Type.String({ minLength: 1, maxLength: URL_MAX_BYTES, description: `https, public address, port 443 or 8443, no credentials; at most ${URL_MAX_BYTES} bytes` });
const Events = Type.Array(EventType, { minItems: 1, maxItems: JOB_EVENT_TYPES.length, description: 'The job events to send; all of them when left out' });

export const WebhookIdParams = Type.Object({ id: Uuid });
export const DeliveryParams = Type.Object({ id: Uuid, deliveryId: Type.String({ pattern: '^msg_[A-Za-z0-9_-]{1,80}$' }) });

export const CreateWebhookBody = Type.Object({
  url: Url,
  events: Type.Optional(Events),
  description: Type.Optional(Type.String({ maxLength: DESCRIPTION_MAX })),
}, { additionalProperties: false });

export const PatchWebhookBody = Type.Object({
  url: Type.Optional(Url),
  events: Type.Optional(Events),
  enabled: Type.Optional(Type.Boolean({ description: 'false pauses deliveries; true resumes an endpoint (also one a 410 Gone turned off)' })),
}, { additionalProperties: false, minProperties: 1 });

/** A job's one-off webhook on POST /jobs. */
export const JobWebhookOption = Type.Object({ url: Url, events: Type.Optional(Events) }, {
  additionalProperties: false, description: "Signed with the user's default secret (GET /webhooks/secret)",
});

const webhookFields = {
  id: Uuid,
  url: Type.String(),
  events: Type.Array(EventType),
  enabled: Type.Boolean(),
  description: Type.Optional(Type.String()),
  disabledReason: Type.Optional(Type.String({ description: 'Why the service turned it off (a 410 Gone from the receiver)' })),
  previousSecretExpiresAt: Type.Optional(Type.String({ format: 'date-time', description: 'Until then the previous secret signs too' })),
  createdAt: Time,
  updatedAt: Time,
};

export const Webhook = Type.Object(webhookFields, { title: 'Webhook' });
export const WebhookWithSecret = Type.Object({
  ...webhookFields,
  secret: Type.String({ pattern: '^whsec_', description: 'Shown only here: store it to verify deliveries' }),
}, { title: 'WebhookWithSecret' });
export const WebhookList = Type.Object({ webhooks: Type.Array(Webhook) });
export const DefaultSecret = Type.Object({ secret: Type.String({ pattern: '^whsec_', description: "Signs jobs' one-off webhooks" }) });

export const Delivery = Type.Object({
  id: Type.String({ description: 'The webhook-id header: the same on every attempt' }),
  type: Type.Unsafe<string>({ type: 'string', enum: [...WEBHOOK_EVENT_TYPES] }),
  jobId: Type.Optional(Type.String()),
  url: Type.String(),
  outcome: Type.Unsafe<string>({ type: 'string', enum: ['pending', 'delivered', 'failed'] }),
  attempts: Type.Integer({ minimum: 0, maximum: MAX_DELIVERY_ATTEMPTS }),
  lastStatusCode: Type.Optional(Type.Integer()),
  lastLatencyMs: Type.Optional(Type.Integer()),
  lastError: Type.Optional(Type.String()),
  lastAttemptAt: Type.Optional(Time),
  nextAttemptAt: Type.Optional(Time),
  createdAt: Time,
}, { title: 'WebhookDelivery' });

export const DeliveryList = Type.Object({ deliveries: Type.Array(Delivery), nextCursor: Type.Union([Type.String(), Type.Null()]) });
export const JobDeliveryList = Type.Object({ deliveries: Type.Array(Delivery) });

export const DeliveriesQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 512, description: 'opaque, from nextCursor' })),
});
