import { execFile } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Mp4BoxVideoProbe } from '../../src/adapters/mp4/mp4box-video-probe.ts';
import type { VideoFacts } from '../../src/domain/job.ts';
import { startLocalServer } from './local-server.ts';
import { projectRoot } from './server-process.ts';
import { unmeasured } from './unmeasured.ts';

export const clientDir = join(projectRoot, 'packages/client');

/**
 * Tests that run @omnigen/client the way a user does (its bin, its package) run its compiled dist/, built
 * by `npm ci` (the root's prepare) or `npm run client:build`. Throws, naming the first source newer than
 * its build, so a stale build fails loudly instead of testing old code.
 */
export function assertClientBuilt(): void {
  const src = join(clientDir, 'src');
  const sources = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
  for (const file of sources(src)) {
    const built = join(clientDir, 'dist', relative(src, file).replace(/\.ts$/, '.js'));
    let builtAt = 0;
    try {
      builtAt = statSync(built).mtimeMs;
    } catch {
      // not built at all
    }
    if (builtAt < statSync(file).mtimeMs) throw new Error(`packages/client/dist is older than ${relative(projectRoot, file)}: run npm run client:build`);
  }
}

/** The file's MP4 facts: it starts with an ftyp box and mp4box finds a video track with frames and a duration. */
export async function probeMp4(path: string): Promise<VideoFacts & { brand: string }> {
  const bytes = await readFile(path);
  if (bytes.subarray(4, 8).toString('latin1') !== 'ftyp') throw new Error(`${path} does not start with an ftyp box`);
  return { ...(await new Mp4BoxVideoProbe().probe(bytes)), brand: bytes.subarray(8, 12).toString('latin1') };
}

export interface Run { code: number; stdout: string; stderr: string }

/**
 * The package's `omnigen` bin (loading the compiled dist/cli/bin.js) in its own process, against a real
 * local server started with `env`, with a config folder of its own (XDG_CONFIG_HOME, also the cwd).
 */
export async function cliHarness(env: Record<string, string> = {}) {
  assertClientBuilt();
  const bin = join(clientDir, 'bin/omnigen.js');
  const server = await startLocalServer(env);
  const config = await mkdtemp(join(tmpdir(), 'omnigen-cli-'));
  const baseEnv = { PATH: process.env.PATH ?? '', ...unmeasured, XDG_CONFIG_HOME: config, OMNIGEN_URL: server.base, USER: 'cli-user' };
  const omnigen = (args: string[], extra: Record<string, string> = {}) => new Promise<Run>((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd: config, env: { ...baseEnv, ...extra } }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
  return { server, config, bin, omnigen, baseEnv, close: async () => { await server.close(); await rm(config, { recursive: true, force: true }); } };
}
