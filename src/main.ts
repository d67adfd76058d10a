// The process entry: read the config, compose the app, listen, and close gracefully on SIGTERM/SIGINT.
import { createServer } from 'node:net';
import type { Logger } from 'pino';
import { createLogger } from './adapters/observability/logger.ts';
import { composeApp } from './composition/api.ts';
import { ConfigError, isLoopback, loadConfig, withPort, type AppConfig } from './config.ts';

// Fargate sends SIGTERM and waits 30 s (stopTimeout) before SIGKILL: finish well within that.
const SHUTDOWN_DEADLINE_MS = 20_000;

function readConfig(): AppConfig {
  try {
    return loadConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    // One line per problem, no stack trace: the operator reads this in the task's stopped reason.
    for (const problem of err.problems) process.stderr.write(`config error: ${problem}\n`);
    process.exit(1);
  }
}

/**
 * PORT=0 means any free port: pick it before composing, so URLs and the local issuer can name it. Another
 * process may take it before we listen; main() then composes again on a new one.
 */
async function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, host, () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Composes the app and listens; with PORT=0, tries again on another port if the one picked was taken meanwhile. */
async function listen(base: AppConfig, logger: Logger): Promise<{ config: AppConfig } & Awaited<ReturnType<typeof composeApp>>> {
  for (let attempt = 1; ; attempt++) {
    const config = base.port === 0 ? withPort(base, await freePort(base.host)) : base;
    const composed = await composeApp(config, logger);
    try {
      await composed.app.listen({ port: config.port, host: config.host });
      return { config, ...composed };
    } catch (err) {
      if (base.port !== 0 || (err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= 3) throw err;
      logger.warn({ port: config.port }, 'the port picked for PORT=0 was taken meanwhile; picking another');
      await composed.app.close();
      await composed.onShutdown();
    }
  }
}

async function main(): Promise<void> {
  const base = readConfig();
  const logger = createLogger({ service: 'omnigen-api', level: base.logLevel, base: { mode: base.mode } });
  const { config, app, onShutdown } = await listen(base, logger);

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down: no new connections, finishing in-flight requests');
    const deadline = setTimeout(() => {
      logger.error('shutdown deadline passed; exiting');
      logger.flush();
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    app
      .close()
      .then(() => onShutdown())
      .then(() => {
        clearTimeout(deadline);
        logger.info('shut down cleanly');
        logger.flush();
        process.exit(0);
      })
      .catch((err: unknown) => {
        logger.error({ err }, 'error during shutdown');
        logger.flush();
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  const tryIt = config.mode === 'local' ? ` — try it at ${config.publicUrl}/` : '';
  // On a network address the password-less dev sign-in is the whole door: say whether it is open.
  const devSignIn = config.local && !isLoopback(config.host)
    ? config.local.devSignIn
      ? ` — on ${config.host}, reachable from the network, and the dev sign-in is ON (LOCAL_DEV_SIGN_IN_ON_NETWORK=true): anyone who can reach it can act as any user`
      : ` — on ${config.host}, reachable from the network: the dev sign-in is off (LOCAL_DEV_SIGN_IN_ON_NETWORK=true turns it on)`
    : '';
  logger.info(
    { port: config.port, host: config.host, url: config.publicUrl, docs: `${config.publicUrl}/api/v1/docs`, ...(config.local ? { devSignIn: config.local.devSignIn } : {}) },
    `OmniGen API (${config.mode} mode) listening on port ${config.port}${tryIt}${devSignIn}`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`startup failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
