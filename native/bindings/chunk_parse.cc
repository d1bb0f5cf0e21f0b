// Binding for kernels/chunk_parse.h: synchronous, called by a parsing thread
// on its own chunk (lib/addon/chunk-parse.ts gives the argument shape).
#include "kernels/chunk_parse.h"

#include "bindings/common.h"
#include "bindings/modules.h"

namespace mfrec {

namespace {

// The Uint8Array at `key` (a chunk, often over a SharedArrayBuffer).
const uint8_t* Bytes(const Napi::Object& o, const char* key, std::size_t* length) {
  Napi::Value v = o.Get(key);
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array)
    ThrowInvalid(o.Env(), std::string("Expected Uint8Array for ") + key);
  auto a = v.As<Napi::Uint8Array>();
  *length = a.ElementLength();
  return a.Data();
}

// One side's id table: its dense array, the ids met so far and where the
// ids met for the first time go.
ChunkIdTable ReadIdTable(const Args& args, const char* dense, const char* count, const char* new_ids) {
  ChunkIdTable t;
  t.dense = args.I32(dense);
  t.dense_size = args.Length(dense);
  t.count = static_cast<int32_t>(args.IntIn(count, 0, 0x7fffffff));
  t.new_ids = args.I32(new_ids);
  t.new_capacity = args.Length(new_ids);
  return t;
}

// parseChunk({ bytes, length, last, delimiter (a byte), fields, userCol,
// itemCol, valueCol, timeCol (-1: none), maxRecord, userDense, userCount,
// itemDense, itemCount, newUsers, newItems, users, items, values, times?,
// report }) -> the status (ChunkParseStatus); `report` (a Float64Array of 6)
// receives entries, lines, line breaks, new users, new items, need.
Napi::Value Parse(const Napi::CallbackInfo& info) {
  const Args args(info);
  Napi::Env env = args.Env();
  std::size_t byte_length = 0;
  const uint8_t* bytes = Bytes(info[0].As<Napi::Object>(), "bytes", &byte_length);
  const auto length = static_cast<std::size_t>(args.IntIn("length", 0, static_cast<int64_t>(byte_length)));
  const bool last = args.Bool("last");
  ChunkFormat format;
  format.delimiter = static_cast<uint8_t>(args.IntIn("delimiter", 0, 255));
  format.fields = static_cast<int>(args.IntIn("fields", 2, 4096));
  format.user_col = static_cast<int>(args.IntIn("userCol", 0, format.fields - 1));
  format.item_col = static_cast<int>(args.IntIn("itemCol", 0, format.fields - 1));
  format.value_col = static_cast<int>(args.IntIn("valueCol", -1, format.fields - 1));
  format.time_col = static_cast<int>(args.IntIn("timeCol", -1, format.fields - 1));
  format.max_record = static_cast<std::size_t>(args.IntAtLeast("maxRecord", 1));
  ChunkIdTable users = ReadIdTable(args, "userDense", "userCount", "newUsers");
  ChunkIdTable items = ReadIdTable(args, "itemDense", "itemCount", "newItems");
  // Local indices count + k must stay int32.
  if (users.new_capacity > static_cast<std::size_t>(0x7fffffff - users.count) ||
      items.new_capacity > static_cast<std::size_t>(0x7fffffff - items.count))
    ThrowInvalid(env, "userCount/itemCount: too many ids for 32-bit indices");
  ChunkColumns out;
  out.capacity = args.Length("users");
  out.users = args.I32("users");
  out.items = args.I32("items", out.capacity);
  out.values = args.F32("values", out.capacity);
  if (args.Has("times")) out.times = args.F64("times", out.capacity);
  double* report = args.F64("report", 6);
  // The dense tables' entries become local indices: one already out of
  // [-1, count) would be a corrupt table, never written here.
  const ChunkParseResult r = parse_chunk(bytes, length, last, format, users, items, out);
  report[0] = static_cast<double>(r.entries);
  report[1] = static_cast<double>(r.lines);
  report[2] = static_cast<double>(r.line_breaks);
  report[3] = static_cast<double>(users.n_new);
  report[4] = static_cast<double>(items.n_new);
  report[5] = static_cast<double>(r.need);
  return Napi::Number::New(env, static_cast<double>(r.status));
}

// gatherIndices({ local, n, table, out }) -> whether out[0, n) = table[local[k]]
// was written (false: a local index out of range or unassigned, nothing written).
Napi::Value Gather(const Napi::CallbackInfo& info) {
  const Args args(info);
  const auto n = static_cast<std::size_t>(args.IntAtLeast("n", 0));
  if (n > args.Length("local") || n > args.Length("out")) ThrowInvalid(args.Env(), "n: beyond local or out");
  const int32_t* local = args.I32("local");
  const int32_t* table = args.I32("table");
  const bool ok = gather_indices(local, n, table, args.Length("table"), args.I32("out"));
  return Napi::Boolean::New(args.Env(), ok);
}

}  // namespace

void RegisterChunkParse(Napi::Env env, Napi::Object exports) {
  exports.Set("parseChunk", Napi::Function::New(env, Parse, "parseChunk"));
  exports.Set("gatherIndices", Napi::Function::New(env, Gather, "gatherIndices"));
}

}  // namespace mfrec
