// SPDX-License-Identifier: Apache-2.0
// make_network_store: the Redis or memcached counter store of one child process, whose outage
// lines go to the error log as AD0504 (error while the store is down, notice when it is back).
#include "httpd/network_store.hpp"

#include "httpd/memcache_store.hpp"
#include "httpd/redis_store.hpp"

#include <stdexcept>

namespace authdiag::httpd {

std::unique_ptr<CounterStore> make_network_store(const core::SharedStoreSpec& spec,
                                                 apr_pool_t* /*child_pool*/, server_rec* s) {
  if (spec.kind == core::StoreKind::Shm) {
    throw std::invalid_argument(
        "make_network_store: AuthDiagSharedStore shm is not a network store");
  }
  const StoreEndpoint endpoint{spec.kind == core::StoreKind::Redis ? "redis" : "memcache",
                               spec.host, spec.port, spec.timeout};
  StoreEventSink sink = [s](StoreEventKind kind, const std::string& message) {
    // Notice is written whatever the LogLevel, so the end of a logged outage is never missing.
    const int level = kind == StoreEventKind::Recovered ? APLOG_NOTICE : APLOG_ERR;
    ap_log_error(APLOG_MARK, level, 0, s, "AD0504: %s", message.c_str());
  };
  if (spec.kind == core::StoreKind::Redis) {
    return std::make_unique<RedisStore>(endpoint, std::move(sink));
  }
  return std::make_unique<MemcacheStore>(endpoint, std::move(sink));
}

}  // namespace authdiag::httpd
