import { Writable } from 'node:stream';
import t from 'tap';
import { currentLogContext, runWithLogContext } from '../../src/adapters/observability/log-context.ts';
import { createLogger, isoTimeOncePerMs } from '../../src/adapters/observability/logger.ts';

function capture(base?: Record<string, string>) {
  const lines: Record<string, unknown>[] = [];
  const texts: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n').filter(Boolean)) {
        texts.push(l);
        lines.push(JSON.parse(l));
      }
      done();
    },
  });
  return { lines, texts, logger: createLogger({ service: 'omnigen-test', level: 'info', base, destination: sink }) };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

t.test('one format: level, ISO time, service and the process\'s own fields, msg; no pid or hostname', async (t) => {
  const { lines, logger } = capture({ function: 'fail-job' });
  logger.info({ n: 1 }, 'hello');
  await tick();
  t.match(lines, [{ level: 30, time: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/, service: 'omnigen-test', function: 'fail-job', n: 1, msg: 'hello' }]);
  t.notOk('pid' in (lines[0] as object) || 'hostname' in (lines[0] as object));
});

t.test('inside a log context every line carries its ids, also after an await; outside, none', async (t) => {
  const { lines, logger } = capture();
  logger.info('before');
  await runWithLogContext({ requestId: 'req-1', jobId: 'job-1', awsRequestId: 'aws-1' }, async () => {
    await tick();
    logger.warn({ step: 'x' }, 'inside');
  });
  await runWithLogContext({ requestId: 'req-2' }, async () => logger.info('only a request'));
  logger.info('after');
  await tick();
  t.same(lines.map(({ msg, requestId, jobId, awsRequestId }) => ({ msg, requestId, jobId, awsRequestId })), [
    { msg: 'before', requestId: undefined, jobId: undefined, awsRequestId: undefined },
    { msg: 'inside', requestId: 'req-1', jobId: 'job-1', awsRequestId: 'aws-1' },
    { msg: 'only a request', requestId: 'req-2', jobId: undefined, awsRequestId: undefined },
    { msg: 'after', requestId: undefined, jobId: undefined, awsRequestId: undefined },
  ]);
  t.equal(currentLogContext(), undefined, 'no context leaks out of runWithLogContext');
});

t.test('the context is mutable (a route adds the job it made); a field the line names wins; a child\'s binding is not repeated', async (t) => {
  const { lines, texts, logger } = capture();
  runWithLogContext({ requestId: 'req-1' }, () => {
    const context = currentLogContext();
    if (context) context.jobId = 'job-9';
    logger.info({ jobId: 'job-named' }, 'named');
    logger.child({ requestId: 'req-1' }).info('child');
    logger.info('plain');
  });
  await tick();
  t.same(lines.map((l) => [l.msg, l.requestId, l.jobId]), [['named', 'req-1', 'job-named'], ['child', 'req-1', 'job-9'], ['plain', 'req-1', 'job-9']]);
  t.equal(texts[1]?.match(/"requestId"/g)?.length, 1, 'no key twice on one line');
});

t.test('the time is formatted once per millisecond', async (t) => {
  let now = 1_700_000_000_000;
  const time = isoTimeOncePerMs(() => now);
  const first = time();
  t.equal(first, ',"time":"2023-11-14T22:13:20.000Z"');
  t.equal(time(), first, 'the same string within a millisecond');
  now += 1;
  t.equal(time(), ',"time":"2023-11-14T22:13:20.001Z"');
});
