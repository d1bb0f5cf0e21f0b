/** What the registry (lib/models/registry.ts) knows of BPR: its kind, construction, CLI flags and search space. */
import { FACTOR_PARAMETERS, logRange, type ModelTraits } from '../base/traits.js';
import { BPR, BPR_DEFAULTS, resolveBPROptions } from './bpr.js';

export const BPR_TRAITS: ModelTraits<BPR> = {
  kind: 'ranking',
  label: 'BPR',
  create: (o) => new BPR(o),
  checkOptions: (o) => void resolveBPROptions(o),
  defaults: BPR_DEFAULTS,
  flags: ['learningRate'],
  parameters: {
    ...FACTOR_PARAMETERS,
    learningRate: 'float',
    regularization: 'float',
  },
  ranges: {
    factors: logRange(16, 256),
    learningRate: logRange(0.005, 0.2),
    regularization: logRange(0.001, 0.1),
  },
};
