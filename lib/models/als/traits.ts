/** What the registry (lib/models/registry.ts) knows of ImplicitALS: its kind, construction, CLI flags and search space. */
import type { ModelTraits } from '../registry.js';
import { ImplicitALS, IMPLICIT_ALS_DEFAULTS, resolveImplicitALSOptions } from './implicit-als.js';

export const ALS_TRAITS: ModelTraits<ImplicitALS> = {
  kind: 'ranking',
  create: (o) => new ImplicitALS(o),
  checkOptions: (o) => void resolveImplicitALSOptions(o),
  defaults: IMPLICIT_ALS_DEFAULTS,
  flags: ['alpha', 'confidence', 'epsilon', 'solver'],
  parameters: {
    factors: 'int',
    iterations: 'int',
    regularization: 'float',
    alpha: 'float',
    confidence: 'enum',
    epsilon: 'float',
    solver: 'enum',
    cgSteps: 'int',
  },
  ranges: {
    factors: { min: 16, max: 256, log: true },
    regularization: { min: 0.02, max: 2, log: true },
    alpha: { min: 0.5, max: 20, log: true },
  },
};
