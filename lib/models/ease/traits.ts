/** What the registry (lib/models/registry.ts) knows of EASE: its kind, construction, CLI flags and search space. */
import { logRange, type ModelTraits } from '../base/traits.js';
import { EASE, EASE_DEFAULTS } from './ease.js';
import { resolveEASEOptions } from './options.js';

export const EASE_TRAITS: ModelTraits<EASE> = {
  kind: 'ranking',
  label: 'EASE',
  create: (o) => new EASE(o),
  checkOptions: (o) => void resolveEASEOptions(o),
  defaults: EASE_DEFAULTS,
  flags: ['lambda'],
  parameters: { lambda: 'float' },
  ranges: { lambda: logRange(10, 5000) },
};
