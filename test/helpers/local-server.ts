import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { composeApp } from '../../src/compose.js';
import { loadConfig, withPort } from '../../src/config.js';
import { freePort } from './server-process.js';

export interface LocalServer {
  app: FastifyInstance;
  base: string;
  /** A dev user's access token, through POST /api/v1/auth/dev-token. */
  tokenFor(userId: string): Promise<string>;
  close(): Promise<void>;
}

/** The real local-mode composition (as `npm start` builds it), listening on a free loopback port. */
export async function startLocalServer(env: Record<string, string> = {}, logger: FastifyBaseLogger = pino({ level: 'silent' })): Promise<LocalServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'omnigen-test-'));
  const config = withPort(
    loadConfig({ APP_MODE: 'local', HOST: '127.0.0.1', LOCAL_DATA_DIR: dataDir, LOCAL_WORKFLOW_DURATION_MS: '300', ...env }),
    await freePort(),
    {},
  );
  const { app, onShutdown } = await composeApp(config, logger, { metricsWrite: () => {} });
  await app.listen({ port: config.port, host: config.host });
  return {
    app,
    base: config.publicUrl,
    async tokenFor(userId) {
      const res = await fetch(`${config.publicUrl}/api/v1/auth/dev-token`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId }),
      });
      return ((await res.json()) as { accessToken: string }).accessToken;
    },
    async close() {
      await app.close();
      await onShutdown();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
