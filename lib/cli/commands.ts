/** Registers every `mfrec` subcommand. */
import type { Command } from 'commander';
import { registerBatch } from './batch-command.js';
import { registerDemo } from './demo-command.js';
import { registerEvaluate } from './evaluate-command.js';
import { registerImport } from './import-command.js';
import { registerInfo } from './info-command.js';
import { registerPredict } from './predict-command.js';
import { registerRecommend } from './recommend-command.js';
import { registerReport } from './report-command.js';
import { registerServe } from './serve-command.js';
import { registerSimilar } from './similar-command.js';
import { registerSplit } from './split-command.js';
import { registerTrain } from './train-command.js';
import { registerTune } from './tune-command.js';
import { registerWorker } from './worker-command.js';

export function registerCommands(program: Command): void {
  registerDemo(program);
  registerSplit(program);
  registerTrain(program);
  registerImport(program);
  registerPredict(program);
  registerEvaluate(program);
  registerInfo(program);
  registerRecommend(program);
  registerSimilar(program);
  registerReport(program);
  registerTune(program);
  registerServe(program);
  registerBatch(program);
  registerWorker(program);
}
