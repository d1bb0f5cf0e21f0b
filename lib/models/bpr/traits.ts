/** What the registry (lib/models/registry.ts) knows of BPR: its kind, construction, CLI flags and search space. */
import type { ModelTraits } from '../registry.js';
import { BPR, BPR_DEFAULTS, resolveBPROptions } from './bpr.js';

export const BPR_TRAITS: ModelTraits<BPR> = {
  kind: 'ranking',
  create: (o) => new BPR(o),
  checkOptions: (o) => void resolveBPROptions(o),
  defaults: BPR_DEFAULTS,
  flags: ['learningRate'],
  parameters: {
    factors: 'int',
    iterations: 'int',
    learningRate: 'float',
    regularization: 'float',
  },
  ranges: {
    factors: { min: 16, max: 256, log: true },
    learningRate: { min: 0.005, max: 0.2, log: true },
    regularization: { min: 0.001, max: 0.1, log: true },
  },
};
