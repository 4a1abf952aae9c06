// Serves N generated RSS feeds of 50 items each on loopback (its own process, so the measured worker's
// event loop is not the server's). Prints its port on stdout, then serves until killed or until its stdin
// (a pipe from the bench) closes.
import { createServer } from 'node:http';
import { benchItemText } from './bench-item-text';

const ITEMS = 50;

function feed(n: number): string {
  const items = Array.from({ length: ITEMS }, (_, i) => {
    const { title, summary, slug } = benchItemText(n + i, n * 7 + i, `${n}-${i}`);
    const day = new Date(Date.UTC(2025, 0, 1) + ((n * ITEMS + i) % 300) * 86400000).toUTCString();
    return `<item><title>${title}</title><link>https://feeds.example.test/${n}/${slug}/${i}</link><guid>urn:bench:${n}:${i}</guid><pubDate>${day}</pubDate><description>${summary}</description></item>`;
  }).join('');
  return `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Bench feed ${n}</title><link>https://feeds.example.test/${n}</link><description>generated</description>${items}</channel></rss>`;
}

const server = createServer((request, response) => {
  const match = /^\/feeds\/(\d+)\.xml$/.exec(request.url ?? '');
  if (!match) {
    response.writeHead(404).end();
    return;
  }
  response
    .writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8' })
    .end(feed(Number(match[1])));
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`${typeof address === 'object' && address ? address.port : 0}\n`);
});
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
