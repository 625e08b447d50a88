// Runs one batch computation either at once on the JS thread or in an AsyncWorker, by its size.
// Below kAsyncThresholdBytes (64 KiB of input, about 40 us of SHA-256 with SHA-NI and 250 us
// without) queueing to the thread pool and waking the loop again costs as much as the hashing
// itself, so small batches return a Buffer directly; larger ones return a Promise<Buffer> and never
// block the event loop. The JS inputs are pinned by references until the worker is done; callers
// must not mutate them meanwhile (the TypeScript wrapper owns the buffers it passes).
#pragma once
#include <napi.h>

#include <functional>
#include <string>
#include <vector>

#include "hash/merkle_tree.h"

namespace opdbus {
namespace hash {

constexpr size_t kAsyncThresholdBytes = 64 * 1024;

using Compute = std::function<Bytes()>;

// Wraps the result vector in a Buffer without copying it (the Buffer frees it).
Napi::Buffer<uint8_t> ToBuffer(Napi::Env env, Bytes&& bytes);

// `workBytes` estimates how many bytes the computation hashes; `pinned` are the JS values whose
// memory `compute` reads.
Napi::Value RunBatch(Napi::Env env, const char* name, size_t workBytes, const std::vector<Napi::Value>& pinned,
                     Compute compute);

// Argument readers (second line of defence: src/ledger/merkle.ts validates first).
struct ByteView {
  const uint8_t* data;
  size_t length;
};
ByteView BytesArg(const Napi::CallbackInfo& info, size_t i, const char* what);
uint64_t U64Arg(const Napi::CallbackInfo& info, size_t i, const char* what);

}  // namespace hash
}  // namespace opdbus
