// `npm run build`'s last step (and pretest's, after `tsc --noCheck`): the try-it page's static files copied
// into dist/, then dist/server.mjs, the service in one ES module file (plus the chunks of its dynamic
// imports), bundled by esbuild from tsc's output (dist/main.js and what it imports). One file to read and
// compile instead of ~hundreds of modules resolved one by one at start (docs/performance.md, "Startup").
//
// Left outside the bundle, loaded from node_modules as before:
// - the AWS SDK (@aws-sdk/*, @smithy/*): only aws mode's dynamic imports load it;
// - better-sqlite3: a native module;
// - @fastify/swagger-ui: it serves its static files from paths relative to its own __dirname.
// `import.meta.url` in each of our modules is rewritten to that module's URL in dist/, so the files it
// locates (the try-it page, the sample video) are found exactly as from dist/main.js.
import { build } from 'esbuild';
import { cpSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(ROOT, 'dist');

cpSync(join(ROOT, 'src/adapters/http/public'), join(DIST, 'adapters/http/public'), { recursive: true });

const moduleUrls = {
  name: 'module-urls',
  setup(b) {
    b.onLoad({ filter: /\/dist\/.*\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      if (!source.includes('import.meta.url')) return { contents: source, loader: 'js' };
      const rel = relative(DIST, args.path).split('\\').join('/');
      return { contents: source.replaceAll('import.meta.url', `new URL(${JSON.stringify(`./${rel}`)}, import.meta.url).href`), loader: 'js' };
    });
  },
};

await build({
  entryPoints: { server: join(DIST, 'main.js') },
  outdir: DIST,
  outExtension: { '.js': '.mjs' },
  // Dynamic imports stay lazy as chunks next to server.mjs (dist/server-*.mjs): without splitting,
  // esbuild would hoist the AWS SDK imports of composeAws to the top of the one file, and local mode
  // would load the SDK at start.
  splitting: true,
  chunkNames: 'server-[name]-[hash]',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  external: ['@aws-sdk/*', '@smithy/*', 'better-sqlite3', '@fastify/swagger-ui'],
  plugins: [moduleUrls],
  // CommonJS packages inside an ES module bundle: give them require, __filename and __dirname.
  banner: {
    js: [
      "import { createRequire as __bundleRequire } from 'node:module';",
      "import { fileURLToPath as __bundlePath } from 'node:url';",
      'const require = __bundleRequire(import.meta.url);',
      'const __filename = __bundlePath(import.meta.url);',
      "const __dirname = __bundlePath(new URL('.', import.meta.url));",
    ].join('\n'),
  },
  logLevel: 'warning',
  legalComments: 'none',
});
