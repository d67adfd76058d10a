// Part of the API's composition root: webhooks — the use cases over the mode's endpoints, delivery log
// and job events outbox (SQLite or memory in local mode, DynamoDB in aws mode), the pinned (SSRF-safe)
// transport, and the one timer that drives delivery in this process: it sends in local mode, and in aws
// mode it only dispatches (hands due deliveries to the SQS queue the delivery Lambda reads).
import { randomInt } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { DeliverWebhooks } from '../application/deliver-webhooks.ts';
import { ManageWebhooks } from '../application/manage-webhooks.ts';
import type { Clock } from '../application/ports/clock.ts';
import type { DeliveryQueue } from '../application/ports/delivery-queue.ts';
import type { JobChanges, JobEventOutbox } from '../application/ports/job-changes.ts';
import type { VideoStorage } from '../application/ports/video-storage.ts';
import type { WebhookDeliveries } from '../application/ports/webhook-deliveries.ts';
import type { WebhookEndpoints } from '../application/ports/webhook-endpoints.ts';
import { WebhookDeliveryLog } from '../application/webhook-delivery-log.ts';
import type { RouteRegistrar } from '../adapters/http/app.ts';
import { webhookRoutes } from '../adapters/http/routes/webhooks.routes.ts';
import { PinnedWebhookTransport } from '../adapters/outbound-http/pinned-webhook-transport.ts';
import { StandardWebhooksSigner } from '../adapters/standard-webhooks/standard-webhooks-signer.ts';
import { uuidGenerator } from '../adapters/system-clock.ts';
import type { AppConfig } from '../config.ts';
import type { AttemptResult } from '../domain/webhook-delivery.ts';

export interface Webhooks {
  manage: ManageWebhooks;
  routes: RouteRegistrar;
  /** Starts the delivery timer (and the wake-up on each recorded job event). */
  start(): void;
  /** Stops them and waits for the round in flight. */
  stop(): Promise<void>;
}

export interface WebhooksDeps {
  config: AppConfig;
  clock: Clock;
  logger: FastifyBaseLogger;
  outbox: JobEventOutbox;
  /** This process's job writes (local mode): each recorded event wakes the loop. Without it (aws mode: other processes write jobs too) the timer finds them. */
  changes?: JobChanges;
  endpoints: WebhookEndpoints;
  deliveries: WebhookDeliveries;
  storage: VideoStorage;
  /** Where each attempt is counted (the API's EMF metrics). */
  onAttempt?: (result: AttemptResult) => void;
  /** How often due deliveries are looked for (retries); a recorded event wakes the loop at once anyway. */
  intervalMs?: number;
  /** aws mode: due deliveries go to this queue instead of out from this process. */
  queue?: DeliveryQueue;
}

/**
 * How long a queued delivery is left to the delivery Lambda before it is handed out again: longer than
 * a ticket normally waits in the queue plus one attempt, short enough that a lost message (or one the
 * Lambda kept failing on, now in the dead-letter queue) is retried within minutes.
 */
export const QUEUED_LEASE_MS = 10 * 60_000;

export function composeWebhooks(deps: WebhooksDeps): Webhooks {
  const { config, clock, logger } = deps;
  const transport = new PinnedWebhookTransport({ ...config.webhooks });
  const signer = new StandardWebhooksSigner();
  const manage = new ManageWebhooks({ endpoints: deps.endpoints, transport, signer, clock, ids: uuidGenerator, rules: config.webhooks });
  const deliver = new DeliverWebhooks({
    outbox: deps.outbox, endpoints: deps.endpoints, deliveries: deps.deliveries, transport, signer, storage: deps.storage, clock, logger,
    random: () => randomInt(1_000_000) / 1_000_000, videoUrlTtlSeconds: config.videoUrlTtlSeconds, onAttempt: deps.onAttempt,
    ...(deps.queue ? { queue: deps.queue, leaseMs: QUEUED_LEASE_MS } : {}),
  });
  let timer: NodeJS.Timeout | undefined;
  let unsubscribe: (() => void) | undefined;
  let woken = false;
  let stopped = false;
  const run = () => {
    if (stopped) return;
    deliver.tick().catch((err: unknown) => logger.error({ err }, 'webhook delivery round failed; retried on the next tick'));
  };
  // Many events in one turn (a burst of jobs) wake the loop once.
  const wake = () => {
    if (woken || stopped) return;
    woken = true;
    setImmediate(() => {
      woken = false;
      run();
    });
  };
  const log = new WebhookDeliveryLog({ webhooks: manage, deliveries: deps.deliveries, clock, ids: uuidGenerator, wake });
  return {
    manage,
    routes: (scope) => scope.register(webhookRoutes, { webhooks: manage, log }),
    start() {
      unsubscribe = deps.changes?.onEvent(wake);
      timer = setInterval(run, deps.intervalMs ?? 1000).unref();
      // What the last process left (pending deliveries, undispatched events) goes out now.
      wake();
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      unsubscribe?.();
      await deliver.settled();
    },
  };
}
