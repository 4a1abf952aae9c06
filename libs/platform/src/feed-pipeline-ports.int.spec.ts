import { loadConfig } from '@frictionwatch/config';
import { DemoFeedServer } from '@frictionwatch/demo';
import { createFeedPipelinePorts, type FeedPipelinePorts } from './feed-pipeline-ports';

/** DEMO=true opens exactly the demo feed server's loopback address to the fetcher, nothing more. */
describe('the fetcher in demo mode', () => {
  const server = new DemoFeedServer();
  const opened: FeedPipelinePorts[] = [];
  const fetcher = (env: Record<string, string>) => {
    const ports = createFeedPipelinePorts(loadConfig(env));
    opened.push(ports);
    return ports.fetcher;
  };

  beforeAll(() => server.start(0));
  afterAll(async () => {
    await Promise.all(opened.map((p) => p.close()));
    await server.stop();
  });

  it('fetches the demo snapshots from 127.0.0.1', async () => {
    const outcome = await fetcher({ DEMO: 'true' }).fetch({ url: `${server.url}/wto-news.atom.xml` });
    expect(outcome.kind).toBe('ok');
  });

  it('still refuses loopback by another name, and every address without DEMO', async () => {
    const demo = fetcher({ DEMO: 'true' });
    const byName = await demo.fetch({ url: `http://localhost:${server.port}/wto-news.atom.xml` });
    expect(byName).toMatchObject({ kind: 'failed', reason: 'forbidden_address' });
    const otherLoopback = await demo.fetch({ url: `http://127.0.0.2:${server.port}/wto-news.atom.xml` });
    expect(otherLoopback).toMatchObject({ kind: 'failed', reason: 'forbidden_address' });
    const off = await fetcher({}).fetch({ url: `${server.url}/wto-news.atom.xml` });
    expect(off).toMatchObject({ kind: 'failed', reason: 'forbidden_address' });
  });
});
