// The outbound HTTP port for webhooks, SSRF-safe by construction: the host is resolved once, every address
// it resolves to is checked (address-policy.ts), and the connection goes to the checked address through a
// `lookup` that answers only with it — so a DNS answer that changes between the check and the connect
// (rebinding) cannot take the request elsewhere. Redirects are never followed (node:http does not).
import { lookup as dnsLookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { createSecureContext, type SecureContext } from 'node:tls';
import type { WebhookTransport } from '../../application/ports/webhook-transport.ts';
import { ValidationError } from '../../domain/errors.ts';
import { checkTarget, parseWebhookUrl, type UrlRules } from '../../domain/webhook.ts';
import type { AttemptResult } from '../../domain/webhook-delivery.ts';
import { isLoopback, refusedAddress } from './address-policy.ts';

export interface ResolvedAddress {
  address: string;
  family: number;
}
export type Resolver = (host: string) => Promise<ResolvedAddress[]>;

export interface PinnedTransportOptions extends UrlRules {
  /** DNS; injectable so tests can make a name resolve to any address. */
  resolve?: Resolver;
  /** Extra trusted CA (tests' self-signed receiver). */
  ca?: string | Buffer;
  timeoutMs?: number;
  /** The most of a response body read (and kept in the log's error text). */
  maxBodyBytes?: number;
}

const systemResolver: Resolver = (host) => dnsLookup(host, { all: true, verbatim: true });

export class PinnedWebhookTransport implements WebhookTransport {
  private readonly resolve: Resolver;
  /** Built once from `ca`: given `ca` itself, every request (no agent, no reuse) parsed the PEM again. */
  private readonly secureContext: SecureContext | undefined;

  private readonly options: PinnedTransportOptions;
  constructor(options: PinnedTransportOptions) {
    this.options = options;
    this.resolve = options.resolve ?? systemResolver;
    this.secureContext = options.ca ? createSecureContext({ ca: options.ca }) : undefined;
  }

  async check(url: string): Promise<void> {
    await this.target(url);
  }

  async send(rawUrl: string, headers: Record<string, string>, body: string): Promise<AttemptResult> {
    const started = performance.now();
    let pinned: { url: URL; address: ResolvedAddress };
    try {
      pinned = await this.target(rawUrl);
    } catch (err) {
      // Refused at send time (DNS changed since registration, or a bad URL): a failed attempt, no request.
      const reason = err instanceof ValidationError ? err.message.replace(/^Invalid request: /, '') : `could not resolve: ${(err as Error).message}`;
      return { latencyMs: performance.now() - started, error: `refused: ${reason}` };
    }
    return this.post(pinned.url, pinned.address, headers, body, started);
  }

  /** The URL, checked, and the one address the request will go to. Throws ValidationError('url'). */
  private async target(raw: string): Promise<{ url: URL; address: ResolvedAddress }> {
    const url = parseWebhookUrl(raw, this.options);
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    let addresses: ResolvedAddress[];
    if (isIP(host)) addresses = [{ address: host, family: isIP(host) }];
    else {
      try {
        addresses = await this.resolve(host);
      } catch {
        throw new ValidationError('url', 'resolvable', `url host ${host} does not resolve`);
      }
    }
    if (addresses.length === 0) throw new ValidationError('url', 'resolvable', `url host ${host} does not resolve`);
    // Every answer must be allowed: one public answer beside a private one is still a way in.
    for (const { address } of addresses) {
      const reason = refusedAddress(address, this.options.allowLoopback);
      if (reason) throw new ValidationError('url', 'publicAddress', `url ${reason}; webhooks go only to public addresses`);
    }
    const address = addresses[0] as ResolvedAddress;
    checkTarget(url, isLoopback(address.address), this.options);
    return { url, address };
  }

  private post(url: URL, address: ResolvedAddress, headers: Record<string, string>, body: string, started: number): Promise<AttemptResult> {
    const maxBody = this.options.maxBodyBytes ?? 1024;
    const pin: LookupFunction = (_host, opts, callback) => {
      if ((opts as { all?: boolean }).all) (callback as (e: null, a: ResolvedAddress[]) => void)(null, [address]);
      else callback(null, address.address, address.family);
    };
    const client = url.protocol === 'https:' ? https : http;
    return new Promise((resolve) => {
      let settled = false;
      const done = (result: AttemptResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(result);
      };
      const request = client.request(url, {
        method: 'POST', lookup: pin, agent: false, headers: { ...headers, 'content-length': Buffer.byteLength(body) },
        ...(this.secureContext ? { secureContext: this.secureContext } : {}),
      }, (response) => {
        const latencyMs = performance.now() - started;
        const statusCode = response.statusCode ?? 0;
        const chunks: Buffer[] = [];
        let size = 0;
        const finish = () => {
          const text = Buffer.concat(chunks).subarray(0, maxBody).toString('utf8');
          done({ statusCode, latencyMs, ...(statusCode < 200 || statusCode >= 300 ? { error: `HTTP ${statusCode}${text ? `: ${text.slice(0, 200)}` : ''}` } : {}) });
          response.destroy();
        };
        response.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          size += chunk.length;
          // At most 1 KiB is read: a receiver cannot make us download a large body.
          if (size >= maxBody) finish();
        });
        response.on('end', finish);
        response.on('error', finish);
      });
      const timeoutMs = this.options.timeoutMs ?? 15_000;
      const timer = setTimeout(() => request.destroy(new Error(`no response within ${timeoutMs / 1000} s`)), timeoutMs);
      request.on('error', (err) => done({ latencyMs: performance.now() - started, error: err.message }));
      request.end(body);
    });
  }
}
