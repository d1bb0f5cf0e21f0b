/**
 * ExplicitMF trains with its rows renumbered so that the users of each row
 * block of the SGD grid (and the items of each column block) sit next to each
 * other in the factor and bias arrays.
 *
 * The grid puts users and items into blocks at random, so in the model's own
 * order the rows of one block are scattered over the whole array. That costs
 * twice. One thread pages through all of the arrays in every block (more TLB
 * and cache misses than the block's rows alone would need). Two threads, each
 * in its own block, write rows and biases that share cache lines (16 biases
 * per 64-byte line, and factor rows that do not start on a line boundary), so
 * the lines bounce between the cores: on S1 two threads gained 1.5× over one
 * instead of 2× (bench/investigations/NOTES-sgd-grid.md).
 *
 * Renumbering changes no arithmetic: every rating is visited in the same
 * order with the same values, so a seeded one-thread model is the same bit for
 * bit, and the TypeScript twin (trained on the same renumbered grid) still
 * matches the kernel exactly. The rows go back to the model's order after the fit.
 */
import type { SgdGrid, SgdModelArrays } from '../../addon/sgd.js';

/** A renumbering of rows: `order[new] = old`, `rank[old] = new`. */
export interface Renumbering {
  order: Int32Array;
  rank: Int32Array;
}

export interface BlockRows {
  users: Renumbering;
  items: Renumbering;
}

/** Rows numbered by first appearance, reading blocks in `blockOrder`; rows never seen go last. */
function byFirstAppearance(n: number, rows: Int32Array, grid: SgdGrid, blockOrder: (k: number) => number): Renumbering {
  const rank = new Int32Array(n).fill(-1);
  const order = new Int32Array(n);
  let next = 0;
  const nb = grid.blocks * grid.blocks;
  for (let k = 0; k < nb; k++) {
    const b = blockOrder(k);
    for (let e = grid.blockPtr[b]!; e < grid.blockPtr[b + 1]!; e++) {
      const row = rows[e]!;
      if (rank[row] === -1) {
        rank[row] = next;
        order[next++] = row;
      }
    }
  }
  for (let row = 0; row < n; row++) {
    if (rank[row] === -1) {
      rank[row] = next;
      order[next++] = row;
    }
  }
  return { order, rank };
}

/** The renumbering that groups rows by block, for a grid filled by sgdLayout. */
export function blockRows(grid: SgdGrid, nUsers: number, nItems: number): BlockRows {
  const b = grid.blocks;
  return {
    // Row blocks in order: block k is (k / b, k % b).
    users: byFirstAppearance(nUsers, grid.users, grid, (k) => k),
    // Column blocks in order: block (k % b, k / b).
    items: byFirstAppearance(nItems, grid.items, grid, (k) => (k % b) * b + Math.floor(k / b)),
  };
}

/** Replaces each index by its new number, in place; -1 (unknown) stays -1. */
export function renumber(indices: Int32Array, r: Renumbering): Int32Array {
  for (let k = 0; k < indices.length; k++) {
    const x = indices[k]!;
    if (x >= 0) indices[k] = r.rank[x]!;
  }
  return indices;
}

/** A copy of per-row values `a` in the new numbering: new row n takes a[order[n]]. */
export function inOrder(a: Float32Array, order: Int32Array): Float32Array {
  const out = new Float32Array(order.length);
  for (let n = 0; n < order.length; n++) out[n] = a[order[n]!]!;
  return out;
}

/**
 * Moves the rows of `a` (`width` floats each) in place so that row n becomes
 * row source[n], following each cycle of the permutation with one spare row
 * (no second copy of the model while training).
 */
function permuteRows(a: Float32Array, width: number, source: Int32Array): void {
  const done = new Uint8Array(source.length);
  const spare = new Float32Array(width);
  for (let start = 0; start < source.length; start++) {
    if (done[start] || source[start] === start) continue;
    spare.set(a.subarray(start * width, (start + 1) * width));
    let to = start;
    for (;;) {
      done[to] = 1;
      const from = source[to]!;
      if (from === start) {
        a.set(spare, to * width);
        break;
      }
      a.copyWithin(to * width, from * width, (from + 1) * width);
      to = from;
    }
  }
}

/** Moves the model's rows, in place, to the new numbering (toNew) or back to the model's own. */
export function permuteModel(m: SgdModelArrays, rows: BlockRows, toNew: boolean): SgdModelArrays {
  for (const [side, r] of [
    ['user', rows.users],
    ['item', rows.items],
  ] as const) {
    // New row n holds old row order[n]; going back, old row x takes new row rank[x].
    const source = toNew ? r.order : r.rank;
    const perSide =
      side === 'user' ? [m.userBias, m.userRegularization, m.userBiasRegularization] : [m.itemBias, m.itemRegularization, m.itemBiasRegularization];
    permuteRows(side === 'user' ? m.userFactors : m.itemFactors, m.factors, source);
    for (const a of perSide) if (a !== undefined) permuteRows(a, 1, source);
  }
  return m;
}
