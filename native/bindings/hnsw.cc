// Bindings for kernels/hnsw.h: level draws and layout (synchronous, linear
// and fast), the build (a Promise, or synchronous for small tests), the
// check of a graph read from a file, and the search (synchronous for one
// user, a Promise for batches). See lib/addon/hnsw.ts for the shapes.
#include "kernels/hnsw.h"

#include "bindings/common.h"
#include "bindings/modules.h"
#include "bindings/topk_query.h"

namespace mfrec {

namespace {

// The graph fields every call but the level draw shares: m, levels, upper, links, entry.
HnswGraph ReadGraph(const Args& o) {
  HnswGraph g;
  g.m = static_cast<std::size_t>(o.IntIn("m", 2, 256));
  g.levels = o.I32("levels");
  g.n = o.Length("levels");
  g.upper = o.I32("upper", g.n);
  g.links = o.I32("links");
  g.n_links = o.Length("links");
  g.entry = static_cast<int32_t>(o.IntIn("entry", -1, INT32_MAX));
  return g;
}

// The upper-level offsets are ours (hnswLayoutSync), but the links array
// comes from the caller: it must hold exactly the layout's length.
void CheckLinksLength(Napi::Env env, const HnswGraph& g) {
  if (g.n == 0) {
    if (g.n_links != 0) ThrowInvalid(env, "links must be empty for an empty graph");
    return;
  }
  const std::size_t last =
      static_cast<std::size_t>(g.upper[g.n - 1]) + static_cast<std::size_t>(g.levels[g.n - 1]) * (1 + g.m);
  if (g.levels[g.n - 1] < 0 || g.levels[g.n - 1] > kHnswMaxLevel || last != g.n_links)
    ThrowInvalid(env, "links length does not match the layout of levels");
}

// hnswLevelsSync({ m, seed, levels }) -> undefined (fills levels)
Napi::Value Levels(const Napi::CallbackInfo& info) {
  const Args o(info);
  const std::size_t m = static_cast<std::size_t>(o.IntIn("m", 2, 256));
  const uint32_t seed = static_cast<uint32_t>(o.IntIn("seed", 0, UINT32_MAX));
  int32_t* levels = o.I32("levels");
  const std::size_t n = o.Length("levels");
  RunSync(o.Env(), [&] { hnsw_draw_levels(n, m, seed, levels); });
  return o.Env().Undefined();
}

// hnswLayoutSync({ m, levels, upper }) -> length of links
Napi::Value Layout(const Napi::CallbackInfo& info) {
  const Args o(info);
  const std::size_t m = static_cast<std::size_t>(o.IntIn("m", 2, 256));
  const int32_t* levels = o.I32("levels");
  const std::size_t n = o.Length("levels");
  int32_t* upper = o.I32("upper", n);
  std::size_t total = 0;
  RunSync(o.Env(), [&] { total = hnsw_layout(n, m, levels, upper); });
  return Napi::Number::New(o.Env(), static_cast<double>(total));
}

struct BuildCall {
  HnswItems items;
  HnswGraph graph;
  std::size_t ef_construction = 0;
  int threads = 1;
  CancelFlag cancel;
};

BuildCall ReadBuild(const Args& o) {
  Napi::Env env = o.Env();
  BuildCall c;
  c.graph = ReadGraph(o);
  CheckLinksLength(env, c.graph);
  c.items.dim = static_cast<std::size_t>(o.IntIn("factors", 1, kMaxFactors));
  c.items.n = c.graph.n;
  c.items.factors = o.F32("target", Count(env, c.graph.n, c.items.dim, "target"));
  c.items.bias = o.Has("colBias") ? o.F32("colBias", c.graph.n) : nullptr;
  c.items.scale = o.Has("colScale") ? o.F32("colScale", c.graph.n) : nullptr;
  c.ef_construction = static_cast<std::size_t>(o.IntIn("efConstruction", 1, 1 << 20));
  c.threads = static_cast<int>(o.Int("threads"));
  return c;
}

// hnswBuildSync({ target, factors, colBias?, colScale?, m, levels, upper, links, efConstruction, threads }) -> entry
Napi::Value BuildSync(const Napi::CallbackInfo& info) {
  const Args o(info);
  BuildCall c = ReadBuild(o);
  RunSync(o.Env(), [&] { hnsw_build(c.items, c.graph, c.ef_construction, c.threads); });
  return Napi::Number::New(o.Env(), c.graph.entry);
}

// hnswBuild({ ..., cancel? }) -> Promise<entry>
Napi::Value BuildAsync(const Napi::CallbackInfo& info) {
  const Args o(info);
  auto c = std::make_shared<BuildCall>(ReadBuild(o));
  c->cancel = o.Cancel();
  return PromiseWorker::Start(
      o, [c] { hnsw_build(c->items, c->graph, c->ef_construction, c->threads, c->cancel); },
      [c](Napi::Env env) -> Napi::Value { return Napi::Number::New(env, c->graph.entry); });
}

// hnswCheckSync({ m, levels, upper, links, entry }) -> undefined, or INVALID_ARGUMENT naming the fault
Napi::Value Check(const Napi::CallbackInfo& info) {
  const Args o(info);
  const HnswGraph g = ReadGraph(o);
  CheckLinksLength(o.Env(), g);
  RunSync(o.Env(), [&] { hnsw_check(g); });
  return o.Env().Undefined();
}

struct SearchCall {
  TopKQuery query;
  HnswGraph graph;
  std::size_t ef = 0;
  int32_t* items = nullptr;
  float* scores = nullptr;
  CancelFlag cancel;
};

// The top-K request (ReadTopKQuery, as the exact binding reads it) plus the graph and ef.
SearchCall ReadSearch(const Args& o) {
  Napi::Env env = o.Env();
  SearchCall c;
  c.query = ReadTopKQuery(o);
  TopKQuery& q = c.query;
  c.graph = ReadGraph(o);
  CheckLinksLength(env, c.graph);
  c.ef = static_cast<std::size_t>(o.IntIn("ef", 1, 1 << 20));
  const std::size_t out_length = Count(env, q.n_rows, q.k, "items");
  c.items = o.I32("items", out_length);
  c.scores = o.F32("scores", out_length);
  return c;
}

Napi::Value SearchSync(const Napi::CallbackInfo& info) {
  const Args o(info);
  const SearchCall c = ReadSearch(o);
  RunSync(o.Env(), [&] { hnsw_search(c.query, c.graph, c.ef, c.items, c.scores); });
  return o.Env().Undefined();
}

Napi::Value SearchAsync(const Napi::CallbackInfo& info) {
  const Args o(info);
  SearchCall c = ReadSearch(o);
  c.cancel = o.Cancel();
  return PromiseWorker::Start(o, [c] { hnsw_search(c.query, c.graph, c.ef, c.items, c.scores, c.cancel); });
}

}  // namespace

void RegisterHnsw(Napi::Env env, Napi::Object exports) {
  exports.Set("hnswLevelsSync", Napi::Function::New(env, Levels, "hnswLevelsSync"));
  exports.Set("hnswLayoutSync", Napi::Function::New(env, Layout, "hnswLayoutSync"));
  exports.Set("hnswBuildSync", Napi::Function::New(env, BuildSync, "hnswBuildSync"));
  exports.Set("hnswBuild", Napi::Function::New(env, BuildAsync, "hnswBuild"));
  exports.Set("hnswCheckSync", Napi::Function::New(env, Check, "hnswCheckSync"));
  exports.Set("hnswSearchSync", Napi::Function::New(env, SearchSync, "hnswSearchSync"));
  exports.Set("hnswSearch", Napi::Function::New(env, SearchAsync, "hnswSearch"));
}

}  // namespace mfrec
