/** What the registry (lib/models/registry.ts) knows of ExplicitMF: its kind, construction, CLI flags and search space. */
import type { ModelTraits } from '../registry.js';
import { EXPLICIT_MF_DEFAULTS, ExplicitMF } from './explicit-mf.js';

export const EXPLICIT_TRAITS: ModelTraits<ExplicitMF> = {
  kind: 'rating',
  create: (o) => new ExplicitMF(o),
  checkOptions: (o) => void new ExplicitMF(o),
  defaults: EXPLICIT_MF_DEFAULTS,
  flags: ['learningRate'],
  parameters: {
    factors: 'int',
    iterations: 'int',
    learningRate: 'float',
    regularization: 'float',
    biasRegularization: 'float',
    learningRateDecay: 'float',
    initStd: 'float',
  },
  ranges: {
    factors: { min: 8, max: 256, log: true },
    learningRate: { min: 0.002, max: 0.05, log: true },
    regularization: { min: 0.01, max: 0.5, log: true },
    biasRegularization: { min: 0.002, max: 0.2, log: true },
  },
};
