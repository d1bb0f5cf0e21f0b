// One small symmetric positive definite system (a row's normal equations),
// solved in double precision by Cholesky, shared by the explicit fold-in and
// the score split behind explain().
#pragma once

#include <cstddef>
#include <vector>

namespace mfrec {

// Solves A x = rhs in place for the lower triangle of `a` (d x d, row-major;
// not modified). A singular system gets a vanishing ridge, growing until the
// factorization succeeds, which picks one of its exact solutions. False
// (rhs left unspecified) when nothing helps: non-finite input.
bool solve_spd_jittered(const std::vector<double>& a, std::size_t d, double* rhs);

}  // namespace mfrec
