/** Registers the `mfrec` subcommands. */
import type { Command } from 'commander';

type Register = (program: Command) => void;

/**
 * Every subcommand's module, in the order `mfrec --help` lists them. Each is
 * loaded on demand: a run needs only its own command's modules (a train run
 * then loads none of the tuning, serving, batch or report code).
 */
const COMMANDS: Record<string, () => Promise<Register>> = {
  demo: async () => (await import('./demo-command.js')).registerDemo,
  split: async () => (await import('./split-command.js')).registerSplit,
  train: async () => (await import('./train-command.js')).registerTrain,
  import: async () => (await import('./import-command.js')).registerImport,
  predict: async () => (await import('./predict-command.js')).registerPredict,
  evaluate: async () => (await import('./evaluate-command.js')).registerEvaluate,
  info: async () => (await import('./info-command.js')).registerInfo,
  recommend: async () => (await import('./recommend-command.js')).registerRecommend,
  similar: async () => (await import('./similar-command.js')).registerSimilar,
  report: async () => (await import('./report-command.js')).registerReport,
  tune: async () => (await import('./tune-command.js')).registerTune,
  serve: async () => (await import('./serve-command.js')).registerServe,
  batch: async () => (await import('./batch-command.js')).registerBatch,
  worker: async () => (await import('./worker-command.js')).registerWorker,
};

/**
 * Registers the subcommand `name` alone when it is one (the word after
 * `mfrec`), else every subcommand: help, --version and a mistyped name see
 * them all, as before.
 */
export async function registerCommands(program: Command, name?: string): Promise<void> {
  const names = name !== undefined && Object.hasOwn(COMMANDS, name) ? [name] : Object.keys(COMMANDS);
  const registers = await Promise.all(names.map((n) => COMMANDS[n]!()));
  for (const register of registers) register(program);
}
