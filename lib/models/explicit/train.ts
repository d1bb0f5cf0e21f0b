/**
 * ExplicitMF's training: the model arrays from the seed, the grid of
 * ratings the SGD epochs run over, the epochs themselves with the validation
 * RMSE and early stopping, and the state they leave.
 */
import { MfrecError, ErrorCodes } from '../../errors.js';
import type { Interactions } from '../../data/interactions.js';
import type { SparseRows } from '../../data/sparse.js';
import { rmse } from '../../metrics/rating.js';
import { Rng } from '../../random.js';
import { allocateGrid, SgdStreams, type SgdModelArrays } from '../../addon/sgd.js';
import type { Trained } from '../base/factor-model.js';
import { fillNormal } from '../base/initial-factors.js';
import { usersPerItem } from '../base/item-popularity.js';
import { runIterations, type CancelFlag, type IterationReport } from '../base/training.js';
import { sgdBackends, type SgdBackend } from './backend.js';
import { compact, type TrainingSet } from './compact.js';
import { frequencyScales } from './frequency-penalty.js';
import type { ExplicitFitControl, ExplicitMFParams, ExplicitState } from './options.js';
import { mapped, modelArrays, predictIndices, predictionRange } from './predict.js';
import { sgdGridBlocks, usefulSgdThreads } from './sgd-grid.js';
import { inOrder, permuteModel, renumber, type BlockRows } from './sgd-rows.js';

/**
 * Initial factors: N(0, std²) from the init stream, user rows then item rows
 * (the kernel's and the twin's tests replay these; training draws the same
 * values straight into its row order with sgdInitialFactors).
 */
export function initFactors(model: SgdModelArrays, std: number, seed: number): void {
  const rng = Rng.stream(seed, SgdStreams.init);
  fillNormal(model.userFactors, rng, Math.fround(std));
  fillNormal(model.itemFactors, rng, Math.fround(std));
}

/** Step size of epoch `iteration` (1-based): the first epoch's, decayed once per epoch. */
export function learningRateAt(p: ExplicitMFParams, iteration: number): number {
  return p.learningRate * p.learningRateDecay ** (iteration - 1);
}

export function diverged(iteration: number, learningRate: number): MfrecError {
  return new MfrecError(
    ErrorCodes.DIVERGED,
    `Training diverged at epoch ${iteration} (non-finite values with learningRate ${learningRate}): ` + `lower learningRate or raise regularization`,
  );
}

