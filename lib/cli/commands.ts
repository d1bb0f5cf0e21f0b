/** Registers every `mfrec` subcommand. */
import type { Command } from 'commander';
import { registerInfo } from './info-command.js';

export function registerCommands(program: Command): void {
  registerInfo(program);
}
