// A real HTTPS webhook receiver for tests: a self-signed certificate made with openssl in a temp dir
// (trusted by the delivery transport through its `ca` option), listening on port 0, verifying every
// delivery with standardwebhooks' own `verify`, and de-duplicating by webhook-id as a receiver should.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import { Webhook } from 'standardwebhooks';

export interface Received {
  id: string;
  headers: Record<string, string>;
  body: string;
  payload: { type: string; timestamp: string; data: Record<string, unknown> };
  verified: string[];
}

export interface Receiver {
  url: string;
  ca: string;
  /** Every request, verified or not, in arrival order. */
  requests: Received[];
  /** The first copy of each webhook-id. */
  unique(): Received[];
  /** What the next requests are answered with (200 unless set). */
  status: number;
  extraHeaders: Record<string, string>;
  /** Secrets each request is verified against; a request some secret does not verify is recorded with fewer names. */
  secrets: Record<string, string>;
  close(): Promise<void>;
}

let made: { cert: string; key: string } | undefined;

/** One certificate per test process (openssl takes a moment). CN and SAN: 127.0.0.1 and localhost. */
function certificate(t: Test): { cert: string; key: string } {
  if (made) return made;
  const dir = mkdtempSync(join(tmpdir(), 'omnigen-webhook-cert-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
    '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
  ], { stdio: 'ignore' });
  made = { cert: readFileSync(join(dir, 'cert.pem'), 'utf8'), key: readFileSync(join(dir, 'key.pem'), 'utf8') };
  return made;
}

export async function startReceiver(t: Test, secrets: Record<string, string> = {}): Promise<Receiver> {
  const { cert, key } = certificate(t);
  const requests: Received[] = [];
  const receiver: Receiver = {
    url: '', ca: cert, requests, status: 200, extraHeaders: {}, secrets,
    unique: () => requests.filter((r, i) => requests.findIndex((x) => x.id === r.id) === i),
    close: async () => undefined,
  };
  const server = https.createServer({ cert, key }, (req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
      const verified = Object.entries(receiver.secrets).filter(([, secret]) => {
        try {
          new Webhook(secret).verify(body, headers);
          return true;
        } catch {
          return false;
        }
      }).map(([name]) => name);
      requests.push({ id: headers['webhook-id'] ?? '', headers, body, payload: JSON.parse(body) as Received['payload'], verified });
      res.writeHead(receiver.status, receiver.extraHeaders).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  receiver.close = () => new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
  t.teardown(receiver.close);
  return receiver;
}
