#!/usr/bin/env node
/* global fetch, AbortSignal -- Node 20's globals */
// The image's HEALTHCHECK (no curl in a slim image): GET /health/ready (or /health/live with `live`) on
// this container's PORT; exit 0 when it answers 2xx within 4 s, 1 otherwise, with one line saying why.
const which = process.argv[2] === 'live' ? 'live' : 'ready';
const port = process.env.PORT || '3000';
const host =
  !process.env.HOST || ['0.0.0.0', '::'].includes(process.env.HOST) ? '127.0.0.1' : process.env.HOST;
const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}/health/${which}`;

fetch(url, { signal: AbortSignal.timeout(4000) }).then(
  (response) => {
    if (response.ok) process.exit(0);
    process.stdout.write(`${url} answered ${response.status}\n`);
    process.exit(1);
  },
  (error) => {
    process.stdout.write(`${url}: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
