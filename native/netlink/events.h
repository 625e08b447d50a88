// Multicast subscriptions (link, address, route, neighbour groups) delivered to JS without blocking
// the event loop: a reader thread per subscription hands batches of events to a ThreadSafeFunction.
#pragma once
#include <napi.h>

namespace opdbus {
namespace nl {

void InitEvents(Napi::Env env, Napi::Object exports);

}  // namespace nl
}  // namespace opdbus
