# One image for every role: `docker run <image> api|worker|scheduler|all|migrate|cli ...`.
# It runs the TypeScript sources through tools/register.js (ts-node + swc, as `npm start` and the tests
# do): the runtime of that (ts-node, @swc/core, tsconfig-paths, typescript) is in `dependencies`, so
# production dependencies are all it needs. test/e2e/container-image.e2e.spec.ts rehearses this file's
# stages on the host (it reads it): keep to the instructions that rehearsal knows.
ARG NODE_IMAGE=node:20-bookworm-slim

# Production dependencies only. `postinstall` runs tools/lock-platform-stubs.js (the lockfile's entries
# for other platforms' optional binaries); every other install script is denied in package.json.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
COPY tools/lock-platform-stubs.js ./tools/
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    PORT=3000 \
    HOST=0.0.0.0
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
