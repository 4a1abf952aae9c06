// Serves N generated RSS feeds of 50 items each on loopback (its own process, so the measured worker's
// event loop is not the server's). Prints its port on stdout, then serves until killed or until its stdin
// (a pipe from the bench) closes.
import { createServer } from 'node:http';

const ITEMS = 50;
const topics = [
  ['anti-dumping duties on crystalline silicon photovoltaic cells', 'solar'],
  ['export controls on advanced computing semiconductors', 'chips'],
  ['countervailing duties on battery electric vehicles', 'ev'],
  ['export licence requirements for gallium and germanium', 'minerals'],
  ['tariff increases on lithium-ion batteries under Section 301', 'batteries'],
];
const actors = [
  'The European Commission',
  'The U.S. Department of Commerce',
  'Canada',
  'MOFCOM',
  'The United Kingdom',
];

function feed(n: number): string {
  const items = Array.from({ length: ITEMS }, (_, i) => {
    const [topic, slug] = topics[(n + i) % topics.length];
    const actor = actors[(n * 7 + i) % actors.length];
    const day = new Date(Date.UTC(2025, 0, 1) + ((n * ITEMS + i) % 300) * 86400000).toUTCString();
    return `<item><title>${actor} announces ${topic} from China (${n}-${i})</title><link>https://feeds.example.test/${n}/${slug}/${i}</link><guid>urn:bench:${n}:${i}</guid><pubDate>${day}</pubDate><description>${actor} published a notice on ${topic} originating in the People's Republic of China. Interested parties may comment within 30 days; the measure applies to imports of the product concerned and follows an investigation opened earlier this year. Case ${n}-${i}.</description></item>`;
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
