import { describe, expect, it } from 'vitest';
import { Rng } from '../../../lib/random.js';
import { blockRows, permuteModel, renumber } from '../../../lib/models/explicit/sgd-rows.js';
import { allocateGrid, type SgdModelArrays } from '../../../lib/addon/sgd.js';
import { initFactors } from '../../../lib/models/explicit/train.js';
import { sgdEpoch, sgdLayout } from '../../../lib/twins/sgd.js';

const nUsers = 60;
const nItems = 45;

function problem() {
  const rng = new Rng(4);
  const n = 700;
  const users = Int32Array.from({ length: n }, () => rng.below(nUsers));
  const items = Int32Array.from({ length: n }, () => rng.below(nItems));
  const ratings = Float32Array.from({ length: n }, () => 1 + rng.below(5));
  const grid = allocateGrid(n, 4);
  sgdLayout(users, items, ratings, { nUsers, nItems, seed: 9 }, grid);
  const model: SgdModelArrays = {
    factors: 6,
    globalBias: 3,
    userFactors: new Float32Array(nUsers * 6),
    itemFactors: new Float32Array(nItems * 6),
    userBias: new Float32Array(nUsers),
    itemBias: new Float32Array(nItems),
    userRegularization: Float32Array.from({ length: nUsers }, (_, k) => 0.5 + (k % 3) * 0.25),
    itemBiasRegularization: Float32Array.from({ length: nItems }, (_, k) => 0.5 + (k % 4) * 0.25),
  };
  initFactors(model, 0.1, 2);
  return { grid, model };
}

describe('SGD rows grouped by block', () => {
  it('numbers the users of each row block (items of each column block) consecutively', () => {
    const { grid } = problem();
    const rows = blockRows(grid, nUsers, nItems);
    const b = grid.blocks;
    for (const [side, rowOf, blockOf] of [
      [rows.users, grid.users, (blk: number) => Math.floor(blk / b)],
      [rows.items, grid.items, (blk: number) => blk % b],
    ] as const) {
      expect([...side.order].sort((x, y) => x - y)).toEqual(Array.from({ length: side.order.length }, (_, k) => k));
      const blockOfNew = new Int32Array(side.order.length).fill(-1);
      for (let blk = 0; blk < b * b; blk++) {
        for (let e = grid.blockPtr[blk]!; e < grid.blockPtr[blk + 1]!; e++) blockOfNew[side.rank[rowOf[e]!]!] = blockOf(blk);
      }
      const seen = Array.from(blockOfNew).filter((x) => x >= 0);
      expect(seen).toEqual([...seen].sort((x, y) => x - y));
    }
  });

  it('trains the same model bit for bit, and maps the rows back', () => {
    const plain = problem();
    const grouped = problem();
    const rows = blockRows(grouped.grid, nUsers, nItems);
    renumber(grouped.grid.users, rows.users);
    renumber(grouped.grid.items, rows.items);
    const training = permuteModel(grouped.model, rows, true);
    const step = { learningRate: 0.05, regularization: 0.05, biasRegularization: 0.02, threads: 1, seed: 3, epoch: 0 };
    for (let epoch = 0; epoch < 2; epoch++) {
      expect(sgdEpoch(grouped.grid, training, { ...step, epoch })).toBe(sgdEpoch(plain.grid, plain.model, { ...step, epoch }));
    }
    const back = permuteModel(training, rows, false);
    expect(back.userFactors).toEqual(plain.model.userFactors);
    expect(back.itemFactors).toEqual(plain.model.itemFactors);
    expect(back.userBias).toEqual(plain.model.userBias);
    expect(back.itemBias).toEqual(plain.model.itemBias);
    expect(back.userRegularization).toEqual(plain.model.userRegularization);
    expect(back.itemBiasRegularization).toEqual(plain.model.itemBiasRegularization);
  });

  it('leaves unknown indices (-1) alone', () => {
    const { grid } = problem();
    const rows = blockRows(grid, nUsers, nItems);
    expect(Array.from(renumber(Int32Array.from([-1, 0]), rows.users))).toEqual([-1, rows.users.rank[0]]);
  });
});
