// Self-registration of native modules: each module file defines one OPDBUS_MODULE(name, init) and
// addon.cc calls every registered init when the addon loads (once per thread/environment).
#pragma once
#include <napi.h>
#include <vector>

namespace opdbus {

using ModuleInit = void (*)(Napi::Env env, Napi::Object exports);

struct ModuleEntry {
  const char* name;
  ModuleInit init;
};

std::vector<ModuleEntry>& ModuleRegistry();

struct ModuleRegistrar {
  ModuleRegistrar(const char* name, ModuleInit init) { ModuleRegistry().push_back({name, init}); }
};

}  // namespace opdbus

#define OPDBUS_MODULE(name, init) static ::opdbus::ModuleRegistrar opdbus_module_##name(#name, init)
