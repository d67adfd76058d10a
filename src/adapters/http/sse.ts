import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';

/**
 * One Server-Sent Events response, written straight to Node's response after `reply.hijack()`.
 * Format: https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
 */
export class SseStream {
  private ended = false;

  private readonly raw: ServerResponse;
  constructor(raw: ServerResponse) {
    this.raw = raw;
  }

  /** `headers` are the ones already set on the Fastify reply (x-request-id, rate limit, CORS): hijack skips them. */
  open(headers: Record<string, string | number | string[] | undefined>): void {
    const kept: OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(headers)) if (value !== undefined) kept[name] = value;
    this.raw.writeHead(200, {
      ...kept,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      // nginx and some proxies buffer responses unless told not to, which would hold events back.
      'x-accel-buffering': 'no',
      connection: 'keep-alive',
    });
    // Send the headers now, so the client sees the stream open before the first event.
    this.raw.flushHeaders();
  }

  /** `data` must be one line: JSON never holds a raw newline, so one `data:` field suffices. */
  event(name: string, data: string): void {
    this.write(`event: ${name}\ndata: ${data}\n\n`);
  }

  /** A comment line: clients ignore it, proxies and load balancers see traffic and keep the connection. */
  comment(text: string): void {
    this.write(`: ${text}\n\n`);
  }

  /**
   * `closeConnection` on shutdown: server.close() closes only idle keep-alive sockets, and only at the
   * moment it is called, so a socket whose last bytes are still being flushed would hold it up until
   * the keep-alive timeout.
   */
  end(closeConnection = false): void {
    if (this.ended) return;
    this.ended = true;
    this.raw.end(() => {
      if (closeConnection) this.raw.socket?.destroy();
    });
  }

  get isEnded(): boolean {
    return this.ended || this.raw.destroyed;
  }

  private write(chunk: string): void {
    if (!this.isEnded) this.raw.write(chunk);
  }
}
