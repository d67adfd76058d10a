// A stand-in for the parts of Replicate's HTTP API the official client uses (https://replicate.com/docs/reference/http):
// create a prediction (POST /v1/models/{owner}/{name}/predictions or POST /v1/predictions with a version),
// read it (GET /v1/predictions/{id}), cancel it (POST /v1/predictions/{id}/cancel), and output URLs that
// serve the sample clip and its thumbnail. Each test scripts what predictions go through and which calls fail.
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Teardown } from './fake-step-functions.ts';

export type PredictionStatus = 'starting' | 'processing' | 'succeeded' | 'failed' | 'canceled';

export interface FakePrediction {
  id: string;
  model: string;
  version: string;
  input: Record<string, unknown>;
  status: PredictionStatus;
  logs: string;
  output: unknown;
  error: unknown;
  created_at: string;
  started_at?: string;
  completed_at?: string;
  /** How many times it was read. */
  reads: number;
}

/** What a prediction looks like on its n-th read (0-based); the last entry repeats. */
export type Script = Array<Partial<Pick<FakePrediction, 'status' | 'logs' | 'output' | 'error'>>>;

/** A tqdm bar as many video models print it: the client's parseProgressFromLogs reads the percentage. */
export const bar = (percent: number): string => `${percent}%|${'#'.repeat(percent / 10)}| ${percent}/100 [00:10<00:10, 1.00it/s]`;

export class FakeReplicate {
  readonly predictions = new Map<string, FakePrediction>();
  readonly calls: { method: string; path: string; body?: Record<string, unknown> }[] = [];
  /** Used for every prediction created from now on. */
  script: Script;
  private faults: { status: number; match: (method: string, path: string) => boolean; times: number }[] = [];
  private holds: { match: (method: string, path: string) => boolean; reached: () => void; released: Promise<void> }[] = [];
  private server: Server | undefined;
  private seq = 0;
  baseUrl = '';
  origin = '';

  private readonly assets: string;
  private constructor(assets: string) {
    this.assets = assets;
    this.script = [{ status: 'processing', logs: bar(20) }, { status: 'processing', logs: `${bar(20)}\n${bar(60)}` }, { status: 'succeeded', logs: bar(100), output: 'VIDEO_AND_THUMBNAIL' }];
  }

