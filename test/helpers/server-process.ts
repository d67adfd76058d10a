import { readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const projectRoot = fileURLToPath(new URL('../..', import.meta.url));

/** dist/main.js when `npm run build` is newer than every source; otherwise src/main.ts with tap's TypeScript loader. */
export function entryPoint(): { args: string[]; note: string } {
  const root = projectRoot;
  const sources = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
  const stale = sources(join(root, 'src')).find((file) => {
    try {
      return statSync(join(root, 'dist', relative(join(root, 'src'), file).replace(/\.ts$/, '.js'))).mtimeMs < statSync(file).mtimeMs;
    } catch {
      return true;
    }
  });
  if (!stale) return { args: [join(root, 'dist/main.js')], note: 'dist/main.js' };
  const loader = process.execArgv.filter((arg) => arg.includes('@tapjs/typescript'));
  return { args: [...loader, join(root, 'src/main.ts')], note: `src/main.ts (dist is older than ${relative(root, stale)}; run npm run build)` };
}

/** A loopback port free right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
