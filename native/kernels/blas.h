// The BLAS routines mfrec uses, behind one small interface.
//
// Built with OpenBLAS (MFREC_HAVE_OPENBLAS) they forward to it, pinned to one
// BLAS thread: our own thread team does the parallel work, and OpenBLAS
// threads nested inside it would oversubscribe the cores. Without OpenBLAS
// they run built-in C++ loops that give the same results (to float rounding).
#pragma once

#include <cstddef>
#include <string>

namespace mfrec {

// "OpenBLAS 0.3.21 ..." or "built-in".
std::string blas_name();
bool blas_is_openblas();

// Called once per process before any kernel: pins BLAS to one thread.
void blas_init();

// C = alpha * A * B^T + beta * C, row-major. A is m x k, B is n x k, C is m x n.
void gemm_abt(std::size_t m, std::size_t n, std::size_t k, float alpha, const float* a, const float* b, float beta,
              float* c);

// G = X^T X for row-major X (rows x cols); G is cols x cols, full (both triangles).
void gram(std::size_t rows, std::size_t cols, const float* x, float* g);

float dot(std::size_t n, const float* x, const float* y);

// Solves A x = b in place (b becomes x) for symmetric positive-definite A
// (n x n, row-major, overwritten by its Cholesky factor). Returns false when
// A is not positive definite.
bool cholesky_solve(std::size_t n, float* a, float* b);

}  // namespace mfrec
