// Biased matrix factorization for explicit ratings, trained by stochastic
// gradient descent: r̂(u, i) = μ + b_u + b_i + p_u · q_i.
//
// Parallel training follows the fixed-grid scheme of FPSGD: users and items
// are permuted at random and the rating matrix is cut into blocks × blocks
// blocks; threads repeatedly take a block that shares no row block and no
// column block with any block in progress, so no two threads ever touch the
// same user or item row and no locks guard the factors. Every block is
// processed exactly once per epoch.
//
// Reproducibility: with one thread the blocks are visited in an order drawn
// from (seed, epoch), and the ratings inside a block in the order sgd_layout
// gave them, so a run is bit-for-bit repeatable and lib/twins/sgd.ts
// replays it exactly. The arithmetic is written so that every compiler
// target (baseline SSE2, AVX2 or AVX-512, chosen at run time) rounds the same
// way: the epoch's dot products run in sixteen lanes summed by a fixed tree
// (kernels/sgd_dot.h), predictions' in 8 lanes summed in adjacent pairs
// (lane_dot, kernels/simd.h), and no multiply-add is fused
// (-ffp-contract=off).
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/parallel.h"

namespace mfrec {

// The ratings of one training set cut into a blocks × blocks grid. Block
// (row block rb, column block cb) holds entries [block_ptr[b], block_ptr[b+1])
// with b = rb * blocks + cb. A parallel epoch needs the partition sgd_layout
// gives: every user in one row block, every item in one column block, so that
// blocks run together share no factor row. Indices are checked whatever the
// grid; a grid that breaks the partition stays memory-safe but, on more than
// one thread, its shared rows are updated without order (checking the
// partition would cost a pass over every rating per epoch).
struct SgdGrid {
  int32_t blocks = 1;
  std::size_t nnz = 0;
  const int32_t* users = nullptr;
  const int32_t* items = nullptr;
  const float* ratings = nullptr;
  const int32_t* block_ptr = nullptr;  // blocks * blocks + 1 offsets
};

// The model being trained, updated in place. Factor rows are contiguous:
// user u's vector is user_factors[u * factors .. (u + 1) * factors).
struct SgdModel {
  int32_t factors = 0;
  int32_t n_users = 0;
  int32_t n_items = 0;
  float global_bias = 0;
  float* user_factors = nullptr;
  float* item_factors = nullptr;
  float* user_bias = nullptr;
  float* item_bias = nullptr;
  // Optional per-row multipliers of `regularization` (null: 1 for every row),
  // e.g. to scale the penalty with how many ratings a user or item has.
  const float* user_reg = nullptr;
  const float* item_reg = nullptr;
  // The same for `bias_regularization`.
  const float* user_bias_reg = nullptr;
  const float* item_bias_reg = nullptr;
};

// One epoch's hyperparameters.
struct SgdStep {
  float learning_rate = 0.01f;
  float regularization = 0.02f;       // on p_u and q_i
  float bias_regularization = 0.02f;  // on b_u and b_i
  int threads = 1;
  uint32_t seed = 0;
  uint32_t epoch = 0;  // 0-based; picks the one-thread block order
};

// Cuts (users[k], items[k], ratings[k]) into grid arrays (out_* of length
// nnz, block_ptr of length blocks * blocks + 1). Users go to row blocks and
// items to column blocks by a seeded random permutation (rank * blocks / n);
// inside each block the ratings keep the order of one seeded shuffle of all
// entries. Throws std::invalid_argument for an index out of range. Runs on up
// to `threads` threads (0: all); the grid is the same whatever the count.
void sgd_layout(std::size_t nnz, const int32_t* users, const int32_t* items, const float* ratings, int32_t n_users,
                int32_t n_items, int32_t blocks, uint32_t seed, int32_t* out_users, int32_t* out_items,
                float* out_ratings, int32_t* block_ptr, int threads = 1);

// sgd_layout for ratings given by user rows: user u's ratings are entries
// [user_ptr[u], user_ptr[u + 1]) of items and ratings (n_users + 1 offsets,
// from 0 to nnz, never decreasing), the same grid as sgd_layout gives for the
// entries with each one's user spelled out.
void sgd_layout_rows(const int32_t* user_ptr, int32_t n_users, const int32_t* items, const float* ratings,
                     int32_t n_items, int32_t blocks, uint32_t seed, int32_t* out_users, int32_t* out_items,
                     float* out_ratings, int32_t* block_ptr, std::size_t nnz, int threads);

// A renumbering of rows: order[new] = old, rank[old] = new (n each).
struct SgdRowGroups {
  int32_t* user_order = nullptr;
  int32_t* user_rank = nullptr;
  int32_t* item_order = nullptr;
  int32_t* item_rank = nullptr;
};

// Numbers users by first appearance in the grid's row blocks and items by
// first appearance in its column blocks (rows never seen go last), so the
// rows of each block sit together in the model (lib/models/explicit/sgd-rows.ts
// explains why), and renumbers the grid's users and items to match, in place.
// Throws std::invalid_argument for an index out of range.
void sgd_group_rows(const SgdGrid& grid, int32_t n_users, int32_t n_items, SgdRowGroups out, int threads);

// The initial factors: N(0, sd²) coordinates from the init stream of `seed`,
// drawn in row order over user rows then item rows (as lib/twins/sgd.ts
// draws them). Row n of `out` (rows × factors floats) gets the draws of row
// first_row + order[n] (order null: + n; order, a permutation of the rows,
// draws them straight into a renumbered model). Rows are drawn in parallel on up to `threads` threads (0: all);
// the values do not depend on the count.
void sgd_initial_factors(float* out, std::size_t rows, int32_t factors, uint32_t seed, uint64_t first_row, float sd,
                         const int32_t* order, int threads);

// One epoch of SGD over every rating of the grid. Returns the sum of squared
// errors measured just before each rating's update (the running training
// error: free to compute, slightly pessimistic against an end-of-epoch pass).
// Throws Cancelled when `cancel` is raised (checked between blocks and every
// few thousand ratings), std::invalid_argument for malformed input.
double sgd_epoch(const SgdGrid& grid, const SgdModel& model, const SgdStep& step, const CancelFlag& cancel);

// Predicts n (user, item) pairs into out, on `threads` threads. An index of -1
// means "unknown": that side contributes neither its bias nor the dot product
// (unknown user → μ + b_i, unknown item → μ + b_u, both → μ). Results are
// clamped to [lo, hi] (pass ±infinity for none).
void sgd_predict(const SgdModel& model, std::size_t n, const int32_t* users, const int32_t* items, float lo, float hi,
                 int threads, float* out);

// p · q in the order of predictions (lane_dot), the same on every target.
float sgd_dot(const float* p, const float* q, int32_t k);

}  // namespace mfrec