/** Trains on `data` with `threads` hardware threads available (see ExplicitMF.fit). */
export async function trainExplicit(
  p: ExplicitMFParams,
  data: Interactions,
  c: ExplicitFitControl,
  cancel: CancelFlag,
  hardwareThreads: number,
): Promise<Trained<ExplicitState>> {
  const k = p.factors;
  const set = compact(data);
  const nUsers = set.users.size;
  const nItems = set.items.size;

  // The twin always replays the one-thread schedule (on the one-thread grid).
  const threads = p.backend === 'js' ? 1 : usefulSgdThreads(hardwareThreads, nUsers, nItems, data.nnz);
  const blocks = sgdGridBlocks(threads, nUsers, nItems, k);
  const grid = allocateGrid(data.nnz, blocks);
  const sgd = sgdBackends[p.backend];
  const byUser = set.byUser;
  await sgd.layout(byUser, { nUsers, nItems, seed: p.seed, threads }, grid);
  // Training runs on rows grouped by block (sgd-rows.ts: no false sharing
  // between threads, fewer misses), which changes no arithmetic.
  const rows = sgd.groupRows(grid, nUsers, nItems, threads);
  // Ratings per item: the penalty scales' and the saved model's item popularity.
  const perItem = usersPerItem(byUser);
  const training = initialModel(p, byUser, perItem, rows, sgd, threads);
  const draft = makeState(set, training, perItem);
  const validation = c.validation === undefined ? undefined : mapped(draft, c.validation, p.unknown);
  if (validation !== undefined) {
    renumber(validation.u, rows.users);
    renumber(validation.i, rows.items);
  }
  const es = p.earlyStopping;
  let best: { rmse: number; arrays: SgdModelArrays } | undefined;
  let sinceBest = 0;

  const history = await runIterations(
    p.iterations,
    c,
    cancel,
    async (it) => {
      const learningRate = learningRateAt(p, it);
      const step = {
        learningRate,
        regularization: p.regularization,
        biasRegularization: p.biasRegularization,
        threads,
        seed: p.seed,
        epoch: it - 1,
      };
      const sse = await sgd.epoch(grid, training, step, cancel);
      if (!Number.isFinite(sse)) throw diverged(it, learningRate);
      const fields: Omit<IterationReport, 'iteration' | 'seconds'> = { trainRmse: Math.sqrt(sse / data.nnz) };
      if (validation !== undefined) {
        const predicted = predictIndices(modelArrays(draft), validation.u, validation.i, predictionRange(draft, p.clamp), threads, sgd);
        const v = rmse(predicted, validation.r);
        if (!Number.isFinite(v)) throw diverged(it, learningRate);
        fields.validationRmse = v;
      }
      return fields;
    },
    (report) => {
      if (es === false || report.validationRmse === undefined) return false;
      if (best === undefined || report.validationRmse < best.rmse - es.minDelta) {
        best = { rmse: report.validationRmse, arrays: copyArrays(training) };
        sinceBest = 0;
        return false;
      }
      return ++sinceBest >= es.patience;
    },
  );
  const final = permuteModel(best?.arrays ?? training, rows, false);
  draft.userFactors = final.userFactors;
  draft.itemFactors = final.itemFactors;
  draft.userBias = final.userBias;
  draft.itemBias = final.itemBias;
  return { state: draft, history };
}

/**
 * The model at the start of training, its rows already in the training order
 * of `rows`: the initial factors drawn straight into their new rows (the same
 * values initFactors draws in the model's order), zero biases, and the
 * frequency penalty scales.
 */
function initialModel(p: ExplicitMFParams, byUser: SparseRows, perItem: Float32Array, rows: BlockRows, sgd: SgdBackend, threads: number): SgdModelArrays {
  const k = p.factors;
  const nUsers = rows.users.order.length;
  const nItems = rows.items.order.length;
  const ratings = byUser.values;
  let sum = 0;
  for (let x = 0; x < ratings.length; x++) sum += ratings[x]!;
  const draw = { factors: k, seed: p.seed, sd: p.initStd, threads };
  const scales = frequencyScales(byUser, perItem);
  return {
    factors: k,
    globalBias: Math.fround(sum / ratings.length),
    userFactors: sgd.initialFactors(sgd.factorArray(nUsers * k), { ...draw, firstRow: 0, order: rows.users.order }),
    itemFactors: sgd.initialFactors(sgd.factorArray(nItems * k), { ...draw, firstRow: nUsers, order: rows.items.order }),
    userBias: new Float32Array(nUsers),
    itemBias: new Float32Array(nItems),
    userRegularization: inOrder(scales.userFactors, rows.users.order),
    itemRegularization: inOrder(scales.itemFactors, rows.items.order),
    userBiasRegularization: inOrder(scales.userBias, rows.users.order),
    itemBiasRegularization: inOrder(scales.itemBias, rows.items.order),
  };
}

function makeState(set: TrainingSet, model: SgdModelArrays, itemPopularity: Float32Array): ExplicitState {
  return {
    factors: model.factors,
    users: set.users,
    items: set.items,
    userFactors: model.userFactors,
    itemFactors: model.itemFactors,
    globalBias: model.globalBias,
    userBias: model.userBias,
    itemBias: model.itemBias,
    seen: set.byUser,
    itemPopularity,
  };
}

function copyArrays(m: SgdModelArrays): SgdModelArrays {
  return {
    ...m,
    userFactors: m.userFactors.slice(),
    itemFactors: m.itemFactors.slice(),
    userBias: m.userBias.slice(),
    itemBias: m.itemBias.slice(),
  };
}
