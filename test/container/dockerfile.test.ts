// No Docker engine here, so the Dockerfile and .dockerignore are checked by reading them.
import { readFileSync } from 'node:fs';
import t from 'tap';
import { dockerfileProblems, parseDockerfile } from './fixtures/dockerfile-rules.ts';
import { isIgnored, parseDockerignore } from './fixtures/dockerignore.ts';

const root = new URL('../../', import.meta.url);
const dockerfile = readFileSync(new URL('Dockerfile', root), 'utf8');
const dockerignore = readFileSync(new URL('.dockerignore', root), 'utf8');

t.test('the Dockerfile keeps its must-haves', async (t) => {
  t.same(dockerfileProblems(dockerfile), []);
  const stages = parseDockerfile(dockerfile);
  t.equal(stages.at(-1)?.image, 'gcr.io/distroless/nodejs24-debian12:nonroot');
  for (const stage of stages.slice(0, -1)) t.match(stage.image, /^node:24-/, `${stage.name} is built on the same Node major it runs on`);
});

t.test('the checker catches what would break on Fargate', async (t) => {
  const variant = (from: string, to: string) => {
    t.ok(dockerfile.includes(from), `the Dockerfile still has: ${from}`);
    return dockerfileProblems(dockerfile.replace(from, to));
  };
  const entry = 'ENTRYPOINT ["/nodejs/bin/node", "dist/main.js"]';
  // distroless's own ENTRYPOINT is node, so a CMD alone becomes node's arguments.
  t.match(variant(entry, 'CMD npm start'), [/shell form/, /dist\/main\.js/]);
  t.match(variant(entry, 'CMD ["npm", "start"]'), [/dist\/main\.js/, /npm or a shell/]);
  t.match(variant(entry, 'ENTRYPOINT ["/bin/sh", "-c", "node dist/main.js"]'), [/not start node/, /dist\/main\.js/, /npm or a shell/]);
  t.same(variant(entry, 'CMD ["dist/main.js"]'), [], "a bare CMD runs under distroless's node entrypoint");
  t.match(variant('USER 65532:65532', 'USER root'), [/root/]);
  t.match(variant('NODE_ENV=production', 'NODE_ENV=development'), [/NODE_ENV/]);
  t.match(variant('PORT=8080', 'PORT=8080 APP_MODE=local'), [/APP_MODE/]);
  t.match(variant('EXPOSE 8080', 'EXPOSE 3000'), [/EXPOSE 8080/]);
  t.match(variant('npm ci --omit=dev', 'npm ci'), [/--omit=dev/]);
  t.match(variant('RUN npm ci --ignore-scripts --no-audit', 'RUN npm ci --no-audit'), [/install scripts/]);
  t.match(variant('FROM node:24-bookworm-slim AS build', 'FROM node:20-bookworm-slim AS build'), [/not the Node major/]);
  t.match(variant('COPY --from=prod-deps /app/node_modules', 'COPY --from=build /app/node_modules'), [/production-dependencies/]);
  t.match(variant('COPY assets ./assets', ''), [/assets/]);
  t.match(variant('COPY package.json ./\n', ''), [/package\.json/]);
  t.match(variant('gcr.io/distroless/nodejs24-debian12:nonroot', 'node:24'), [/not distroless/]);
  t.match(variant('gcr.io/distroless/nodejs24-debian12:nonroot', 'gcr.io/distroless/nodejs20-debian12:nonroot'), [/not distroless Node 24/]);
  t.match(dockerfileProblems('FROM node:20\nCOPY . .\nRUN npm install\nCMD ["npm", "start"]\n'), [/multi-stage/]);
});

t.test('.dockerignore keeps local state and secrets out of the build context', async (t) => {
  const rules = parseDockerignore(dockerignore);
  for (const path of ['node_modules', 'node_modules/fastify/package.json', '.git', '.git/HEAD', 'dist/main.js', '.tap/report.json',
    'coverage/lcov.info', 'test/artifacts/run.json', '.env', 'src/node_modules/x.js', 'npm-debug.log', 'test/http/app.test.ts']) {
    t.ok(isIgnored(rules, path), `${path} stays out`);
  }
  for (const path of ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'src/main.ts',
    'src/adapters/observability/emf-metrics.ts', 'assets/sample.mp4']) {
    t.notOk(isIgnored(rules, path), `${path} goes in (the Dockerfile copies it)`);
  }
});

t.test('the .dockerignore reader follows Docker (so the checks above can fail)', async (t) => {
  const rules = parseDockerignore('# comment\nnode_modules\n*.md\n!README.md\n/build/\nlogs/**/*.log\n');
  t.ok(isIgnored(rules, 'node_modules/a/b.js'), 'a folder excludes what it holds');
  t.notOk(isIgnored(rules, 'src/node_modules/a.js'), 'a plain pattern is anchored at the root');
  t.ok(isIgnored(rules, 'CHANGELOG.md'));
  t.notOk(isIgnored(rules, 'README.md'), 'a later ! re-includes');
  t.notOk(isIgnored(rules, 'docs/guide.md'), '* stays within one folder');
  t.ok(isIgnored(rules, 'build/x'), 'leading and trailing slashes are ignored');
  t.ok(isIgnored(rules, 'logs/a/b/c.log'));
  t.ok(isIgnored(rules, 'logs/c.log'), '**/ matches zero folders too');
  t.notOk(isIgnored(parseDockerignore(''), 'node_modules/x'), 'an empty file ignores nothing');
});
