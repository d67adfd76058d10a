import { mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { turnBufferedStdout } from '../src/log-destination.js';

t.test('lines of one event-loop turn are written together when the turn ends, in order', async (t) => {
  const file = join(mkdtempSync(join(tmpdir(), 'omnigen-log-')), 'out.log');
  const fd = openSync(file, 'w');
  const out = turnBufferedStdout(fd);
  out.write('{"n":1}\n');
  out.write('{"n":2}\n');
  t.equal(readFileSync(file, 'utf8'), '', 'nothing written during the turn');
  await new Promise((r) => setImmediate(r));
  t.equal(readFileSync(file, 'utf8'), '{"n":1}\n{"n":2}\n');
  out.write('{"n":3}\n');
  let called = false;
  out.flush(() => (called = true));
  t.ok(called);
  t.equal(readFileSync(file, 'utf8'), '{"n":1}\n{"n":2}\n{"n":3}\n', 'flush writes at once');
  out.flush();
  await new Promise((r) => setImmediate(r));
  t.equal(readFileSync(file, 'utf8'), '{"n":1}\n{"n":2}\n{"n":3}\n', 'nothing written twice');
});
