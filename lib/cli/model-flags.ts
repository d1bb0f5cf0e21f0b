/** Hyperparameter flags shared by train and evaluate, turned into a model. */
import { Option, type Command } from 'commander';
import { BPR } from '../models/bpr/bpr.js';
import { ExplicitMF } from '../models/explicit/explicit-mf.js';
import { ImplicitALS } from '../models/als/implicit-als.js';
import { ErrorCodes, MfrecError } from '../errors.js';
import { intArg, numberArg } from './parse.js';

export type TrainableType = 'explicit' | 'als' | 'bpr';

export interface ModelFlags {
  factors?: number;
  iterations?: number;
  learningRate?: number;
  regularization?: number;
  alpha?: number;
  confidence?: 'linear' | 'log';
  epsilon?: number;
  solver?: 'cg' | 'cholesky';
  threads?: number;
  seed?: number;
  backend?: 'native' | 'js';
}

export function addModelFlags(cmd: Command): Command {
  return cmd
    .option('--factors <n>', 'latent factors per user and item', intArg(1))
    .option('--iterations <n>', 'training epochs (SGD, BPR) or sweeps (ALS)', intArg(1))
    .option('--learning-rate <x>', 'SGD / BPR learning rate', numberArg(0))
    .option('--regularization <x>', 'L2 regularization', numberArg(0))
    .option('--alpha <x>', 'ALS confidence scale: confidence = 1 + alpha * value', numberArg(0))
    .addOption(
      new Option('--confidence <c>', 'ALS: values become confidence linearly (1 + alpha·value) or by log (1 + alpha·log(1 + value/epsilon), for counts with long tails)').choices([
        'linear',
        'log',
      ]),
    )
    .option('--epsilon <x>', "ALS: scale of --confidence log (default 1)", numberArg(0))
    .addOption(new Option('--solver <s>', 'ALS solver').choices(['cg', 'cholesky']))
    .option('--threads <n>', 'threads (0 = all cores)', intArg(0))
    .option('--seed <n>', 'random seed', intArg(0, 0xffffffff))
    .addOption(new Option('--backend <b>', 'native (C++) or js (the pure TypeScript twin, for comparison)').choices(['native', 'js']));
}

/** Only the flags the user gave: the model fills every other option with its default. */
function given<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export function createModel(type: TrainableType, f: ModelFlags): ExplicitMF | ImplicitALS | BPR {
  const common = given({
    factors: f.factors,
    iterations: f.iterations,
    regularization: f.regularization,
    threads: f.threads,
    seed: f.seed,
    backend: f.backend,
  });
  const refuse = (flag: string, value: unknown) => {
    if (value !== undefined) throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, `--${flag} does not apply to --model ${type}`);
  };
  switch (type) {
    case 'explicit':
      refuse('alpha', f.alpha);
      refuse('confidence', f.confidence);
      refuse('epsilon', f.epsilon);
      refuse('solver', f.solver);
      return new ExplicitMF({ ...common, ...given({ learningRate: f.learningRate }) });
    case 'als':
      refuse('learning-rate', f.learningRate);
      return new ImplicitALS({ ...common, ...given({ alpha: f.alpha, confidence: f.confidence, epsilon: f.epsilon, solver: f.solver }) });
    case 'bpr':
      refuse('alpha', f.alpha);
      refuse('confidence', f.confidence);
      refuse('epsilon', f.epsilon);
      refuse('solver', f.solver);
      return new BPR({ ...common, ...given({ learningRate: f.learningRate }) });
  }
}
