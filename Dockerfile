# syntax=docker/dockerfile:1
# sk-llm-gateway container image.
#   docker build -t sk-llm-gateway .        (podman: add --format docker so HEALTHCHECK is kept)
# Stages: `manifest` trims package.json for caching; `build` has the compilers better-sqlite3 needs and every devDependency (tsc, vite);
# the runtime stage gets only the compiled server, the prebuilt admin console and production
# node_modules, so no compiler, no TypeScript sources and no dev tooling ship in the image.

# Only what `npm ci` reads: package.json without its scripts, so editing an
# npm script does not throw away the dependency layer below.
FROM node:20-bookworm-slim AS manifest
WORKDIR /app
COPY package.json package-lock.json ./
RUN node -e "const f=require('fs');const p=JSON.parse(f.readFileSync('package.json','utf8'));delete p.scripts;f.writeFileSync('package.json',JSON.stringify(p,null,2))"

FROM node:20-bookworm-slim AS build
# better-sqlite3 compiles from source when no prebuilt binary can be fetched.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# Dependencies first: this layer is reused until the dependencies change.
COPY --from=manifest /app/package.json /app/package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=warn
COPY package.json tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY admin-ui ./admin-ui
RUN node node_modules/typescript/bin/tsc -p tsconfig.build.json \
 && node node_modules/vite/bin/vite.js build --config admin-ui/vite.config.ts --logLevel warn
# Production dependencies only. TypeScript and tsx are runtime dependencies for `npm start`
# from a source checkout; the image runs the compiled dist/, so they are dropped here.
RUN npm prune --omit=dev --no-audit --no-fund --loglevel=warn \
 && rm -rf node_modules/typescript node_modules/tsx node_modules/esbuild node_modules/@esbuild \
 && find node_modules \( -name '*.map' -o -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' -o -name '*.md' -o -name '*.markdown' \) -type f -delete \
 && rm -rf node_modules/better-sqlite3/deps node_modules/better-sqlite3/src node_modules/better-sqlite3/build/Release/obj* \
 && rm -rf node_modules/.cache

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8000 \
    GATEWAY_CONFIG_DIR=/app/config \
    GATEWAY_DATA_DIR=/data
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/admin-ui/dist ./admin-ui/dist
COPY package.json ./
COPY config ./config
# SQLite database, generated secret key and anything else written at run time live in /data.
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]
USER node
EXPOSE 8000
# Node itself (fetch) so the image needs no curl; /health/ready is 200 while the gateway can serve.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8000)+'/health/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Exec form: Node is PID 1 and receives SIGTERM itself (stop accepting, drain, flush usage, exit 0).
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "dist/cli.js"]
CMD ["serve"]
