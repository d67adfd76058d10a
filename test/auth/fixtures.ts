import { createHmac, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSigner } from 'fast-jwt';

export interface TestKey {
  kid: string;
  privateKey: KeyObject;
  publicPem: string;
  jwk: Record<string, unknown>;
}

export function makeKey(kid: string): TestKey {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    kid,
    privateKey,
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    jwk: { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' },
  };
}

/** RS256 with `key`; the header's kid defaults to the key's own, `null` leaves it out. */
export function sign(key: TestKey, claims: Record<string, unknown>, kid: string | null = key.kid): string {
  const pem = key.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return createSigner({ key: pem, algorithm: 'RS256', ...(kid === null ? {} : { kid }) })(claims);
}

/** A token put together by hand, for headers and signatures no honest signer would produce. */
export function handMade(header: Record<string, unknown>, claims: Record<string, unknown>, signature = ''): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part(header)}.${part(claims)}.${signature}`;
}

export function hs256(header: Record<string, unknown>, claims: Record<string, unknown>, secret: string): string {
  const unsigned = handMade(header, claims).slice(0, -1);
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}

/** A JWKS endpoint the test controls: which keys it serves, whether it answers, how often it was asked. */
export class JwksServer {
  fetches = 0;
  keys: TestKey[] = [];
  mode: 'up' | 'down' | 'hang' = 'up';
  private readonly server: Server;

  constructor() {
    this.server = createServer((request, response) => {
      if (request.url !== '/.well-known/jwks.json') return void response.writeHead(404).end();
      this.fetches += 1;
      if (this.mode === 'hang') return;
      if (this.mode === 'down') return void response.writeHead(503).end('{"message":"down"}');
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: this.keys.map((k) => k.jwk) }));
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
