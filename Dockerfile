# One image for every role: `docker run <image> api|worker|scheduler|all|migrate|cli ...`.
# It runs the TypeScript sources through tools/register.js (ts-node + swc, as `npm start` and the tests
# do): the runtime of that (ts-node, @swc/core, tsconfig-paths, typescript) is in `dependencies`, so
# production dependencies are all it needs. test/e2e/container-image.e2e.spec.ts rehearses this file's
# stages on the host (it reads it): keep to the instructions that rehearsal knows, and to RUN lines that
# change nothing outside the WORKDIR (there they run on the host, with the host's npm cache).
ARG NODE_IMAGE=node:20-bookworm-slim

# Production dependencies only, and no install script: none is needed (native binaries come as optional
# packages), package.json's `allowScripts` denials are only advisory in npm 11 and unknown to the npm 10
# of node:20 images, and our own `postinstall` (tools/lock-platform-stubs.js) only completes the lockfile,
# which `npm run lint` already checks is complete.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
# (The npm cache stays in this stage: only node_modules reaches the image.)
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM ${NODE_IMAGE} AS runtime
# A 64 MB young generation (V8's default tops out at 16 MB): the worker allocates short-lived strings
# and objects per item, and scavenges less often with it. `npm run bench -- ingest`: about 10% less worker
# CPU per item, for about 90 MB more resident memory (README, Operations: Tuning).
ENV NODE_ENV=production \
    PORT=3000 \
    HOST=0.0.0.0 \
    NODE_OPTIONS=--max-semi-space-size=64
WORKDIR /app
# Owned by root, read by the unprivileged `node` user of the base image: the process cannot change its
# own code or dependencies.
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.json ./
COPY tools ./tools
COPY migrations ./migrations
COPY seeds ./seeds
COPY libs ./libs
COPY apps ./apps
USER node
EXPOSE 3000
# Ready = Postgres and Redis answer (every role serves /health/live and /health/ready on PORT).
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 CMD ["node", "tools/healthcheck.js"]
# node itself is the process (PID 1 unless run with --init / `init: true`): signals reach it.
ENTRYPOINT ["node", "tools/run-role.js"]
CMD ["api"]
