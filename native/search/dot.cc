// Exact nearest-neighbour scoring for search: the dot product of one query vector with every row of
// the index matrix. 100,000 x 256 floats is one pass over 100 MB; four independent 4-lane
// accumulators keep it memory-bound rather than latency-bound. Synchronous: a few milliseconds.
#include <cstring>

#include "core/errors.h"
#include "core/module.h"

namespace opdbus {
namespace {

typedef float v4sf __attribute__((vector_size(16)));

inline v4sf Load(const float* p) {
  v4sf v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

float Dot(const float* row, const float* q, size_t dim) {
  v4sf a0 = {0, 0, 0, 0}, a1 = a0, a2 = a0, a3 = a0;
  size_t c = 0;
  for (; c + 16 <= dim; c += 16) {
    a0 += Load(row + c) * Load(q + c);
    a1 += Load(row + c + 4) * Load(q + c + 4);
    a2 += Load(row + c + 8) * Load(q + c + 8);
    a3 += Load(row + c + 12) * Load(q + c + 12);
  }
  v4sf s = (a0 + a1) + (a2 + a3);
  float sum = (s[0] + s[1]) + (s[2] + s[3]);
  for (; c < dim; c++) sum += row[c] * q[c];
  return sum;
}

// dotRows(matrix: Float32Array, dim: number, query: Float32Array, out: Float32Array): out[r] = row r . query.
Napi::Value DotRows(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* usage = "dotRows(matrix: Float32Array, dim: number, query: Float32Array, out: Float32Array)";
  if (info.Length() < 4 || !info[0].IsTypedArray() || !info[1].IsNumber() || !info[2].IsTypedArray() || !info[3].IsTypedArray()) ThrowArgError(env, usage);
  auto matrix = info[0].As<Napi::TypedArray>();
  auto query = info[2].As<Napi::TypedArray>();
  auto out = info[3].As<Napi::TypedArray>();
  if (matrix.TypedArrayType() != napi_float32_array || query.TypedArrayType() != napi_float32_array || out.TypedArrayType() != napi_float32_array) ThrowArgError(env, usage);
  int64_t dim = info[1].As<Napi::Number>().Int64Value();
  size_t rows = out.ElementLength();
  if (dim <= 0 || query.ElementLength() != static_cast<size_t>(dim) || matrix.ElementLength() < rows * static_cast<size_t>(dim)) {
    ThrowArgError(env, "dotRows: query must have dim floats and matrix at least out.length x dim");
  }
  const float* m = matrix.As<Napi::Float32Array>().Data();
  const float* q = query.As<Napi::Float32Array>().Data();
  float* o = out.As<Napi::Float32Array>().Data();
  for (size_t r = 0; r < rows; r++) o[r] = Dot(m + r * dim, q, static_cast<size_t>(dim));
  return env.Undefined();
}

void InitSearch(Napi::Env env, Napi::Object exports) {
  exports.Set("dotRows", Napi::Function::New(env, DotRows, "dotRows"));
}

}  // namespace
}  // namespace opdbus

OPDBUS_MODULE(search, opdbus::InitSearch);
