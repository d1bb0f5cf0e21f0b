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

// Block-level routines for the dense item-side algebra (kernels/ease.cc).
// Row-major with explicit leading dimensions (ld*: elements between the
// starts of two rows), so each call can work on a tile of a larger matrix.
// Each call is serial: the caller's thread team runs many at once.

enum class Trans { No, Yes };

// C = alpha * op(A) * op(B) + beta * C, where op(A) is m x k and op(B) k x n
// (op(X) = X, or X^T when Yes).
void gemm(Trans ta, Trans tb, std::size_t m, std::size_t n, std::size_t k, float alpha, const float* a, std::size_t lda,
          const float* b, std::size_t ldb, float beta, float* c, std::size_t ldc);

// Lower triangle (diagonal included) of C (n x n) = alpha * op(A) * op(A)^T
// + beta * C, op(A) n x k; with beta = 1 it accumulates. The strict upper
// triangle is not touched.
void syrk_lower(Trans t, std::size_t n, std::size_t k, float alpha, const float* a, std::size_t lda, float beta,
                float* c, std::size_t ldc);

// Solves X * L^T = B in place (B, m x n, becomes X) for lower-triangular L
// (n x n, non-unit diagonal).
void trsm_right_lower_trans(std::size_t m, std::size_t n, const float* l, std::size_t ldl, float* b, std::size_t ldb);

// Solves L * X = B in place (B, n x m, becomes X) for lower-triangular L.
void trsm_left_lower(std::size_t n, std::size_t m, const float* l, std::size_t ldl, float* b, std::size_t ldb);

// Cholesky factor of one diagonal block: the lower triangle of A (n x n)
// becomes L with A = L L^T (the strict upper triangle is left as it was).
// Returns n on success, else the first row whose pivot is not positive and
// finite (A is not positive definite, or holds NaN or infinity).
std::size_t potrf_lower(std::size_t n, float* a, std::size_t lda);

}  // namespace mfrec
