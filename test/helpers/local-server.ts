import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { composeApp } from '../../src/composition/api.ts';
import { loadConfig, withPort } from '../../src/config.ts';
import { listenFirst } from './front-server.ts';

export interface LocalServer {
  app: FastifyInstance;
  base: string;
  /** A dev user's access token, through POST /api/v1/auth/dev-token. */
  tokenFor(userId: string): Promise<string>;
  close(): Promise<void>;
}

/** The real local-mode composition (as `npm start` builds it), on a loopback port the OS picked. */
export async function startLocalServer(env: Record<string, string> = {}, logger: FastifyBaseLogger = pino({ level: 'silent' })): Promise<LocalServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'omnigen-test-'));
  // The local issuer is the app's own URL: listen first, compose with the port we got.
  const front = await listenFirst();
  const config = withPort(
    loadConfig({ APP_MODE: 'local', HOST: '127.0.0.1', LOCAL_DATA_DIR: dataDir, LOCAL_WORKFLOW_DURATION_MS: '300', ...env }),
    front.port,
    {},
  );
  const { app, onShutdown } = await composeApp(config, logger, { metricsWrite: () => {} });
  await front.serve(app);
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
      await front.close();
      await app.close();
      await onShutdown();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
