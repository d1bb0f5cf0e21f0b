/**
 * Every trainable factor model runs the same conformance suite
 * (test/helpers/conformance.ts); a new model joins with one call.
 */
import { BPR } from '../../../lib/models/bpr/bpr.js';
import { ExplicitMF } from '../../../lib/models/explicit/explicit-mf.js';
import { ImplicitALS } from '../../../lib/models/als/implicit-als.js';
import { describeFactorModelConformance } from '../../helpers/conformance.js';

describeFactorModelConformance('ImplicitALS (cg)', ({ threads, seed }) => new ImplicitALS({ factors: 4, iterations: 8, solver: 'cg', threads, seed }), {
  dataKind: 'implicit',
  type: 'als',
  recalculate: true,
  partialFit: true,
});

describeFactorModelConformance(
  'ImplicitALS (cholesky)',
  ({ threads, seed }) => new ImplicitALS({ factors: 4, iterations: 8, solver: 'cholesky', threads, seed }),
  { dataKind: 'implicit', type: 'als', recalculate: true, partialFit: true },
);

describeFactorModelConformance(
  'ImplicitALS (js backend)',
  ({ threads, seed }) => new ImplicitALS({ factors: 4, iterations: 8, solver: 'cg', threads, seed, backend: 'js' }),
  { dataKind: 'implicit', type: 'als', recalculate: true, partialFit: true },
);

describeFactorModelConformance('BPR', ({ threads, seed }) => new BPR({ factors: 4, iterations: 100, learningRate: 0.1, threads, seed }), {
  dataKind: 'implicit',
  type: 'bpr',
  recalculate: true,
  partialFit: true,
});

describeFactorModelConformance(
  'BPR (js backend)',
  ({ threads, seed }) => new BPR({ factors: 4, iterations: 100, learningRate: 0.1, threads, seed, backend: 'js' }),
  { dataKind: 'implicit', type: 'bpr', recalculate: true, partialFit: true },
);

describeFactorModelConformance(
  'ExplicitMF',
  ({ threads, seed }) => new ExplicitMF({ factors: 8, iterations: 200, learningRate: 0.05, regularization: 0.02, threads, seed }),
  { dataKind: 'ratings', type: 'explicit', recalculate: true, partialFit: true },
);
