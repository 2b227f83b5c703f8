// SPDX-License-Identifier: Apache-2.0
// The fleet-wide counter stores (AuthDiagSharedStore redis://... or memcache://...): a factory
// the restrictions call once per child process. The shared-memory store is in shm_store.hpp.
#pragma once

#include "core/shared_store_spec.hpp"
#include "httpd/counter_store.hpp"

#include <memory>

#include "httpd/httpd_api.hpp"

namespace authdiag::httpd {

// Creates the Redis (spec.kind == Redis) or memcached (spec.kind == Memcache) store for one
// child process. Called from child_init, after fork, so connections are never shared between
// processes; `child_pool` is the child's pool (lives until the child exits) and `s` the main
// server, for the store's own log lines (at most one per minute while the store is down).
// The store is used by every thread of the child at once and must be thread-safe. It never
// returns nullptr: a store that cannot connect yet still answers (std::nullopt, fail open) and
// reconnects later. No call may block longer than spec.timeout.
std::unique_ptr<CounterStore> make_network_store(const core::SharedStoreSpec& spec,
                                                 apr_pool_t* child_pool, server_rec* s);

}  // namespace authdiag::httpd