  static async start(t: Teardown, assets = path.resolve('assets')): Promise<FakeReplicate> {
    const fake = new FakeReplicate(assets);
    const server = createServer((req, res) => void fake.handle(req, res).catch((err: unknown) => {
      res.writeHead(500).end(String(err));
    }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    fake.server = server;
    fake.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    fake.baseUrl = `${fake.origin}/v1`;
    t.teardown(() => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))));
    return fake;
  }

  /** The output of a finished prediction: the clip, and the thumbnail beside it. */
  get videoAndThumbnail(): string[] {
    return [`${this.origin}/files/sample.mp4`, `${this.origin}/files/sample.jpg`];
  }

  /** The next `times` requests matching `method` and a path containing `pathPart` are answered `status`. */
  failNext(status: number, options: { method?: string; pathPart?: string; times?: number } = {}): void {
    const match = (method: string, p: string) => (options.method === undefined || options.method === method) && p.includes(options.pathPart ?? '');
    this.faults.push({ status, match, times: options.times ?? 1 });
  }

  /**
   * The next request matching `method` and `pathPart` is held unanswered until `release()`: a provider
   * that has not answered yet. `reached` resolves when that request arrives.
   */
  hold(options: { method?: string; pathPart?: string } = {}): { reached: Promise<void>; release(): void } {
    let reached!: () => void;
    let release!: () => void;
    const arrived = new Promise<void>((resolve) => (reached = resolve));
    const released = new Promise<void>((resolve) => (release = resolve));
    const match = (method: string, p: string) => (options.method === undefined || options.method === method) && p.includes(options.pathPart ?? '');
    this.holds.push({ match, reached, released });
    return { reached: arrived, release };
  }

  /** Requests that canceled this prediction. */
  cancels(id: string): number {
    return this.calls.filter((c) => c.method === 'POST' && c.path === `/v1/predictions/${id}/cancel`).length;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', this.origin);
    const text = Buffer.concat(chunks).toString('utf8');
    this.calls.push({ method, path: url.pathname, ...(text ? { body: JSON.parse(text) as Record<string, unknown> } : {}) });
    const held = this.holds.findIndex((h) => h.match(method, url.pathname));
    if (held >= 0) {
      const [hold] = this.holds.splice(held, 1);
      hold?.reached();
      await hold?.released;
    }
    const fault = this.faults.find((f) => f.times > 0 && f.match(method, url.pathname));
    if (fault) {
      fault.times--;
      return json(res, fault.status, { title: 'Injected', detail: `fake replicate answered ${fault.status}`, status: fault.status });
    }
    const file = /^\/files\/(sample\.(mp4|jpg))$/.exec(url.pathname);
    if (file && method === 'GET') {
      res.writeHead(200, { 'content-type': file[2] === 'mp4' ? 'video/mp4' : 'image/jpeg' });
      return void res.end(await readFile(path.join(this.assets, file[1] as string)));
    }
    if (req.headers.authorization !== 'Bearer r8_test_token') return json(res, 401, { title: 'Unauthenticated', detail: 'bad token', status: 401 });
    const model = /^\/v1\/models\/([^/]+\/[^/]+)\/predictions$/.exec(url.pathname);
    if (method === 'POST' && (model || url.pathname === '/v1/predictions')) return this.create(res, model?.[1], JSON.parse(text || '{}') as Record<string, unknown>);
    const one = /^\/v1\/predictions\/([^/]+)(\/cancel)?$/.exec(url.pathname);
    const prediction = one && this.predictions.get(one[1] as string);
    if (!prediction) return json(res, 404, { title: 'Not found', detail: 'Not found.', status: 404 });
    if (method === 'POST' && one?.[2]) {
      if (prediction.status === 'starting' || prediction.status === 'processing') Object.assign(prediction, { status: 'canceled', completed_at: new Date().toISOString() });
      return json(res, 200, view(prediction));
    }
    if (method === 'GET' && !one?.[2]) return json(res, 200, view(this.advance(prediction)));
    return json(res, 405, { title: 'Method not allowed', status: 405 });
  }

  private create(res: ServerResponse, model: string | undefined, body: Record<string, unknown>): void {
    const input = (body.input ?? {}) as Record<string, unknown>;
    // As Replicate: an input the model's schema refuses is a 422.
    if (typeof input.prompt !== 'string' || input.prompt.includes('REFUSE_AT_CREATE')) {
      return json(res, 422, { title: 'Input validation failed', detail: 'input.prompt: refused', status: 422 });
    }
    const id = `pred${String(++this.seq).padStart(6, '0')}`;
    const prediction: FakePrediction = {
      id, model: model ?? 'pinned/model', version: String(body.version ?? 'hidden'), input, status: 'starting', logs: '', output: null, error: null,
      created_at: new Date().toISOString(), reads: 0,
    };
    this.predictions.set(id, prediction);
    json(res, 201, view(prediction));
  }

  /** The next scripted state, unless it ended (canceled) meanwhile. */
  private advance(prediction: FakePrediction): FakePrediction {
    const step = this.script[Math.min(prediction.reads++, this.script.length - 1)] ?? {};
    if (prediction.status === 'canceled' || prediction.status === 'succeeded' || prediction.status === 'failed') return prediction;
    const output = step.output === 'VIDEO_AND_THUMBNAIL' ? this.videoAndThumbnail : step.output;
    Object.assign(prediction, { ...step, output: output ?? null, started_at: prediction.started_at ?? new Date().toISOString() });
    if (step.status === 'succeeded' || step.status === 'failed') prediction.completed_at = new Date().toISOString();
    return prediction;
  }
}

function view(p: FakePrediction): Record<string, unknown> {
  const { reads: _reads, ...rest } = p;
  return { ...rest, source: 'api', urls: { get: `/v1/predictions/${p.id}`, cancel: `/v1/predictions/${p.id}/cancel` } };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
