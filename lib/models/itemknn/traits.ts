/** What the registry (lib/models/registry.ts) knows of item-KNN: its kind, construction, CLI flags and search space. */
import { logRange, type ModelTraits } from '../base/traits.js';
import { ItemKNN, ITEMKNN_DEFAULTS } from './itemknn.js';
import { resolveItemKNNOptions } from './options.js';

export const ITEMKNN_TRAITS: ModelTraits<ItemKNN> = {
  kind: 'ranking',
  label: 'item-KNN',
  create: (o) => new ItemKNN(o),
  checkOptions: (o) => void resolveItemKNNOptions(o),
  defaults: ITEMKNN_DEFAULTS,
  flags: ['neighbours', 'weighting', 'shrink'],
  parameters: { neighbours: 'int', shrink: 'float', weighting: 'enum' },
  ranges: { neighbours: logRange(10, 1000), shrink: { min: 0, max: 100 } },
};
