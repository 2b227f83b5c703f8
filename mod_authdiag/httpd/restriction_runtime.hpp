// SPDX-License-Identifier: Apache-2.0
// What the restrictions of one process work with: the counter store in this server's shared
// memory, the fleet store of AuthDiagSharedStore (a connection per child), and a cache of
// double-reverse-checked host names. Built in post_config for each configuration generation;
// the network store is made in child_init, after fork.
#pragma once

#include "core/restriction_status.hpp"
#include "core/shared_store_spec.hpp"
#include "httpd/counter_store.hpp"
#include "httpd/shm_store.hpp"

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "httpd/httpd_api.hpp"

namespace authdiag::httpd {

// Host names of client addresses, per process, for AuthDiagDenyHost: a DNS answer is reused for
// kTtl (also "no name"), so a client costs at most one pair of lookups per child and TTL.
class HostNameCache {
 public:
  static constexpr apr_time_t kTtl = apr_time_from_sec(300);
  static constexpr std::size_t kMaxEntries = 10000;

  // The client's double-reverse-checked host name, lowercase, or "" when it has none.
  std::string lookup(request_rec* r);

 private:
  struct Entry {
    std::string host;
    apr_time_t expires;
  };
  std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
};

class RestrictionRuntime {
 public:
  // post_config (real pass): shared memory, the local store and the chosen store's settings.
  static void setup(apr_pool_t* pconf, server_rec* s, const core::SharedStoreSpec& spec);
  // child_init: connects this child's Redis or memcached store.
  static void child_init(apr_pool_t* pchild, server_rec* s);
  // This process's runtime; nullptr when the shared memory is unusable (restrictions off).
  static RestrictionRuntime* get() noexcept;

  // Where rate, failed-logon and lockout counters live (AuthDiagSharedStore). In-flight counts
  // always stay in `local`: they mean nothing beyond one server.
  CounterStore& shared() noexcept { return network ? *network : *local; }

  core::SharedStoreSpec spec;
  std::unique_ptr<ShmStore> local;
  std::unique_ptr<CounterStore> network;
  HostNameCache hosts;
};

// The status page's content, gathered from the shared memory, the store and the deny lists.
core::RestrictionStatus collect_restriction_status();

// handler for `SetHandler authdiag-status`.
int status_handler(request_rec* r) noexcept;

}  // namespace authdiag::httpd
