import t from 'tap';
import { parseEventStream, type SseEvent } from '../../packages/client/src/index.ts';

// The event-stream parser, fed in chunks that split lines (and CRLFs) anywhere.
function streamOf(...chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
}
async function events(...chunks: string[]): Promise<SseEvent[]> {
  const out: SseEvent[] = [];
  for await (const event of parseEventStream(streamOf(...chunks))) out.push(event);
  return out;
}

t.test('events, comments, multi-line data, ids and retry', async (t) => {
  t.same(await events('event: job\ndata: {"a":1}\n\n: ping\n\n', 'data: one\ndata: two\nid: 7\nretry: 1500\n\n'), [
    { event: 'job', data: '{"a":1}' },
    { event: 'message', data: 'one\ntwo', id: '7', retry: 1500 },
  ]);
  t.same(await events('data:no space\n\ndata\n\nfield-we-ignore: x\ndata: y\n\n'), [
    { event: 'message', data: 'no space' },
    { event: 'message', data: '' },
    { event: 'message', data: 'y' },
  ], 'a value without its space, a field without a colon, unknown fields');
  t.same(await events('id: a\0b\nretry: soon\ndata: z\n\n'), [{ event: 'message', data: 'z' }], 'an id with NUL and a non-numeric retry are ignored');
});

t.test('line endings CRLF, LF and CR, split across chunks anywhere', async (t) => {
  const text = 'event: job\r\ndata: 1\r\n\r\nevent: job\rdata: 2\r\revent: job\ndata: 3\n\n';
  const whole = await events(text);
  t.same(whole.map((e) => e.data), ['1', '2', '3']);
  for (let cut = 1; cut < text.length; cut++) {
    t.same(await events(text.slice(0, cut), text.slice(cut)), whole, `cut at ${cut}`);
  }
});

t.test('an event cut off by the end of the stream is dropped; blank lines alone dispatch nothing', async (t) => {
  t.same(await events('\n\n\nevent: job\ndata: {"cut":'), []);
});
