# syntax=docker/dockerfile:1
# OmniGen API image for ECS Fargate. Three stages so the runtime holds only what runs:
#   build      dev dependencies + TypeScript → dist/
#   prod-deps  production node_modules only (no TypeScript, no tap, no stand-ins)
#   runtime    distroless Node 24 (LTS): no shell, no npm, no package manager; runs as uid 65532
# No install script runs in any stage (--ignore-scripts): nothing is compiled; better-sqlite3 13 (local
# mode's store) ships prebuilt Node-API binaries inside its package, so local mode's SQLite works here too.
# test/container/ checks these rules and replays the build/prod-deps/runtime steps in `npm test`.

FROM node:24-bookworm-slim AS build
WORKDIR /app
# Manifests first, so the dependency layer is cached until package-lock.json changes.
COPY package.json package-lock.json ./
# tsc needs no install script (esbuild's binary comes in its optional platform package without one).
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# tsc emits only .js; static files kept next to the sources (HTML, JSON) must follow them into dist/.
RUN npm run build \
 && cd src && find . -type f ! -name '*.ts' -exec cp --parents {} ../dist/ \;

FROM node:24-bookworm-slim AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: no production dependency needs an install script, and none gets to run one.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

FROM gcr.io/distroless/nodejs24-debian12:nonroot AS runtime
WORKDIR /app
# APP_MODE is left to the task definition (APP_MODE=aws); the code's default is local mode.
ENV NODE_ENV=production \
    PORT=8080
# package.json is needed at run time: its "type": "module" makes node load dist/*.js as ESM.
COPY package.json ./
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The clip local mode serves as every finished video.
COPY assets ./assets
# Files stay root-owned and read-only to the app; the process runs as distroless's nonroot user.
USER 65532:65532
EXPOSE 8080
# Exec form, node itself as PID 1: SIGTERM from `docker stop`/ECS reaches the app's shutdown handler.
# (npm start or a shell wrapper would swallow the signal, and Fargate would SIGKILL after 30 s.)
ENTRYPOINT ["/nodejs/bin/node", "dist/main.js"]
