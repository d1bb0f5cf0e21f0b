/** Registers every `mfrec` subcommand. */
import type { Command } from 'commander';
import { registerInfo } from './info-command.js';
import { registerRecommend } from './recommend-command.js';
import { registerSimilar } from './similar-command.js';

export function registerCommands(program: Command): void {
  registerInfo(program);
  registerRecommend(program);
  registerSimilar(program);
}
