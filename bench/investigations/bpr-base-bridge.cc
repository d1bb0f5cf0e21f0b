// The older build's bpr_epoch for bpr-epoch-driver.cc's side-by-side mode:
// compiled with -Dmfrec=mfrec_base, as are the older bpr.cc, csr.cc,
// random.cc and parallel.cc linked with it, so that both builds live in one
// process.
#include "kernels/bpr.h"

void base_bpr_epoch(const void* params, const void* by_user, std::size_t items, float* user_factors,
                    float* item_factors, float* item_bias, uint32_t epoch) {
  mfrec::bpr_epoch(*static_cast<const mfrec::BprParams*>(params), *static_cast<const mfrec::CsrView*>(by_user), items,
                   user_factors, item_factors, item_bias, epoch);
}
