/** What the registry (lib/models/registry.ts) knows of RP3beta: its kind, construction, CLI flags and search space. */
import { logRange, type ModelTraits } from '../base/traits.js';
import { resolveRP3betaOptions } from './options.js';
import { RP3beta, RP3BETA_DEFAULTS } from './rp3beta.js';

export const RP3BETA_TRAITS: ModelTraits<RP3beta> = {
  kind: 'ranking',
  label: 'RP3beta',
  create: (o) => new RP3beta(o),
  checkOptions: (o) => void resolveRP3betaOptions(o),
  defaults: RP3BETA_DEFAULTS,
  // Files written before `normalize` existed hold weights that were not normalised.
  olderFileParams: { normalize: false },
  flags: ['alpha', 'beta', 'neighbours', 'normalize'],
  parameters: { alpha: 'float', beta: 'float', neighbours: 'int' },
  ranges: { alpha: { min: 0.2, max: 1.5 }, beta: { min: 0, max: 1 }, neighbours: logRange(20, 1000) },
};
