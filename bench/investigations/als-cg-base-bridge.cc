// The older build's half-sweep for als-cg-driver.cc's side-by-side mode:
// compiled with -Dmfrec=mfrec_base, as are the older als.cc, blas.cc and
// parallel.cc linked with it, so that both builds live in one process.
#include "kernels/als.h"

void base_half_sweep(const void* m, const float* y, std::size_t y_rows, float* x, const void* options) {
  mfrec::als_half_sweep(*static_cast<const mfrec::CsrView*>(m), y, y_rows, x,
                        *static_cast<const mfrec::AlsOptions*>(options), mfrec::CancelFlag{});
}
