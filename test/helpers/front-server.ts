import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';

export interface FrontServer {
  port: number;
  /** http://127.0.0.1:<port> */
  base: string;
  /** From now on every request (and every request Node's parser refuses) goes to `app`. */
  serve(app: FastifyInstance): Promise<void>;
  close(): Promise<void>;
}

/**
 * A loopback HTTP server listening on port 0 before the app exists, for apps that must know their own
 * URL when they are built (the local issuer, OAuth redirect URIs): no port is probed for and released.
 * Requests are handed to the app's own server, so its handler and its clientError handler answer them.
 */
export async function listenFirst(): Promise<FrontServer> {
  let target: FastifyInstance | undefined;
  const server = createServer((req, res) => {
    if (!target) return void res.writeHead(503).end();
    target.server.emit('request', req, res);
  });
  server.on('clientError', (error, socket) => {
    if (target) target.server.emit('clientError', error, socket);
    else socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    base: `http://127.0.0.1:${port}`,
    async serve(app) {
      await app.ready();
      target = app;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
