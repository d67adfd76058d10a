// The rate-limit cache: ElastiCache Serverless accepts TLS only, so the template's REDIS_URL is rediss://.
// Here a real redis-server (test/helpers/redis-server.ts) sits behind a TLS listener whose certificate,
// made for 127.0.0.1 at start, the API trusts through NODE_EXTRA_CA_CERTS: the client's TLS path runs.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type TLSSocket } from 'node:tls';
import { startRedis } from '../../test/helpers/redis-server.ts';

export interface RedisStandIn {
  address: string;
  port: number;
  /** The CA file a client must trust (NODE_EXTRA_CA_CERTS). */
  caFile: string;
  stop(): Promise<void>;
}

export async function startRedisStandIn(): Promise<RedisStandIn> {
  const redis = await startRedis();
  const upstream = new URL(redis.url);
  const dir = mkdtempSync(join(tmpdir(), 'omnigen-stack-tls-'));
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert,
    '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`openssl could not make the cache's certificate: ${made.stderr}`);
  const sockets = new Set<{ destroy(): void }>();
  const server = createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (client: TLSSocket) => {
    const backend = connect(Number(upstream.port), upstream.hostname);
    sockets.add(client).add(backend);
    const end = () => (client.destroy(), backend.destroy(), sockets.delete(client), sockets.delete(backend));
    client.on('error', end).on('close', end).pipe(backend);
    backend.on('error', end).on('close', end).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    address: '127.0.0.1',
    port: typeof address === 'object' && address ? address.port : 0,
    caFile: cert,
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await redis.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
