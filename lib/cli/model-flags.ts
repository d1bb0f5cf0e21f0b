/** Hyperparameter flags shared by train and evaluate, turned into a model. */
import { Option, type Command } from 'commander';
import { ErrorCodes, MfrecError } from '../errors.js';
import type { Recommender } from '../models/base/recommender.js';
import type { Interactions } from '../data/interactions.js';
import { adaptedDefaults, MODELS, type ModelType, type SpecificFlag } from '../models/registry.js';
import { intArg, numberArg } from './parse.js';

export type TrainableType = ModelType;

export interface ModelFlags {
  factors?: number;
  iterations?: number;
  learningRate?: number;
  regularization?: number;
  alpha?: number;
  confidence?: 'linear' | 'log';
  epsilon?: number;
  solver?: 'cg' | 'cholesky';
  lambda?: number;
  neighbours?: number;
  weighting?: 'bm25' | 'tfidf' | 'cosine' | 'cooccurrence';
  shrink?: number;
  beta?: number;
  normalize?: boolean;
  threads?: number;
  seed?: number;
  backend?: 'native' | 'js';
  /** --fixed-defaults: the documented fixed defaults, not those adapted to the data. */
  fixedDefaults?: boolean;
}

/** --normalize comes with --no-normalize so that neither is set unless given (--no-normalize alone would default to true for every model). */
export function addModelFlags(cmd: Command): Command {
  return cmd
    .option('--factors <n>', 'latent factors per user and item', intArg(1))
    .option('--iterations <n>', 'training epochs (SGD, BPR) or sweeps (ALS)', intArg(1))
    .option('--learning-rate <x>', 'SGD / BPR learning rate', numberArg(0))
    .option('--regularization <x>', 'L2 regularization', numberArg(0))
    .option('--alpha <x>', 'ALS: confidence scale (confidence = 1 + alpha * value); RP3beta: exponent of the transition probabilities', numberArg(0))
    .addOption(
      new Option(
        '--confidence <c>',
        'ALS: values become confidence linearly (1 + alpha·value) or by log (1 + alpha·log(1 + value/epsilon), for counts with long tails)',
      ).choices(['linear', 'log']),
    )
    .option('--epsilon <x>', 'ALS: scale of --confidence log (default 1)', numberArg(0))
    .addOption(new Option('--solver <s>', 'ALS solver').choices(['cg', 'cholesky']))
    .option('--lambda <x>', 'EASE: L2 penalty on the item-to-item weights', numberArg(0))
    .option('--neighbours <n>', 'item-KNN, RP3beta: neighbours kept per item', intArg(1))
    .addOption(
      new Option('--weighting <w>', 'item-KNN: weighting before the similarity (cooccurrence = "customers also bought" counts)').choices([
        'bm25',
        'tfidf',
        'cosine',
        'cooccurrence',
      ]),
    )
    .option('--shrink <x>', 'item-KNN: shrinkage of similarities shared by few users', numberArg(0))
    .option('--beta <x>', 'RP3beta: popularity penalty', numberArg(0))
    .option('--normalize', "RP3beta: scale each item's kept neighbours to sum to 1 (the default)")
    .option('--no-normalize', 'RP3beta: keep the walk probabilities as they are')
    .option('--threads <n>', 'threads (0 = all cores)', intArg(0))
    .option('--seed <n>', 'random seed', intArg(0, 0xffffffff))
    .addOption(new Option('--backend <b>', 'native (C++) or js (the pure TypeScript twin, for comparison)').choices(['native', 'js']))
    .option('--fixed-defaults', 'use the documented fixed defaults, not those adapted to the data (see docs/defaults.md)');
}

/** Only the flags the user gave: the model fills every other option with its default. */
function given<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The model-specific flags in the order a misplaced one is reported, with their spelling on the command line. */
const SPECIFIC_FLAGS: ReadonlyArray<[SpecificFlag, string]> = [
  ['learningRate', 'learning-rate'],
  ['alpha', 'alpha'],
  ['confidence', 'confidence'],
  ['epsilon', 'epsilon'],
  ['solver', 'solver'],
  ['lambda', 'lambda'],
  ['neighbours', 'neighbours'],
  ['weighting', 'weighting'],
  ['shrink', 'shrink'],
  ['beta', 'beta'],
  ['normalize', 'normalize'],
];

/** The factor models' shared flags, with their spelling: refused, naming them, by a model without them. */
const SHARED_FLAGS: ReadonlyArray<['factors' | 'iterations' | 'regularization' | 'seed', string]> = [
  ['factors', 'factors'],
  ['iterations', 'iterations'],
  ['regularization', 'regularization'],
  ['seed', 'seed'],
];

/** A flag as the user typed it: a boolean flag given false was --no-<flag>. */
function spelled(flag: string, value: unknown): string {
  return value === false ? `--no-${flag}` : `--${flag}`;
}

/**
 * The flags given that set one family's hyperparameters, as typed (every
 * model flag but --threads and --seed): what `--model all` refuses, since
 * there every family trains with its own defaults.
 */
export function familyFlagsGiven(f: ModelFlags): string[] {
  const shared = SHARED_FLAGS.filter(([name]) => name !== 'seed');
  const all: ReadonlyArray<readonly [keyof ModelFlags, string]> = [...shared, ...SPECIFIC_FLAGS, ['backend', 'backend']];
  return all.filter(([name]) => f[name] !== undefined).map(([name, flag]) => spelled(flag, f[name]));
}

/**
 * The model of `type` from the flags given; a flag the model does not take
 * is refused, naming it. With `data` (the training data), options the flags
 * leave unset take the defaults the family adapts to that data, unless
 * --fixed-defaults was given.
 */
export function createModel(type: TrainableType, f: ModelFlags, data?: Interactions): Recommender {
  const traits = MODELS[type];
  const options: Record<string, unknown> = given({ threads: f.threads, backend: f.backend });
  for (const [name, flag] of SHARED_FLAGS) {
    if (f[name] === undefined) continue;
    if (!Object.hasOwn(traits.defaults, name)) throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, `--${flag} does not apply to --model ${type}`);
    options[name] = f[name];
  }
  for (const [name, flag] of SPECIFIC_FLAGS) {
    if (f[name] === undefined) continue;
    if (!traits.flags.includes(name)) throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, `${spelled(flag, f[name])} does not apply to --model ${type}`);
    options[name] = f[name];
  }
  const adapted = data !== undefined && !f.fixedDefaults ? adaptedDefaults(traits, data, options) : {};
  const chosen = Object.entries(adapted).map(([name, value]) => `${name} ${value}`);
  if (chosen.length > 0)
    process.stderr.write(`mfrec: note: ${type} defaults adapted to the data: ${chosen.join(', ')} (--fixed-defaults keeps the fixed ones)\n`);
  return traits.create({ ...adapted, ...options });
}
