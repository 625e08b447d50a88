// Nearest-neighbour scoring for search: the dot product of one query vector with every row of the
// index matrix (float32; four independent 4-lane accumulators keep it memory-bound), with every row of
// its int16 copy (half the memory to stream, for a first pass whose error the caller bounds; AVX2
// when the CPU has it), and with a chosen few rows. Synchronous: a few milliseconds.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <vector>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "core/errors.h"
#include "core/module.h"

namespace opdbus {
namespace {

typedef float v4sf __attribute__((vector_size(16)));

typedef int16_t v4hi __attribute__((vector_size(8)));
typedef int32_t v4si __attribute__((vector_size(16)));

inline v4sf Load(const float* p) {
  v4sf v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

inline v4sf Load(const int16_t* p) {
  v4hi h;
  std::memcpy(&h, p, sizeof h);
  return __builtin_convertvector(__builtin_convertvector(h, v4si), v4sf);
}

// Row (float32, or int16 without AVX2) . query.
template <typename T>
float Dot(const T* row, const float* q, size_t dim) {
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

#if defined(__x86_64__)
// Eight int16 -> float conversions per instruction: about twice as fast as the float32 pass.
__attribute__((target("avx2,fma"))) float DotI16Avx2(const int16_t* row, const float* q, size_t dim) {
  __m256 a0 = _mm256_setzero_ps(), a1 = a0;
  size_t c = 0;
  for (; c + 16 <= dim; c += 16) {
    __m256 x0 = _mm256_cvtepi32_ps(_mm256_cvtepi16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(row + c))));
    __m256 x1 = _mm256_cvtepi32_ps(_mm256_cvtepi16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(row + c + 8))));
    a0 = _mm256_fmadd_ps(x0, _mm256_loadu_ps(q + c), a0);
    a1 = _mm256_fmadd_ps(x1, _mm256_loadu_ps(q + c + 8), a1);
  }
  float t[8];
  _mm256_storeu_ps(t, _mm256_add_ps(a0, a1));
  float sum = ((t[0] + t[1]) + (t[2] + t[3])) + ((t[4] + t[5]) + (t[6] + t[7]));
  for (; c < dim; c++) sum += row[c] * q[c];
  return sum;
}
#endif

// knnI16(rows: Int16Array, scales: Float32Array, matrix: Float32Array, dim, query: Float32Array, k,
// bound, mask: Uint8Array | null, out: Float32Array): number. First pass: out[r] = scales[r] * (int16
// row r . query), an estimate within `bound` of the float32 dot product. At least k accepted rows
// have an estimate >= the k-th largest one (kth), so the exact k-th best is >= kth - bound, and a row
// estimated below kth - 2 * bound cannot reach it: every other accepted row gets its float32 dot
// product. Returns how many did.
Napi::Value KnnI16(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* usage = "knnI16(rows: Int16Array, scales: Float32Array, matrix: Float32Array, dim: number, query: Float32Array, k: number, bound: number, mask: Uint8Array | null, out: Float32Array)";
  if (info.Length() < 9 || !info[0].IsTypedArray() || !info[1].IsTypedArray() || !info[2].IsTypedArray() || !info[3].IsNumber() || !info[4].IsTypedArray() || !info[5].IsNumber() || !info[6].IsNumber() || !(info[7].IsNull() || info[7].IsTypedArray()) || !info[8].IsTypedArray()) ThrowArgError(env, usage);
  auto rows = info[0].As<Napi::TypedArray>();
  auto scales = info[1].As<Napi::TypedArray>();
  auto matrix = info[2].As<Napi::TypedArray>();
  auto query = info[4].As<Napi::TypedArray>();
  auto out = info[8].As<Napi::TypedArray>();
  if (rows.TypedArrayType() != napi_int16_array || scales.TypedArrayType() != napi_float32_array || matrix.TypedArrayType() != napi_float32_array || query.TypedArrayType() != napi_float32_array || out.TypedArrayType() != napi_float32_array) ThrowArgError(env, usage);
  int64_t dim = info[3].As<Napi::Number>().Int64Value();
  int64_t k = info[5].As<Napi::Number>().Int64Value();
  float bound = info[6].As<Napi::Number>().FloatValue();
  size_t count = out.ElementLength();
  size_t d = static_cast<size_t>(dim);
  if (dim <= 0 || k <= 0 || query.ElementLength() != d || rows.ElementLength() < count * d || matrix.ElementLength() < count * d || scales.ElementLength() < count) {
    ThrowArgError(env, "knnI16: query must have dim floats, rows and matrix at least out.length x dim, scales out.length, k > 0");
  }
  const uint8_t* mask = nullptr;
  if (info[7].IsTypedArray()) {
    auto m = info[7].As<Napi::TypedArray>();
    if (m.TypedArrayType() != napi_uint8_array || m.ElementLength() < count) ThrowArgError(env, "knnI16: mask must be a Uint8Array of out.length");
    mask = m.As<Napi::Uint8Array>().Data();
  }
  const int16_t* r16 = rows.As<Napi::Int16Array>().Data();
  const float* sc = scales.As<Napi::Float32Array>().Data();
  const float* m = matrix.As<Napi::Float32Array>().Data();
  const float* q = query.As<Napi::Float32Array>().Data();
  float* o = out.As<Napi::Float32Array>().Data();
  bool avx2 = false;
#if defined(__x86_64__)
  avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  if (avx2) for (size_t r = 0; r < count; r++) o[r] = sc[r] * DotI16Avx2(r16 + r * d, q, d);
#endif
  if (!avx2) for (size_t r = 0; r < count; r++) o[r] = sc[r] * Dot(r16 + r * d, q, d);
  std::vector<float> accepted;
  accepted.reserve(count);
  for (size_t r = 0; r < count; r++) if (!mask || mask[r]) accepted.push_back(o[r]);
  float keep = -INFINITY;
  if (accepted.size() > static_cast<size_t>(k)) {
    std::nth_element(accepted.begin(), accepted.begin() + (k - 1), accepted.end(), std::greater<float>());
    keep = accepted[k - 1] - 2 * bound;
  }
  size_t exact = 0;
  for (size_t r = 0; r < count; r++) {
    if (o[r] >= keep && (!mask || mask[r])) {
      o[r] = Dot(m + r * d, q, d);
      exact++;
    }
  }
  return Napi::Number::New(env, static_cast<double>(exact));
}

