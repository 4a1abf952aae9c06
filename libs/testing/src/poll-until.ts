/**
 * Polls `probe` every `intervalMs` until it holds. Past `timeoutMs` it fails with "<what> not reached"
 * and, when given, `detail()` (a process's recent output, say) to show why.
 */
export async function pollUntil(
  probe: () => Promise<boolean>,
  options: { what?: string; timeoutMs: number; intervalMs?: number; detail?: () => string },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) {
      const what = options.what ? `${options.what} not reached` : 'condition not met in time';
      throw new Error(options.detail ? `${what}: ${options.detail()}` : what);
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 100));
  }
}
