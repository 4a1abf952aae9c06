// The api benchmark's baseline: a bare node:http server (its own process, like the api) answering
// every request with the bytes and headers of a recorded api response. Prints its port on stdout.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

const recorded = JSON.parse(readFileSync(process.argv[2], 'utf8')) as {
  status: number;
  headers: Record<string, string>;
  body: string;
};
const body = Buffer.from(recorded.body, 'base64');
const headers =
  recorded.status === 304 ? recorded.headers : { ...recorded.headers, 'content-length': String(body.length) };

const server = createServer((_request, response) => {
  response.writeHead(recorded.status, headers);
  response.end(recorded.status === 304 ? undefined : body);
});
server.keepAliveTimeout = 72000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`${typeof address === 'object' && address ? address.port : 0}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
