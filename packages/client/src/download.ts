import { OmniGenError } from './errors.ts';

/** A Node-style writable (fs.WriteStream, process.stdout, …): only what downloading uses. */
export interface NodeStyleWritable {
  write(chunk: Uint8Array): boolean;
  once(event: 'drain', listener: () => void): unknown;
}
/** Where a download may go besides a file path: a web WritableStream or a Node-style writable. Left open afterwards. */
export type ByteSink = WritableStream<Uint8Array> | NodeStyleWritable;

export interface DownloadResult {
  bytes: number;
  contentType: string | undefined;
  /** How many times a dropped connection was resumed with Range. */
  resumed: number;
}

export interface DownloadSource {
  /** A fresh signed URL (called again when one has expired). */
  link(): Promise<string>;
  fetch(request: Request): Promise<Response>;
  backoffMs(attempt: number): number;
  sleep(ms: number): Promise<void>;
  signal?: AbortSignal | undefined;
}

interface Sink {
  write(chunk: Uint8Array): Promise<void>;
  /** Start over (the server ignored Range); false when a stream cannot take back what it wrote. */
  restart(): Promise<boolean>;
  finish(): Promise<void>;
  abandon(): Promise<void>;
}

/** Attempts in a row that bring no new byte before the download gives up. */
const MAX_FRUITLESS_ATTEMPTS = 5;

export async function downloadTo(destination: string | ByteSink, source: DownloadSource): Promise<DownloadResult> {
  const sink = typeof destination === 'string' ? await fileSink(destination) : streamSink(destination);
  try {
    const result = await download(sink, source);
    await sink.finish();
    return result;
  } catch (err) {
    await sink.abandon();
    throw err;
  }
}

async function download(sink: Sink, source: DownloadSource): Promise<DownloadResult> {
  let url = await source.link();
  let written = 0;
  let total: number | undefined;
  let contentType: string | undefined;
  let resumed = 0;
  let fruitless = 0;
  const again = async (cause: unknown) => {
    if (source.signal?.aborted) throw source.signal.reason;
    if (++fruitless >= MAX_FRUITLESS_ATTEMPTS) throw cause;
    await source.sleep(source.backoffMs(fruitless));
  };
  for (;;) {
    const response = await source.fetch(new Request(url, { headers: written > 0 ? { range: `bytes=${written}-` } : {}, signal: source.signal }));
    if (response.status === 403) {
      // The signed link expired between attempts: ask for a new one.
      await response.body?.cancel();
      await again(OmniGenError.fromResponse(response, undefined));
      url = await source.link();
      continue;
    }
    if (!response.ok) throw OmniGenError.fromResponse(response, await response.json().catch(() => undefined));
    if (written > 0 && response.status === 200) {
      // The server ignored Range: the whole file again.
      if (!(await sink.restart())) {
        await response.body?.cancel();
        throw new OmniGenError({ message: 'The connection dropped and the server cannot resume (no Range support); retry into a file path', status: 0, code: 'RESUME_NOT_POSSIBLE' });
      }
      written = 0;
    }
    const range = /^bytes (\d+)-\d+\/(\d+)$/.exec(response.headers.get('content-range') ?? '');
    if (response.status === 206 && Number(range?.[1]) !== written) {
      throw new OmniGenError({ message: 'The server resumed at the wrong offset', status: 206, code: 'BAD_RANGE' });
    }
    total = range ? Number(range[2]) : Number(response.headers.get('content-length') ?? Number.NaN) || total;
    contentType = response.headers.get('content-type') ?? contentType;
    const before = written;
    try {
      // A reader rather than `for await`: Safari's ReadableStream is not async-iterable.
      const reader = response.body?.getReader();
      for (let next = await reader?.read(); next && !next.done; next = await reader?.read()) {
        await sink.write(next.value);
        written += next.value.byteLength;
      }
    } catch (err) {
      if (written > before) fruitless = 0;
      await again(new OmniGenError({ message: `The video download dropped after ${written} bytes`, status: 0, code: 'NETWORK_ERROR', cause: err }));
      resumed++;
      continue;
    }
    if (total === undefined || written >= total) return { bytes: written, contentType, resumed };
    // The body ended early without an error: resume too.
    if (written > before) fruitless = 0;
    await again(new OmniGenError({ message: `The video download ended after ${written} of ${total} bytes`, status: 0, code: 'NETWORK_ERROR' }));
    resumed++;
  }
}

/** Writes to `<path>.part` and renames it when complete, so a failed download never leaves a truncated video at `path`. */
async function fileSink(path: string): Promise<Sink> {
  const fs = await import('node:fs/promises');
  const partial = `${path}.part`;
  const handle = await fs.open(partial, 'w', 0o644);
  let position = 0;
  return {
    async write(chunk) {
      await handle.write(chunk, 0, chunk.byteLength, position);
      position += chunk.byteLength;
    },
    async restart() {
      await handle.truncate(0);
      position = 0;
      return true;
    },
    async finish() {
      await handle.close();
      await fs.rename(partial, path);
    },
    async abandon() {
      await handle.close().catch(() => {});
      await fs.rm(partial, { force: true });
    },
  };
}

function streamSink(destination: ByteSink): Sink {
  if ('getWriter' in destination) {
    const writer = destination.getWriter();
    return {
      async write(chunk) {
        await writer.ready;
        await writer.write(chunk);
      },
      restart: async () => false,
      finish: async () => writer.releaseLock(),
      abandon: async () => writer.releaseLock(),
    };
  }
  return {
    async write(chunk) {
      if (!destination.write(chunk)) await new Promise<void>((resolve) => destination.once('drain', resolve));
    },
    restart: async () => false,
    finish: async () => {},
    abandon: async () => {},
  };
}