// The arguments dotRows and dotRowsAt share: a row-major float32 matrix, its row width, a query of that
// width, and an out array of one float per row (the matrix must hold at least out.length rows).
struct RowsArgs {
  const float* matrix;
  const float* query;
  float* out;
  size_t dim;
  size_t rows;
};

RowsArgs CheckRowsArgs(const Napi::CallbackInfo& info, size_t outIndex, const char* name, const char* usage) {
  Napi::Env env = info.Env();
  if (info.Length() <= outIndex || !info[0].IsTypedArray() || !info[1].IsNumber() || !info[2].IsTypedArray() || !info[outIndex].IsTypedArray()) ThrowArgError(env, usage);
  auto matrix = info[0].As<Napi::TypedArray>();
  auto query = info[2].As<Napi::TypedArray>();
  auto out = info[outIndex].As<Napi::TypedArray>();
  if (matrix.TypedArrayType() != napi_float32_array || query.TypedArrayType() != napi_float32_array || out.TypedArrayType() != napi_float32_array) ThrowArgError(env, usage);
  int64_t dim = info[1].As<Napi::Number>().Int64Value();
  size_t rows = out.ElementLength();
  if (dim <= 0 || query.ElementLength() != static_cast<size_t>(dim) || matrix.ElementLength() < rows * static_cast<size_t>(dim)) {
    ThrowArgError(env, std::string(name) + ": query must have dim floats and matrix at least out.length x dim");
  }
  return RowsArgs{matrix.As<Napi::Float32Array>().Data(), query.As<Napi::Float32Array>().Data(), out.As<Napi::Float32Array>().Data(), static_cast<size_t>(dim), rows};
}

// dotRowsAt(matrix: Float32Array, dim, query: Float32Array, rows: Int32Array, out: Float32Array):
// out[rows[i]] = row rows[i] . query (the same float32 sums as dotRows), for a chosen few rows.
Napi::Value DotRowsAt(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* usage = "dotRowsAt(matrix: Float32Array, dim: number, query: Float32Array, rows: Int32Array, out: Float32Array)";
  RowsArgs a = CheckRowsArgs(info, 4, "dotRowsAt", usage);
  if (!info[3].IsTypedArray() || info[3].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array) ThrowArgError(env, usage);
  auto rows = info[3].As<Napi::Int32Array>();
  const int32_t* idx = rows.Data();
  for (size_t i = 0; i < rows.ElementLength(); i++) {
    if (idx[i] < 0 || static_cast<size_t>(idx[i]) >= a.rows) ThrowArgError(env, "dotRowsAt: row out of range");
  }
  for (size_t i = 0; i < rows.ElementLength(); i++) a.out[idx[i]] = Dot(a.matrix + static_cast<size_t>(idx[i]) * a.dim, a.query, a.dim);
  return env.Undefined();
}

// dotRows(matrix: Float32Array, dim: number, query: Float32Array, out: Float32Array): out[r] = row r . query.
Napi::Value DotRows(const Napi::CallbackInfo& info) {
  RowsArgs a = CheckRowsArgs(info, 3, "dotRows", "dotRows(matrix: Float32Array, dim: number, query: Float32Array, out: Float32Array)");
  for (size_t r = 0; r < a.rows; r++) a.out[r] = Dot(a.matrix + r * a.dim, a.query, a.dim);
  return info.Env().Undefined();
}

void InitSearch(Napi::Env env, Napi::Object exports) {
  exports.Set("dotRows", Napi::Function::New(env, DotRows, "dotRows"));
  exports.Set("knnI16", Napi::Function::New(env, KnnI16, "knnI16"));
  exports.Set("dotRowsAt", Napi::Function::New(env, DotRowsAt, "dotRowsAt"));
}

}  // namespace
}  // namespace opdbus

OPDBUS_MODULE(search, opdbus::InitSearch);
