/** What the registry (lib/models/registry.ts) knows of ImplicitALS: its kind, construction, CLI flags and search space. */
import { FACTOR_PARAMETERS, logRange, type ModelTraits } from '../base/traits.js';
import { adaptImplicitALSDefaults } from './adapt.js';
import { ImplicitALS, IMPLICIT_ALS_DEFAULTS, resolveImplicitALSOptions } from './implicit-als.js';

export const ALS_TRAITS: ModelTraits<ImplicitALS> = {
  kind: 'ranking',
  label: 'ALS',
  values: 'confidence',
  create: (o) => new ImplicitALS(o),
  checkOptions: (o) => void resolveImplicitALSOptions(o),
  defaults: IMPLICIT_ALS_DEFAULTS,
  adaptDefaults: adaptImplicitALSDefaults,
  flags: ['alpha', 'confidence', 'epsilon', 'solver'],
  parameters: {
    ...FACTOR_PARAMETERS,
    regularization: 'float',
    alpha: 'float',
    confidence: 'enum',
    epsilon: 'float',
    solver: 'enum',
    cgSteps: 'int',
    regularizationExponent: 'float',
  },
  ranges: {
    factors: logRange(16, 256),
    regularization: logRange(0.02, 2),
    // Linear confidence on large counts needs a small slope, log confidence a large one: the range spans both.
    alpha: logRange(0.01, 100),
    confidence: { values: ['linear', 'log'] },
  },
};
