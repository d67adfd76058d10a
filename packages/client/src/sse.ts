/** One Server-Sent Event as dispatched by the event-stream format. */
export interface SseEvent {
  event: string;
  data: string;
  id?: string;
  retry?: number;
}

/**
 * Parses a `text/event-stream` body (https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation):
 * lines end in CRLF, LF or CR; a blank line dispatches; `:` starts a comment; `data` lines join with LF.
 * Written here because browsers' EventSource cannot send a bearer header, and fetch gives only bytes.
 * An event cut off by the end of the stream (no blank line yet) is dropped, as the spec says.
 */
export async function* parseEventStream(body: ReadableStream<Uint8Array>, signal?: AbortSignal): AsyncGenerator<SseEvent> {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  // Ends the stream when `signal` aborts. The request's own signal is not enough once the headers are in:
  // the links from it to the body are weak ones (AbortSignal.any, undici's request), and once collected the
  // body never ends — seen as a CLI `wait --timeout 1` on a silent stream that never returned.
  const stop = () => void reader.cancel(signal?.reason).catch(() => {});
  if (signal?.aborted) stop();
  signal?.addEventListener('abort', stop, { once: true });
  let buffer = '';
  let pending: { event: string; data: string[]; id?: string; retry?: number } = { event: '', data: [] };
  let skipLeadingLf = false;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      if (skipLeadingLf && buffer.startsWith('\n')) buffer = buffer.slice(1);
      skipLeadingLf = false;
      for (;;) {
        const end = buffer.search(/[\r\n]/);
        if (end === -1) break;
        // A CR at the very end may be the first half of a CRLF split across chunks.
        if (buffer[end] === '\r' && end === buffer.length - 1) skipLeadingLf = true;
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + (buffer.startsWith('\r\n', end) ? 2 : 1));
        if (line === '') {
          if (pending.data.length > 0) {
            yield { event: pending.event || 'message', data: pending.data.join('\n'), ...(pending.id !== undefined ? { id: pending.id } : {}), ...(pending.retry !== undefined ? { retry: pending.retry } : {}) };
          }
          pending = { event: '', data: [] };
          continue;
        }
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon === -1 ? line : line.slice(0, colon);
        let value = colon === -1 ? '' : line.slice(colon + 1);
        if (value.startsWith(' ')) value = value.slice(1);
        if (field === 'event') pending.event = value;
        else if (field === 'data') pending.data.push(value);
        else if (field === 'id' && !value.includes('\0')) pending.id = value;
        else if (field === 'retry' && /^\d+$/.test(value)) pending.retry = Number(value);
      }
    }
  } finally {
    signal?.removeEventListener('abort', stop);
    await reader.cancel().catch(() => {});
  }
}
