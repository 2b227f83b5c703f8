// SPDX-License-Identifier: Apache-2.0
#include "httpd/restriction_runtime.hpp"

#include "httpd/network_store.hpp"
#include "httpd/pool.hpp"
#include "httpd/shared_memory.hpp"

namespace authdiag::httpd {

namespace {

// This generation's runtime, in pconf; children inherit it through fork.
RestrictionRuntime* runtime = nullptr;

}  // namespace

std::string HostNameCache::lookup(request_rec* r) {
  const std::string address = r->useragent_ip ? r->useragent_ip : "";
  const apr_time_t now = apr_time_now();
  {
    const std::lock_guard lock(mutex_);
    const auto found = entries_.find(address);
    if (found != entries_.end() && found->second.expires > now) return found->second.host;
  }
  // Outside the lock: a DNS lookup may take a while and other threads must not wait for it.
  const char* host = ap_get_useragent_host(r, REMOTE_DOUBLE_REV, nullptr);
  std::string name = host ? host : "";
  const std::lock_guard lock(mutex_);
  if (entries_.size() >= kMaxEntries) entries_.clear();
  entries_[address] = Entry{name, now + kTtl};
  return name;
}

void RestrictionRuntime::setup(apr_pool_t* pconf, server_rec* s,
                               const core::SharedStoreSpec& spec) {
  runtime = nullptr;
  if (!SharedMemory::setup(s)) return;
  auto* made = pool_make<RestrictionRuntime>(pconf);
  apr_pool_cleanup_register(
      pconf, made,
      [](void* data) noexcept -> apr_status_t {
        if (runtime == data) runtime = nullptr;
        return APR_SUCCESS;
      },
      apr_pool_cleanup_null);
  made->spec = spec;
  made->local = std::make_unique<ShmStore>(SharedMemory::get()->table());
  runtime = made;
}

void RestrictionRuntime::child_init(apr_pool_t* pchild, server_rec* s) {
  if (!runtime || runtime->spec.kind == core::StoreKind::Shm) return;
  runtime->network = make_network_store(runtime->spec, pchild, s);
  // Closed with the child, before the configuration's memory would take it down.
  apr_pool_cleanup_register(
      pchild, runtime,
      [](void* data) noexcept -> apr_status_t {
        static_cast<RestrictionRuntime*>(data)->network.reset();
        return APR_SUCCESS;
      },
      apr_pool_cleanup_null);
}

RestrictionRuntime* RestrictionRuntime::get() noexcept { return runtime; }

}  // namespace authdiag::httpd
