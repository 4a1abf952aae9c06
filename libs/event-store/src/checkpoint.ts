/**
 * A position in the global log: the writing transaction's id and the global position, both bigint.
 * Written as `<transaction id>:<global position>`; `0:0` is before everything.
 */
export interface Checkpoint {
  transactionId: bigint;
  position: bigint;
}

export const START: Checkpoint = { transactionId: 0n, position: 0n };

export function formatCheckpoint(checkpoint: Checkpoint): string {
  return `${checkpoint.transactionId}:${checkpoint.position}`;
}

export function parseCheckpoint(text: string): Checkpoint {
  const match = /^(\d{1,20}):(\d{1,19})$/.exec(text.trim());
  if (!match) throw new Error(`Invalid checkpoint "${text}": expected <transaction id>:<global position>`);
  return { transactionId: BigInt(match[1]), position: BigInt(match[2]) };
}

/** A reader's `after` as given (text, parsed, or absent: the start of the log), parsed. */
export function checkpointFrom(after: string | Checkpoint | undefined): Checkpoint {
  return typeof after === 'string' ? parseCheckpoint(after) : (after ?? START);
}

export function compareCheckpoints(a: Checkpoint, b: Checkpoint): number {
  if (a.transactionId !== b.transactionId) return a.transactionId < b.transactionId ? -1 : 1;
  if (a.position !== b.position) return a.position < b.position ? -1 : 1;
  return 0;
}
