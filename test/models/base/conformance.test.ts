/**
 * Every trainable factor model runs the same conformance suite
 * (test/helpers/conformance.ts); a new model joins with one call.
 */
import { BPR } from '../../../lib/models/bpr/bpr.js';
import { ExplicitMF } from '../../../lib/models/explicit/explicit-mf.js';
import { ImplicitALS } from '../../../lib/models/als/implicit-als.js';
import { EASE } from '../../../lib/models/ease/ease.js';
import { ItemKNN } from '../../../lib/models/itemknn/itemknn.js';
import { RP3beta } from '../../../lib/models/rp3beta/rp3beta.js';
import { describeFactorModelConformance } from '../../helpers/conformance.js';

describeFactorModelConformance('ImplicitALS (cg)', ({ threads, seed }) => new ImplicitALS({ factors: 4, iterations: 8, solver: 'cg', threads, seed }), {
  dataKind: 'implicit',
  type: 'als',
  recalculate: true,
  partialFit: true,
  vectors: true,
  partialFitItems: true,
  explain: true,
});

describeFactorModelConformance(
  'ImplicitALS (cholesky)',
  ({ threads, seed }) => new ImplicitALS({ factors: 4, iterations: 8, solver: 'cholesky', threads, seed }),
  { dataKind: 'implicit', type: 'als', recalculate: true, partialFit: true, vectors: true, partialFitItems: true, explain: true },
);

describeFactorModelConformance(
  'ImplicitALS (js backend)',
  ({ threads, seed }) => new ImplicitALS({ factors: 4, iterations: 8, solver: 'cg', threads, seed, backend: 'js' }),
  { dataKind: 'implicit', type: 'als', recalculate: true, partialFit: true, vectors: true, partialFitItems: true, explain: true },
);

describeFactorModelConformance('BPR', ({ threads, seed }) => new BPR({ factors: 4, iterations: 100, learningRate: 0.1, threads, seed }), {
  dataKind: 'implicit',
  type: 'bpr',
  recalculate: true,
  partialFit: true,
  vectors: true,
  partialFitItems: true,
  explain: false,
});

describeFactorModelConformance(
  'BPR (js backend)',
  ({ threads, seed }) => new BPR({ factors: 4, iterations: 100, learningRate: 0.1, threads, seed, backend: 'js' }),
  { dataKind: 'implicit', type: 'bpr', recalculate: true, partialFit: true, vectors: true, partialFitItems: true, explain: false },
);

describeFactorModelConformance(
  'ExplicitMF',
  ({ threads, seed }) => new ExplicitMF({ factors: 8, iterations: 200, learningRate: 0.05, regularization: 0.02, threads, seed }),
  { dataKind: 'ratings', type: 'explicit', recalculate: true, partialFit: true, vectors: true, partialFitItems: true, explain: true },
);

// Item-to-item models: the same contract, without vectors (explicitly) and without partialFitItems (a new item's weights need a new fit).
const ITEM_TO_ITEM = { dataKind: 'implicit', recalculate: true, partialFit: true, vectors: false, partialFitItems: false, explain: true } as const;

describeFactorModelConformance('EASE', ({ threads }) => new EASE({ lambda: 5, threads }), { ...ITEM_TO_ITEM, type: 'ease' });
describeFactorModelConformance('EASE (js backend)', ({ threads }) => new EASE({ lambda: 5, threads, backend: 'js' }), { ...ITEM_TO_ITEM, type: 'ease' });
describeFactorModelConformance('ItemKNN (bm25)', ({ threads }) => new ItemKNN({ neighbours: 20, threads }), { ...ITEM_TO_ITEM, type: 'itemknn' });
describeFactorModelConformance('ItemKNN (cosine, js backend)', ({ threads }) => new ItemKNN({ neighbours: 20, weighting: 'cosine', threads, backend: 'js' }), {
  ...ITEM_TO_ITEM,
  type: 'itemknn',
});
describeFactorModelConformance('RP3beta', ({ threads }) => new RP3beta({ neighbours: 20, threads }), { ...ITEM_TO_ITEM, type: 'rp3beta' });
describeFactorModelConformance('RP3beta (js backend)', ({ threads }) => new RP3beta({ neighbours: 20, threads, backend: 'js' }), {
  ...ITEM_TO_ITEM,
  type: 'rp3beta',
});
