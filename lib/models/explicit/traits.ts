/** What the registry (lib/models/registry.ts) knows of ExplicitMF: its kind, construction, CLI flags and search space. */
import { FACTOR_PARAMETERS, logRange, type ModelTraits } from '../base/traits.js';
import { EXPLICIT_MF_DEFAULTS, ExplicitMF } from './explicit-mf.js';

export const EXPLICIT_TRAITS: ModelTraits<ExplicitMF> = {
  kind: 'rating',
  label: 'Explicit MF',
  create: (o) => new ExplicitMF(o),
  checkOptions: (o) => void new ExplicitMF(o),
  defaults: EXPLICIT_MF_DEFAULTS,
  flags: ['learningRate'],
  parameters: {
    ...FACTOR_PARAMETERS,
    learningRate: 'float',
    regularization: 'float',
    biasRegularization: 'float',
    learningRateDecay: 'float',
    initStd: 'float',
  },
  ranges: {
    factors: logRange(8, 256),
    learningRate: logRange(0.002, 0.05),
    regularization: logRange(0.01, 0.5),
    biasRegularization: logRange(0.002, 0.2),
  },
};
