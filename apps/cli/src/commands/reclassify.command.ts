import { Presets, SingleBar } from 'cli-progress';
import { ItemClassifier } from '@frictionwatch/classifier';
import { Reclassification } from '@frictionwatch/items';
import { withCliContext } from './cli-context';

/**
 * Re-classifies, through the classify queue, every item whose latest classification is from another
 * classifier or taxonomy version, and follows the workers' progress until all are done.
 */
export async function reclassify(options: { wait: boolean; timeout: string }): Promise<void> {
  const classifier = new ItemClassifier();
  const versions = {
    classifierVersion: classifier.classifierVersion,
    taxonomyVersion: classifier.taxonomyVersion,
  };
  await withCliContext(async ({ pool, jobs }) => {
    const reclassification = new Reclassification(pool, jobs);
    const outdated = await reclassification.outdatedItemIds(versions);
    if (outdated.length === 0) {
      process.stdout.write(
        `Every item is classified by ${versions.classifierVersion} / taxonomy ${versions.taxonomyVersion}\n`,
      );
      return;
    }
    const batches = await reclassification.enqueue(outdated, versions);
    process.stdout.write(`Enqueued ${outdated.length} item(s) in ${batches} classify job(s)\n`);
    if (!options.wait) return;
    const bar = new SingleBar(
      { format: 'reclassify [{bar}] {value}/{total} items', noTTYOutput: true, notTTYSchedule: 2000 },
      Presets.shades_classic,
    );
    bar.start(outdated.length, 0);
    const deadline = Date.now() + Number(options.timeout) * 1000;
    let done = 0;
    while (done < outdated.length && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      done = await reclassification.countCurrent(versions, outdated);
      bar.update(done);
    }
    bar.stop();
    if (done < outdated.length) {
      throw new Error(
        `${outdated.length - done} item(s) not classified yet after ${options.timeout}s: is a worker consuming the classify queue?`,
      );
    }
    process.stdout.write(`Reclassified ${done} item(s)\n`);
  });
}
