// Fuzzes the HNSW kernel as a model file and the addon feed it: levels and
// links either built from vectors and then damaged in a few places, or raw
// bytes; layout and check must refuse every graph a search could not walk
// safely (std::invalid_argument), and a search of any graph they accept must
// end in results, never a read outside its arrays.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "fuzz/fuzz_input.h"
#include "kernels/blas.h"
#include "kernels/hnsw.h"

using mfrec_fuzz::FuzzInput;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  mfrec::blas_init();
  FuzzInput in(data, size);
  const std::size_t n = in.below(40);
  const std::size_t m = 2 + in.below(5);
  const std::size_t f = 1 + in.below(4);
  const bool raw_levels = in.flag(), raw_links = in.flag(), raw_val = in.flag();
  std::vector<float> vectors = in.floats(n * f, raw_val);
  std::vector<int32_t> levels(n), upper(n);
  if (raw_levels) {
    for (auto& l : levels) l = static_cast<int32_t>(in.below(20)) - 2;
  } else {
    mfrec::hnsw_draw_levels(n, m, in.u8(), levels.data());
  }
  std::vector<int32_t> links;
  try {
    links.resize(mfrec::hnsw_layout(n, m, levels.data(), upper.data()));
  } catch (const std::invalid_argument&) {
    return 0;
  }
  mfrec::HnswGraph g;
  g.n = n;
  g.m = m;
  g.levels = levels.data();
  g.upper = upper.data();
  g.links = links.data();
  g.n_links = links.size();
  if (raw_links) {
    for (auto& x : links) x = static_cast<int32_t>(in.below(2 * m + 3)) - 1;
    g.entry = static_cast<int32_t>(in.below(n + 2)) - 1;
  } else {
    mfrec::HnswItems items;
    items.factors = vectors.data();
    items.n = n;
    items.dim = f;
    mfrec::hnsw_build(items, g, 1 + in.below(8), 1);
    for (std::size_t edits = in.below(4); edits > 0 && !links.empty(); --edits)
      links[in.below(links.size())] = in.i32() % static_cast<int32_t>(n + 3);
  }
  try {
    mfrec::hnsw_check(g);
  } catch (const std::invalid_argument&) {
    return 0;
  }
  std::vector<float> query = in.floats(f, raw_val);
  const int32_t row = 0;
  mfrec::TopKQuery q;
  q.query = query.data();
  q.query_rows = 1;
  q.rows = &row;
  q.n_rows = 1;
  q.target = vectors.data();
  q.targets = n;
  q.factors = f;
  q.k = 1 + in.below(6);
  std::vector<int32_t> out_items(q.k);
  std::vector<float> out_scores(q.k);
  try {
    mfrec::hnsw_search(q, g, 1 + in.below(16), out_items.data(), out_scores.data());
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
