import { ItemClassifier } from '@frictionwatch/classifier';
import { formatReport, verifySystem } from '@frictionwatch/verify';
import { withCliContext } from './cli-context';

/** Exit codes: 0 every check passed, 1 a check failed, 2 Postgres or Redis could not be asked. */
export async function verify(options: { json?: boolean }): Promise<void> {
  const classifier = new ItemClassifier();
  const versions = {
    classifierVersion: classifier.classifierVersion,
    taxonomyVersion: classifier.taxonomyVersion,
  };
  let exitCode: number;
  try {
    exitCode = await withCliContext(async ({ pool, db, engine, jobs, redis }) => {
      await reachable(pool.query('SELECT 1'), 'PostgreSQL');
      await reachable(redis.ping(), 'Redis');
      const report = await verifySystem({ pool, db, engine, jobs, versions });
      process.stdout.write(options.json ? `${JSON.stringify(report)}\n` : formatReport(report));
      return report.ok ? 0 : 1;
    });
  } catch (error) {
    process.stderr.write(`verify could not run: ${error instanceof Error ? error.message : String(error)}\n`);
    exitCode = 2;
  }
  process.exitCode = exitCode;
}

/** A dependency that does not answer within 10 s is a connection error, not a hang. */
async function reachable<T>(check: Promise<T>, what: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within 10 s`)), 10000);
  });
  try {
    await Promise.race([check, timeout]);
  } catch (error) {
    throw new Error(`${what} is unreachable: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    clearTimeout(timer);
  }
}
