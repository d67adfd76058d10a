// pretest's Redis (scripts/debian-redis.ts): the machine's redis-server first, else Debian's packages
// unpacked under node_modules/.cache, which run only with their own library folder on LD_LIBRARY_PATH.
// The binaries here are stand-in scripts that run only where the real ones would; the download itself
// runs in CI, whose fresh machine has no redis-server.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { debianRedisDir, ensureRedis, findRedis } from '../../scripts/debian-redis.ts';

/** Executables `redis-server` and `redis-cli` in `bin` that answer --version only when `needs` is on LD_LIBRARY_PATH. */
function fakeRedis(bin: string, needs?: string): void {
  mkdirSync(bin, { recursive: true });
  const check = needs ? `case ":$LD_LIBRARY_PATH:" in *":${needs}:"*) exit 0;; esac\nexit 1\n` : 'exit 0\n';
  for (const name of ['redis-server', 'redis-cli']) {
    writeFileSync(join(bin, name), `#!/bin/sh\n${check}`);
    chmodSync(join(bin, name), 0o755);
  }
}

function project(t: { teardown(fn: () => void): void }): string {
  const root = mkdtempSync(join(tmpdir(), 'omnigen-debian-redis-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  return root;
}

t.test('the unpacked packages run with their library folder on LD_LIBRARY_PATH, and not without it', async (t) => {
  const root = project(t);
  const dir = debianRedisDir(root);
  const libraries = join(dir, 'usr/lib/x86_64-linux-gnu');
  fakeRedis(join(dir, 'usr/bin'), libraries);
  mkdirSync(libraries, { recursive: true });
  const found = findRedis(root, []);
  t.equal(found?.server, join(dir, 'usr/bin/redis-server'));
  t.equal(found?.cli, join(dir, 'usr/bin/redis-cli'));
  t.ok(found?.env.LD_LIBRARY_PATH?.split(':').includes(libraries), 'its libraries are on the path it runs with');
  rmSync(libraries, { recursive: true });
  t.equal(findRedis(root, []), undefined, 'without its libraries it does not run, so there is no Redis');
});

t.test("the machine's own redis-server comes first", async (t) => {
  const root = project(t);
  fakeRedis(join(debianRedisDir(root), 'usr/bin'));
  const system = join(root, 'system-bin');
  fakeRedis(system);
  t.match(findRedis(root, [system]), { server: join(system, 'redis-server'), from: system });
});

t.test('no Redis and no apt-get: one line that says what to install and what is skipped', async (t) => {
  const root = project(t);
  const lines: string[] = [];
  t.equal(ensureRedis(root, (line) => lines.push(line), { systemDirs: [], aptGet: join(root, 'no-apt-get') }), undefined);
  t.equal(lines.length, 1);
  t.match(lines[0], /install Redis 7.*the Redis tests and the stack journeys will be skipped/);
});
