import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ManageWebhooks } from '../../../application/manage-webhooks.ts';
import type { DeliveryPosition } from '../../../application/ports/webhook-deliveries.ts';
import type { WebhookDeliveryLog } from '../../../application/webhook-delivery-log.ts';
import { ValidationError } from '../../../domain/errors.ts';
import type { WebhookEndpoint } from '../../../domain/webhook.ts';
import { ErrorBody } from '../http-error.ts';
import { principalOf } from '../plugins/auth.plugin.ts';
import { authErrors, bearer, JobIdParams } from '../schemas.ts';
import {
  CreateWebhookBody, DefaultSecret, Delivery, DeliveriesQuery, DeliveryList, DeliveryParams, JobDeliveryList,
  PatchWebhookBody, Webhook, WebhookIdParams, WebhookList, WebhookWithSecret,
} from '../webhook-schemas.ts';

export interface WebhookRoutesOptions {
  webhooks: ManageWebhooks;
  log: WebhookDeliveryLog;
}

/** Never the secrets: the response schema drops them, and this drops them before it. */
function view(endpoint: WebhookEndpoint) {
  const { secret: _secret, previousSecret: _previous, userId: _user, ...rest } = endpoint;
  if (!endpoint.previousSecret) delete rest.previousSecretExpiresAt;
  return { ...rest, events: [...rest.events] };
}

function encodeCursor(position: DeliveryPosition): string {
  return Buffer.from(JSON.stringify([position.createdAt, position.id])).toString('base64url');
}

function decodeCursor(cursor: string | undefined): DeliveryPosition | undefined {
  if (cursor === undefined) return undefined;
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (typeof createdAt === 'string' && typeof id === 'string') return { createdAt, id };
  } catch {
    // reported below
  }
  throw new ValidationError('cursor', 'format', 'cursor is not one this service gave out');
}

/** `/webhooks…` (CONTRACT.md "Webhooks"): thin handlers over ManageWebhooks and the delivery log. */
export const webhookRoutes: FastifyPluginAsyncTypebox<WebhookRoutesOptions> = async (app, { webhooks, log }) => {
  const tags = ['webhooks'];
  const byId = { 400: ErrorBody, 404: ErrorBody, ...authErrors };
  const userOf = (request: Parameters<typeof principalOf>[0]) => principalOf(request).userId;

  app.post('/webhooks', {
    schema: {
      tags, security: bearer, summary: 'Register a webhook endpoint (at most 10); its signing secret is shown only here',
      body: CreateWebhookBody, response: { 201: WebhookWithSecret, 400: ErrorBody, 413: ErrorBody, 415: ErrorBody, ...authErrors },
    },
  }, async (request, reply) => {
    const endpoint = await webhooks.create(userOf(request), request.body);
    reply.code(201).header('location', `/api/v1/webhooks/${endpoint.id}`);
    return { ...view(endpoint), secret: endpoint.secret };
  });

  app.get('/webhooks', {
    schema: { tags, security: bearer, summary: "The caller's webhook endpoints", response: { 200: WebhookList, ...authErrors } },
  }, async (request) => ({ webhooks: (await webhooks.list(userOf(request))).map(view) }));

  app.get('/webhooks/secret', {
    schema: { tags, security: bearer, summary: "The caller's default secret: it signs jobs' one-off webhooks (POST /jobs `webhook`)", response: { 200: DefaultSecret, ...authErrors } },
  }, async (request) => ({ secret: await webhooks.defaultSecret(userOf(request)) }));

  app.get('/webhooks/:id', {
    schema: { tags, security: bearer, summary: 'One webhook endpoint', params: WebhookIdParams, response: { 200: Webhook, ...byId } },
  }, async (request) => view(await webhooks.get(userOf(request), request.params.id)));

  app.patch('/webhooks/:id', {
    schema: {
      tags, security: bearer, summary: 'Change the URL, the events, or pause/resume', params: WebhookIdParams, body: PatchWebhookBody,
      response: { 200: Webhook, 413: ErrorBody, 415: ErrorBody, ...byId },
    },
  }, async (request) => view(await webhooks.update(userOf(request), request.params.id, request.body)));

  app.delete('/webhooks/:id', {
    schema: { tags, security: bearer, summary: 'Delete an endpoint; its pending deliveries are dropped', params: WebhookIdParams, response: { 204: { type: 'null', description: 'Deleted' }, ...byId } },
  }, async (request, reply) => {
    await webhooks.delete(userOf(request), request.params.id);
    return reply.code(204).send();
  });

  app.post('/webhooks/:id/rotate-secret', {
    schema: {
      tags, security: bearer, summary: 'A new secret; the old one keeps signing beside it for 24 h (two signatures)',
      params: WebhookIdParams, response: { 200: WebhookWithSecret, 415: ErrorBody, ...byId },
    },
  }, async (request) => {
    const endpoint = await webhooks.rotateSecret(userOf(request), request.params.id);
    return { ...view(endpoint), secret: endpoint.secret };
  });

  app.post('/webhooks/:id/test', {
    schema: { tags, security: bearer, summary: 'Send a `webhook.test` event now', params: WebhookIdParams, response: { 202: Delivery, 415: ErrorBody, ...byId } },
  }, async (request, reply) => reply.code(202).send(await log.sendTest(userOf(request), request.params.id)));

  app.get('/webhooks/:id/deliveries', {
    schema: {
      tags, security: bearer, summary: "The endpoint's deliveries, newest first: attempts, last status and latency, next attempt, outcome",
      params: WebhookIdParams, querystring: DeliveriesQuery, response: { 200: DeliveryList, ...byId },
    },
  }, async (request) => {
    const page = await log.list(userOf(request), request.params.id, request.query.limit, decodeCursor(request.query.cursor));
    return { deliveries: page.deliveries, nextCursor: page.next ? encodeCursor(page.next) : null };
  });

  app.post('/webhooks/:id/deliveries/:deliveryId/retry', {
    schema: {
      tags, security: bearer, summary: 'Send a delivery again now (same webhook-id), whatever its outcome',
      params: DeliveryParams, response: { 202: Delivery, 415: ErrorBody, ...byId },
    },
  }, async (request, reply) => reply.code(202).send(await log.retry(userOf(request), request.params.id, request.params.deliveryId)));

  app.get('/jobs/:id/deliveries', {
    schema: { tags, security: bearer, summary: "A job's webhook deliveries (to every endpoint), newest first", params: JobIdParams, response: { 200: JobDeliveryList, ...byId } },
  }, async (request) => ({ deliveries: await log.byJob(userOf(request), request.params.id) }));
};
