import type { Command } from 'commander';

/** Every command, registered lazily: an action imports its implementation when it runs. */
export function registerCommands(program: Command): void {
  void program;
}
