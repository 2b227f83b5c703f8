// SPDX-License-Identifier: Apache-2.0
// `SetHandler authdiag-status`: the state of the IP restrictions as JSON, for admins, panels and
// the CLI (counters, addresses currently blocked, deny lists, store health).
#include "core/restriction_status.hpp"
#include "httpd/deny_files.hpp"
#include "httpd/guard.hpp"
#include "httpd/restriction_runtime.hpp"
#include "httpd/shared_memory.hpp"

#include <cstring>

namespace authdiag::httpd {

namespace {

constexpr const char* kHandlerName = "authdiag-status";
constexpr std::size_t kMaxListedCounters = 1000;

std::string_view store_type(core::StoreKind kind) {
  switch (kind) {
    case core::StoreKind::Shm:
      return "shm";
    case core::StoreKind::Redis:
      return "redis";
    case core::StoreKind::Memcache:
      return "memcache";
  }
  return "shm";
}

}  // namespace

core::RestrictionStatus collect_restriction_status() {
  core::RestrictionStatus status;
  status.time_us = apr_time_now();
  const std::uint64_t now = now_ms();
  if (RestrictionRuntime* runtime = RestrictionRuntime::get()) {
    const StoreHealth health = runtime->shared().health();
    status.store = {std::string(store_type(runtime->spec.kind)), health.description,
                    health.reachable, health.failures};
  }
  if (SharedMemory* shared = SharedMemory::get()) {
    auto& table = shared->table();
    const auto& tallies = shared->tallies();
    status.counting_since_us = tallies.created_us;
    status.shared_memory.slots = table.slot_count();
    status.shared_memory.full_events = table.full_events();
    for (const core::Reason reason :
         {core::Reason::ConcurrentLimit, core::Reason::RateLimit, core::Reason::FailedLogonLimit,
          core::Reason::IpDenied, core::Reason::HostDenied}) {
      const std::size_t index = *SharedMemory::tally_index(reason);
      status.denials.push_back(
          {reason, tallies.denied.at(index).load(), tallies.logged_only.at(index).load()});
    }
    for (std::size_t i = 0; i < table.slot_count(); ++i) {
      const auto entry = table.entry_at(i, now);
      if (!entry) continue;
      ++status.shared_memory.in_use;
      const std::uint64_t left = entry->expires_ms > now ? entry->expires_ms - now : 0;
      if (entry->key.kind == core::CounterKind::Blocked) {
        const auto reason = static_cast<core::Reason>(entry->value - 1);
        if (SharedMemory::tally_index(reason)) {
          status.blocked.push_back({entry->key.address, reason, left});
        }
      } else if (status.counters.size() < kMaxListedCounters) {
        status.counters.push_back({entry->key, entry->value, left});
      } else {
        ++status.counters_omitted;
      }
    }
  }
  for (const DenyFile* file : all_deny_files()) status.deny_lists.push_back(file->status);
  return status;
}

int status_handler(request_rec* r) noexcept {
  if (!r->handler || std::strcmp(r->handler, kHandlerName) != 0) return DECLINED;
  return guarded(r, nullptr, kHandlerName, static_cast<int>(HTTP_INTERNAL_SERVER_ERROR), [&] {
    r->allowed |= AP_METHOD_BIT << M_GET;
    if (r->method_number != M_GET) return static_cast<int>(HTTP_METHOD_NOT_ALLOWED);
    const std::string json = core::render_status_json(collect_restriction_status());
    ap_set_content_type(r, "application/json");
    apr_table_setn(r->headers_out, "Cache-Control", "no-store");
    if (!r->header_only) ap_rwrite(json.data(), static_cast<int>(json.size()), r);
    return static_cast<int>(OK);
  });
}

}  // namespace authdiag::httpd
