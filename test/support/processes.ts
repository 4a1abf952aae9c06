import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a TypeScript entry point of this repo as its own Node process (as the npm scripts do). Every
 * role serves HTTP: unless told otherwise it listens on an ephemeral loopback port (PORT=0, printed in
 * its startup line; see `listeningOn`), so processes running side by side never collide.
 */
export function runTs(
  entry: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): ChildProcess & { output: { stdout: string; stderr: string } } {
  const child = spawn(process.execPath, ['-r', join(ROOT, 'tools/register.js'), join(ROOT, entry), ...args], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  }) as ChildProcess & { output: { stdout: string; stderr: string } };
  child.output = { stdout: '', stderr: '' };
  child.stdout?.on('data', (chunk: Buffer) => (child.output.stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (child.output.stderr += chunk.toString()));
  return child;
}

export function finished(
  child: ChildProcess & { output: { stdout: string; stderr: string } },
): Promise<Finished> {
  return new Promise((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, ...child.output }));
  });
}

export async function waitForOutput(
  child: ChildProcess & { output: { stdout: string; stderr: string } },
  text: string,
  timeoutMs = 30000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!child.output.stdout.includes(text) && !child.output.stderr.includes(text)) {
    if (child.exitCode !== null)
      throw new Error(`process exited before printing "${text}": ${child.output.stderr}`);
    if (Date.now() > deadline)
      throw new Error(`no "${text}" within ${timeoutMs} ms: ${child.output.stdout}${child.output.stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The base URL a started role printed in its startup line ("listening on http://127.0.0.1:PORT"). */
export async function listeningOn(
  child: ChildProcess & { output: { stdout: string; stderr: string } },
  timeoutMs = 30000,
): Promise<string> {
  await waitForOutput(child, 'listening on http://', timeoutMs);
  const match = /listening on (http:\/\/[^\s"]+?)(?=[\s"])/.exec(child.output.stdout + child.output.stderr);
  if (!match) throw new Error('no listening address in the startup line');
  return match[1];
}
