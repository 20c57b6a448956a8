# Production image: Next.js standalone server for the web app, plus the source, the production
# node_modules and tsx, so the same image also runs migrations, the admin CLI and the worker:
#
#   app     (default CMD)  `node server.js` on $PORT (3000); before it serves, the server itself
#                          migrates and seeds PostgreSQL (instrumentation.ts)
#   worker                 node --import tsx scripts/worker.ts  (what `npm run worker` runs)
#   admin CLI              docker compose exec app npm run admin -- create-user ...
#
# Debian (glibc), not Alpine: sharp's prebuilt @img/sharp-linux-* and @img/sharp-libvips-linux-*
# binaries are glibc builds. See README.md, "Docker".

FROM node:20-bookworm-slim AS base
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1 \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false

# --- every dependency (next build needs typescript, tailwind, postcss) -------------------------
FROM base AS deps
COPY package.json package-lock.json ./
RUN npm ci

# --- production dependencies only: what the runtime image ships --------------------------------
# Installed on the runtime's own platform, so sharp's optional @img/sharp-linux-<arch> and
# @img/sharp-libvips-linux-<arch> are in it whatever Next's file tracing copies. Next's SWC
# compiler (~100 MB) is only used by `next build`; the standalone output leaves it out too.
FROM base AS prod-deps
COPY package.json package-lock.json ./
RUN npm ci --omit=dev \
 && rm -rf node_modules/@next/swc-*

# --- next build, standalone output ------------------------------------------------------------
FROM base AS build
ENV NODE_ENV=production \
    NEXT_OUTPUT=standalone
COPY --from=deps /app/node_modules ./node_modules
COPY . .
# The standalone server's traced node_modules is a subset of the production node_modules the
# runtime gets from prod-deps: drop it rather than ship two copies.
RUN npm run build \
 && test -f .next/standalone/server.js \
 && rm -rf .next/standalone/node_modules

# --- runtime -----------------------------------------------------------------------------------
FROM base AS runtime
# MALLOC_ARENA_MAX=2: glibc's malloc otherwise keeps up to 8 arenas per CPU, which sharp's libvips
# threads fragment. The choice follows `npm run bench -- memory`, which measures the server's RSS over
# the same uploads with glibc's default, MALLOC_ARENA_MAX=2 and jemalloc.
ENV NODE_ENV=production \
    HOSTNAME=0.0.0.0 \
    PORT=3000 \
    MALLOC_ARENA_MAX=2
COPY --from=prod-deps /app/node_modules ./node_modules
# server.js and the server half of .next; the browser assets are not part of standalone output.
COPY --from=build /app/.next/standalone ./
COPY --from=build /app/.next/static ./.next/static
# Source and tsconfig.json (the @/ path alias) for tsx: scripts/migrate.ts, scripts/admin.ts,
# scripts/worker.ts; db/migrations, which the server reads as it starts. The .dockerignore keeps
# node_modules, .next, data and .env out, and the dev-only files too: tests (and tests/infra),
# e2e, bench, .ci, *.test.ts, the tools' configs.
COPY . .
# Fail the build, not the first upload, if sharp cannot load its native binding on this image;
# then make Next's cache and DATA_DIR (used only without DATABASE_URL) writable by `node`.
RUN node -e "const s=require('sharp'); console.log('sharp', s.versions.sharp, 'libvips', s.versions.vips)" \
 && mkdir -p .next/cache data \
 && chown node:node .next/cache data

USER node
EXPOSE 3000
# Liveness only (no dependencies); /api/ready checks the database, storage and queue.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/api/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The server alone, no npm, shell or TypeScript loader beside it: it migrates before it serves
# (concurrent starters take turns on an advisory lock), receives SIGTERM itself, and then finishes
# the requests in flight before it exits.
CMD ["node", "server.js"]
