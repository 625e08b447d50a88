// The addon entry point: runs every self-registered module's init. Context-aware (NAPI_MODULE_INIT
// via NODE_API_MODULE), so each worker thread gets its own exports and no shared JS state.
#include <napi.h>

#include "core/module.h"

namespace opdbus {

std::vector<ModuleEntry>& ModuleRegistry() {
  static std::vector<ModuleEntry> modules;
  return modules;
}

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  Napi::Array names = Napi::Array::New(env);
  uint32_t i = 0;
  for (const ModuleEntry& m : ModuleRegistry()) {
    m.init(env, exports);
    names.Set(i++, m.name);
  }
  exports.Set("modules", names);
  exports.Set("abiVersion", Napi::Number::New(env, 1));
  return exports;
}

}  // namespace opdbus

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) { return opdbus::Init(env, exports); }

NODE_API_MODULE(opdbus, InitAddon)
