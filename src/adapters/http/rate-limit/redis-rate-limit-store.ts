import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Logger } from '../../../application/ports/logger.ts';
import type { RateDecision } from '../../../domain/rate-window.ts';
import { type RateLimitStore, type StoreResult, toStoreResult } from './rate-limit-store.ts';

// One sliding window per key, as the domain's RateWindow keeps it, in one atomic step: drop the
// requests older than the window, count the rest, add this one if under the limit (with the key's
// expiry moved to when it leaves the window), and report the oldest and newest request still in it.
// Refused requests are not recorded, so a caller that backs off gets its budget back.
const SLIDING_WINDOW = `
local key = KEYS[1]
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local used = redis.call('ZCARD', key)
local allowed = 0
if used < limit then
  redis.call('ZADD', key, now, ARGV[4])
  redis.call('PEXPIRE', key, window)
  used = used + 1
  allowed = 1
end
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
local newest = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')
return {allowed, used, oldest[2] or '', newest[2] or ''}
`;

type WindowReply = [allowed: number, used: number, oldest: string, newest: string];
type WithSlidingWindow = Redis & { slidingWindow(key: string, now: number, windowMs: number, limit: number, member: string): Promise<WindowReply> };

/** A client that fails fast: a slow or absent Redis costs a request at most `commandTimeoutMs`. */
export function createRedisClient(url: string, commandTimeoutMs = 200): Redis {
  return new Redis(url, {
    commandTimeout: commandTimeoutMs,
    maxRetriesPerRequest: 1,
    // Disconnected: fail at once instead of queueing requests behind a reconnect.
    enableOfflineQueue: false,
    connectTimeout: 1000,
    lazyConnect: true,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
  });
}

export interface RedisRateLimitStoreOptions {
  redis: Redis;
  now?: () => number;
  /** Key prefix, so the limiter's keys never meet anything else in the same Redis. */
  prefix?: string;
  logger: Logger;
  /** Counts each request let through because Redis did not answer (a metric). */
  onFailOpen?: () => void;
}

const LOG_EVERY_MS = 60_000;

/**
 * The shared store: every process keeps its windows in one Redis, so a user's limit holds whichever
 * task answers. When Redis does not answer in time the plugin lets the request through (fail-open,
 * see docs/rate-limits.md); this store logs that at most once a minute and counts every such request.
 */
export class RedisRateLimitStore implements RateLimitStore {
  private readonly redis: WithSlidingWindow;
  private readonly now: () => number;
  private readonly prefix: string;
  private readonly process = randomUUID().slice(0, 8);
  private sequence = 0;
  private loggedAt = Number.NEGATIVE_INFINITY;

  private readonly options: RedisRateLimitStoreOptions;
  constructor(options: RedisRateLimitStoreOptions) {
    this.options = options;
    this.redis = options.redis as WithSlidingWindow;
    this.now = options.now ?? Date.now;
    this.prefix = options.prefix ?? 'omnigen:rate:';
    // ioredis runs it with EVALSHA and loads it once when Redis does not know it yet.
    this.redis.defineCommand('slidingWindow', { numberOfKeys: 1, lua: SLIDING_WINDOW });
    this.redis.on('error', (error: Error) => this.unavailable(error));
  }

  /**
   * Waits up to `timeoutMs` for the first connection and loads the script, so the first requests do not
   * pay a NOSCRIPT round trip; the service starts (fail-open) either way.
   */
  async connect(timeoutMs = 2000): Promise<void> {
    const connected = this.redis.connect().then(
      () => this.redis.script('LOAD', SLIDING_WINDOW),
      (error: Error) => this.unavailable(error),
    );
    const timer = new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref());
    await Promise.race([connected.catch(() => undefined), timer]);
  }

  incr(key: string, callback: (error: Error | null, result?: StoreResult) => void, timeWindow: number, max: number): void {
    const now = this.now();
    const member = `${now}:${this.process}:${++this.sequence}`;
    this.redis.slidingWindow(this.prefix + key, now, timeWindow, max, member).then(
      (reply) => callback(null, toStoreResult(decide(reply, now, timeWindow, max))),
      (error: Error) => {
        this.options.onFailOpen?.();
        this.unavailable(error);
        callback(error);
      },
    );
  }

  /** One store for every route: the limit is per caller, not per route. */
  child(): RateLimitStore {
    return this;
  }

  async check(): Promise<void> {
    await this.redis.ping();
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  private unavailable(error: Error): void {
    const now = this.now();
    if (now - this.loggedAt < LOG_EVERY_MS) return;
    this.loggedAt = now;
    this.options.logger.warn({ err: error }, 'rate-limit store (Redis) unavailable: requests are let through unlimited');
  }
}

/** The script's answer as the domain's RateDecision (the same arithmetic as RateWindow.hit). */
function decide([allowed, used, oldest, newest]: WindowReply, now: number, windowMs: number, limit: number): RateDecision {
  const untilOldestLeaves = oldest === '' ? 0 : Number(oldest) + windowMs - now;
  const untilAllLeave = newest === '' ? windowMs : Number(newest) + windowMs - now;
  return {
    allowed: allowed === 1,
    limit,
    remaining: Math.max(0, limit - used),
    retryAfterSeconds: allowed === 1 ? 0 : Math.max(1, Math.ceil(untilOldestLeaves / 1000)),
    resetSeconds: Math.max(1, Math.ceil(untilAllLeave / 1000)),
  };
}
