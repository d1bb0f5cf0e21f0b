#include <cmath>
#include <random>
#include <stdexcept>
#include <vector>

#include "check.h"
#include "kernels/fold_in.h"
#include "kernels/score_split.h"

using namespace mfrec;

namespace {

struct Planted {
  std::vector<float> vectors;
  std::vector<int32_t> rows;
  std::vector<double> targets;
  std::vector<double> x;
  double bias = 0.7;
};

// Targets bias + x . v exactly, for `n` observations of `n_vectors` random rows.
Planted planted(int k, std::size_t n_vectors, std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0, 1);
  Planted p;
  p.vectors.resize(n_vectors * k);
  for (auto& v : p.vectors) v = normal(rng);
  p.x.resize(k);
  for (auto& v : p.x) v = normal(rng);
  std::uniform_int_distribution<int32_t> pick(0, static_cast<int32_t>(n_vectors) - 1);
  for (std::size_t j = 0; j < n; ++j) {
    const int32_t r = pick(rng);
    double y = p.bias;
    for (int f = 0; f < k; ++f) y += p.x[f] * p.vectors[r * k + f];
    p.rows.push_back(r);
    p.targets.push_back(y);
  }
  return p;
}

BiasedRidge problem(const Planted& p, int k, double vector_penalty, double bias_penalty) {
  BiasedRidge r;
  r.factors = k;
  r.vectors = p.vectors.data();
  r.n_vectors = p.vectors.size() / k;
  r.n = p.rows.size();
  r.rows = p.rows.data();
  r.targets = p.targets.data();
  r.vector_penalty = vector_penalty;
  r.bias_penalty = bias_penalty;
  return r;
}

}  // namespace

MFREC_TEST(fold_in_recovers_an_exact_fit) {
  const int k = 6;
  Planted p = planted(k, 50, 200, 1);
  std::vector<float> out(k + 1);
  solve_biased_ridge(problem(p, k, 1e-9, 1e-9), out.data());
  for (int f = 0; f < k; ++f) CHECK_NEAR(out[f], p.x[f], 1e-4);
  CHECK_NEAR(out[k], p.bias, 1e-4);
}

MFREC_TEST(fold_in_solves_the_penalized_normal_equations) {
  // The gradient of the objective vanishes at the solution.
  const int k = 5;
  Planted p = planted(k, 30, 12, 2);
  for (auto& y : p.targets) y += 0.3;  // not an exact fit any more
  const double lv = 2.5, lb = 4.0;
  std::vector<float> out(k + 1);
  solve_biased_ridge(problem(p, k, lv, lb), out.data());
  std::vector<double> grad(k + 1, 0.0);
  for (std::size_t j = 0; j < p.rows.size(); ++j) {
    const float* v = p.vectors.data() + p.rows[j] * k;
    double e = out[k];
    for (int f = 0; f < k; ++f) e += out[f] * v[f];
    e -= p.targets[j];
    for (int f = 0; f < k; ++f) grad[f] += e * v[f];
    grad[k] += e;
  }
  for (int f = 0; f < k; ++f) CHECK_NEAR(grad[f] + lv * out[f], 0.0, 1e-4);
  CHECK_NEAR(grad[k] + lb * out[k], 0.0, 1e-4);
}

MFREC_TEST(fold_in_without_observations_gives_zeros) {
  const int k = 4;
  Planted p = planted(k, 10, 0, 3);
  std::vector<float> out(k + 1, 9.0f);
  solve_biased_ridge(problem(p, k, 1, 1), out.data());
  for (float v : out) CHECK(v == 0.0f);
}

MFREC_TEST(fold_in_singular_system_still_fits_its_observations) {
  // No penalty and 2 observations for 9 unknowns: infinitely many exact fits.
  const int k = 8;
  Planted p = planted(k, 20, 2, 4);
  std::vector<float> out(k + 1);
  solve_biased_ridge(problem(p, k, 0, 0), out.data());
  for (std::size_t j = 0; j < p.rows.size(); ++j) {
    double y = out[k];
    for (int f = 0; f < k; ++f) {
      CHECK(std::isfinite(out[f]));
      y += out[f] * p.vectors[p.rows[j] * k + f];
    }
    CHECK_NEAR(y, p.targets[j], 1e-3);
  }
}

MFREC_TEST(fold_in_rejects_rows_out_of_range) {
  const int k = 3;
  Planted p = planted(k, 10, 4, 5);
  p.rows[2] = 10;
  std::vector<float> out(k + 1);
  bool threw = false;
  try {
    solve_biased_ridge(problem(p, k, 1, 1), out.data());
  } catch (const std::invalid_argument&) {
    threw = true;
  }
  CHECK(threw);
}

MFREC_TEST(score_split_matches_a_hand_solved_system) {
  // A = diag(1, 1) + 3 z zᵀ with z = (0, 2): diag(1, 13); s = (A⁻¹ z)ᵀ z = 4/13.
  const std::vector<float> vectors{1, 0, 0, 2};
  const std::vector<int32_t> rows{1};
  const std::vector<double> weights{3}, diagonal{1, 1};
  ScoreSplit p;
  p.factors = 2;
  p.vectors = vectors.data();
  p.n_vectors = 2;
  p.rows = rows.data();
  p.n = 1;
  p.weights = weights.data();
  p.diagonal = diagonal.data();
  p.query = 1;
  double out = 0;
  CHECK(split_score(p, &out));
  CHECK(std::fabs(out - 4.0 / 13.0) < 1e-12);
  p.query = 2;
  bool threw = false;
  try {
    split_score(p, &out);
  } catch (const std::invalid_argument&) {
    threw = true;
  }
  CHECK(threw);
}
