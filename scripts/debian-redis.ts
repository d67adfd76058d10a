// Debian's redis-server for the tests and `npm run stack:local`, with nothing installed by hand. The
// machine's own redis-server is used when it has one; otherwise `npm test`'s pretest fetches Debian's
// packages with `apt-get download` (redis-server, redis-tools and the libraries they need that the
// machine lacks) and unpacks them into node_modules/.cache/debian-redis: no root, no change outside the
// project, 1.4 MB to download, 7 MB unpacked. Where there is no apt-get (not Debian), it says how to get
// Redis, and the tests that need one are skipped, each saying why.
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface RedisBinaries {
  server: string;
  cli: string;
  /** The environment to run them with (the unpacked libraries' folders on LD_LIBRARY_PATH). */
  env: NodeJS.ProcessEnv;
  /** Where they come from, for the one line that says so. */
  from: string;
}

const SYSTEM_DIRS = ['/usr/bin', '/usr/local/bin'];

/** The project's root, from here or from the stack runner's compiled copy under node_modules/.cache. */
const projectRoot = ((here: string) => {
  const cached = here.indexOf('/node_modules/.cache/');
  return cached >= 0 ? here.slice(0, cached) : resolve(here, '../..');
})(fileURLToPath(import.meta.url));

export const debianRedisDir = (root: string): string => join(root, 'node_modules', '.cache', 'debian-redis');

const runs = (path: string, env: NodeJS.ProcessEnv): boolean => existsSync(path) && spawnSync(path, ['--version'], { env }).status === 0;

/** The unpacked packages' library folders (`usr/lib/<triplet>`, `lib/<triplet>`). */
function libraryPath(dir: string): string {
  return ['usr/lib', 'lib'].flatMap((lib) => {
    const path = join(dir, lib);
    return existsSync(path) ? readdirSync(path).filter((name) => name.endsWith('-linux-gnu')).map((name) => join(path, name)) : [];
  }).join(':');
}

/** A redis-server and redis-cli that run here: the machine's, else the unpacked Debian packages. */
export function findRedis(root = projectRoot, systemDirs = SYSTEM_DIRS): RedisBinaries | undefined {
  for (const bin of systemDirs) {
    const [server, cli] = [join(bin, 'redis-server'), join(bin, 'redis-cli')];
    if (runs(server, process.env) && runs(cli, process.env)) return { server, cli, env: process.env, from: bin };
  }
  const dir = debianRedisDir(root);
  const libraries = libraryPath(dir);
  const env = { ...process.env, LD_LIBRARY_PATH: [libraries, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':') };
  const [server, cli] = [join(dir, 'usr/bin/redis-server'), join(dir, 'usr/bin/redis-cli')];
  return runs(server, env) && runs(cli, env) ? { server, cli, env, from: dir } : undefined;
}

function run(command: string, args: string[], options: SpawnSyncOptions = {}): string {
  const result = spawnSync(command, args, { encoding: 'utf8', ...options });
  if (result.error) throw new Error(`${command}: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.status}: ${String(result.stderr).trim().split('\n').pop()}`);
  return String(result.stdout);
}

/** Packages among `names` that dpkg does not list as installed. */
function notInstalled(names: string[]): string[] {
  return names.filter((name) => spawnSync('dpkg-query', ['-W', '-f=${db:Status-Status}', name], { encoding: 'utf8' }).stdout !== 'installed');
}

/** The libraries redis-tools depends on (`Depends: lib…`; an alternative's indented lines are not read). */
function libraryDependencies(): string[] {
  const out = run('apt-cache', ['depends', '--no-recommends', '--no-suggests', '--no-conflicts', '--no-breaks', '--no-replaces', '--no-enhances', 'redis-tools']);
  return [...out.matchAll(/^ {2}Depends: (lib[\w.+-]+)$/gm)].map((m) => m[1] as string);
}

/** Downloads and unpacks Debian's redis-server into node_modules/.cache/debian-redis. */
function fetchDebianRedis(root: string): RedisBinaries {
  const dir = debianRedisDir(root);
  const packages = ['redis-server', 'redis-tools', ...notInstalled(libraryDependencies())];
  mkdirSync(join(root, 'node_modules', '.cache'), { recursive: true });
  const downloads = mkdtempSync(join(root, 'node_modules', '.cache', 'debian-redis-'));
  try {
    run('apt-get', ['download', ...packages], { cwd: downloads });
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    for (const deb of readdirSync(downloads).filter((name) => name.endsWith('.deb'))) run('dpkg-deb', ['-x', join(downloads, deb), dir]);
  } finally {
    rmSync(downloads, { recursive: true, force: true });
  }
  const found = findRedis(root);
  if (!found || found.from !== dir) throw new Error(`unpacked ${packages.join(', ')}, but ${join(dir, 'usr/bin/redis-server')} does not run`);
  return found;
}

/** pretest: make sure a redis-server runs here; one line when it had to fetch one or cannot. */
export function ensureRedis(root = projectRoot, log: (line: string) => void = console.log,
  { systemDirs = SYSTEM_DIRS, aptGet = 'apt-get' } = {}): RedisBinaries | undefined {
  const found = findRedis(root, systemDirs);
  if (found) return found;
  const why = 'the Redis tests and the stack journeys will be skipped';
  if (spawnSync(aptGet, ['--version']).status !== 0) {
    log(`No redis-server here and no apt-get to fetch Debian's: install Redis 7 (redis-server and redis-cli on the PATH at /usr/bin or /usr/local/bin); ${why}.`);
    return undefined;
  }
  try {
    const fetched = fetchDebianRedis(root);
    log(`No redis-server on this machine: Debian's packages unpacked into ${fetched.from} (nothing installed system-wide).`);
    return fetched;
  } catch (err) {
    log(`No redis-server here, and fetching Debian's failed (${(err as Error).message}): apt-get install redis-server; ${why}.`);
    return undefined;
  }
}

if (import.meta.main) ensureRedis();
