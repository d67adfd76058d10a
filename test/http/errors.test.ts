import t, { type Test } from 'tap';
import { buildTestApp } from '../helpers/test-app.ts';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function assertErrorBody(t: Test, body: string, code: string): Record<string, unknown> {
  const parsed = JSON.parse(body) as Record<string, unknown>;
  t.equal(parsed.code, code);
  t.type(parsed.error, 'string');
  t.match(parsed.timestamp, ISO);
  return parsed;
}

t.test('every failure has the contract error body', async (t) => {
  const { app, auth } = await buildTestApp();
  t.teardown(() => app.close());
  const post = (payload: string, contentType = 'application/json') =>
    app.inject({ method: 'POST', url: '/api/v1/jobs', headers: { ...auth('alice'), 'content-type': contentType }, payload });

  let res = await app.inject({ method: 'GET', url: '/api/v1/nowhere' });
  t.equal(res.statusCode, 404);
  assertErrorBody(t, res.body, 'NOT_FOUND');

  res = await post('{"prompt": ');
  t.equal(res.statusCode, 400);
  assertErrorBody(t, res.body, 'INVALID_REQUEST');

  res = await post('prompt=hello', 'text/plain');
  t.equal(res.statusCode, 415);
  assertErrorBody(t, res.body, 'UNSUPPORTED_MEDIA_TYPE');

  res = await post(JSON.stringify({ prompt: 'x'.repeat(70 * 1024), category: 'music-video' }));
  t.equal(res.statusCode, 413);
  assertErrorBody(t, res.body, 'PAYLOAD_TOO_LARGE');

  const cases: Array<[unknown, string, string]> = [
    [{ prompt: 'too short', category: 'music-video' }, 'prompt', 'minLength'],
    [{ prompt: '          padded          ', category: 'music-video' }, 'prompt', 'minLength'],
    [{ prompt: 'p'.repeat(501), category: 'music-video' }, 'prompt', 'maxLength'],
    [{ prompt: 'A neon city at night', category: 'podcast' }, 'category', 'enum'],
    [{ prompt: 'A neon city at night', category: 'music-video', extra: 1 }, 'extra', 'additionalProperties'],
    [{ prompt: 12345678901, category: 'music-video' }, 'prompt', 'type'],
    [{ category: 'music-video' }, 'prompt', 'required'],
  ];
  for (const [body, field, constraint] of cases) {
    res = await post(JSON.stringify(body));
    t.equal(res.statusCode, 400, `${field} ${constraint}`);
    const parsed = assertErrorBody(t, res.body, 'VALIDATION_ERROR');
    t.same(parsed.details, { field, constraint }, `${field} ${constraint} details`);
    t.match(parsed.error, /^Invalid request: /);
  }

  res = await app.inject({ method: 'GET', url: '/api/v1/jobs?limit=101', headers: auth('alice') });
  t.same(assertErrorBody(t, res.body, 'VALIDATION_ERROR').details, { field: 'limit', constraint: 'maximum' });
  res = await app.inject({ method: 'GET', url: '/api/v1/jobs?status=done', headers: auth('alice') });
  t.same(assertErrorBody(t, res.body, 'VALIDATION_ERROR').details, { field: 'status', constraint: 'enum' });
  res = await app.inject({ method: 'GET', url: '/api/v1/jobs/not-a-uuid', headers: auth('alice') });
  t.same(assertErrorBody(t, res.body, 'VALIDATION_ERROR').details, { field: 'id', constraint: 'pattern' });
  res = await app.inject({
    method: 'POST', url: '/api/v1/jobs', headers: { ...auth('alice'), 'idempotency-key': 'k'.repeat(256) },
    payload: { prompt: 'A neon city at night', category: 'music-video' },
  });
  t.same(assertErrorBody(t, res.body, 'VALIDATION_ERROR').details, { field: 'Idempotency-Key', constraint: 'maxLength' });
});

t.test('x-request-id: the client value when sane, else a fresh UUID', async (t) => {
  const { app } = await buildTestApp();
  t.teardown(() => app.close());
  let res = await app.inject({ method: 'GET', url: '/api/v1/health', headers: { 'x-request-id': 'abc-123' } });
  t.equal(res.headers['x-request-id'], 'abc-123');
  res = await app.inject({ method: 'GET', url: '/api/v1/health', headers: { 'x-request-id': 'bad id with spaces\u0001' } });
  t.match(res.headers['x-request-id'], /^[0-9a-f-]{36}$/);
  res = await app.inject({ method: 'GET', url: '/api/v1/missing' });
  t.match(res.headers['x-request-id'], /^[0-9a-f-]{36}$/, 'errors carry it too');
});

t.test('an unexpected failure is a masked 500', async (t) => {
  const { app, jobs, auth } = await buildTestApp();
  t.teardown(() => app.close());
  // Break the repository underneath the use case: the body must not reveal the message.
  jobs.listByUser = async () => {
    throw new Error('secret table name arn:aws:dynamodb:eu-west-1:123:table/jobs');
  };
  const res = await app.inject({ method: 'GET', url: '/api/v1/jobs', headers: auth('alice') });
  t.equal(res.statusCode, 500);
  const body = assertErrorBody(t, res.body, 'INTERNAL_ERROR');
  t.notMatch(String(body.error), /arn|secret|table/);
});
