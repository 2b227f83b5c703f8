// SPDX-License-Identifier: Apache-2.0
#include "httpd/shared_memory.hpp"

#include <apr_shm.h>
#include <cerrno>
#include <csignal>
#include <memory>
#include <new>
#include <unistd.h>

namespace authdiag::httpd {

namespace {

// Userdata key on the process pool. No cleanup function: the module's code may be unloaded
// (mod_so) before the process pool goes away; apr_shm registers its own cleanup.
constexpr const char* kSegmentKey = "authdiag-restrictions-shm";
constexpr std::size_t kTalliesBytes = 128;
static_assert(sizeof(RestrictionTallies) <= kTalliesBytes);

// Set in the parent by setup(); every child inherits it through fork.
SharedMemory* shared_memory = nullptr;

bool process_alive(std::uint64_t pid) {
  return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

}  // namespace

std::uint64_t now_ms() noexcept { return static_cast<std::uint64_t>(apr_time_now() / 1000); }

bool SharedMemory::setup(server_rec* s) noexcept {
  apr_pool_t* process_pool = s->process->pool;
  // apr_shm keeps its own header in front of the usable memory, which is then only 8-byte
  // aligned: ask for one cache line more and align the start.
  const std::size_t bytes = kTalliesBytes + core::CounterTable::bytes_for(kSlots);
  const std::size_t requested = bytes + alignof(core::CounterSlot);
  void* found = nullptr;
  apr_pool_userdata_get(&found, kSegmentKey, process_pool);
  auto* segment = static_cast<apr_shm_t*>(found);
  bool fresh = false;
  if (!segment) {
    const apr_status_t status = apr_shm_create(&segment, requested, nullptr, process_pool);
    if (status != APR_SUCCESS) {
      ap_log_error(APLOG_MARK, APLOG_ERR, status, s,
                   "AD0511: cannot create %" APR_SIZE_T_FMT
                   " bytes of shared memory for the IP restrictions; "
                   "limits are not enforced",
                   requested);
      shared_memory = nullptr;
      return false;
    }
    apr_pool_userdata_set(segment, kSegmentKey, nullptr, process_pool);
    fresh = true;
  }
  void* start = apr_shm_baseaddr_get(segment);
  std::size_t space = apr_shm_size_get(segment);
  auto* base = static_cast<std::byte*>(std::align(alignof(core::CounterSlot), bytes, start, space));
  if (!base) {
    ap_log_error(APLOG_MARK, APLOG_ERR, 0, s,
                 "AD0511: the shared memory of the IP restrictions is too small; limits are not "
                 "enforced");
    shared_memory = nullptr;
    return false;
  }
  const std::span<std::byte> table_bytes(base + kTalliesBytes, bytes - kTalliesBytes);
  // The module's globals do not survive a restart (mod_so unloads it), so the view is rebuilt
  // each time, in pconf's lifetime; the memory it looks at is the same.
  static SharedMemory view;
  view = SharedMemory();
  if (fresh) {
    view.tallies_ = new (base) RestrictionTallies{};
    view.tallies_->created_us = apr_time_now();
    std::array<std::uint64_t, 2> hash_key{};
    apr_generate_random_bytes(reinterpret_cast<unsigned char*>(hash_key.data()), sizeof(hash_key));
    view.table_ = core::CounterTable::create(table_bytes, kSlots, hash_key, now_ms());
  } else {
    view.tallies_ = std::launder(reinterpret_cast<RestrictionTallies*>(base));
    view.table_ = core::CounterTable::attach(table_bytes);
  }
  if (!view.table_) {
    ap_log_error(APLOG_MARK, APLOG_ERR, 0, s,
                 "AD0511: the shared memory of the IP restrictions is not usable; limits are "
                 "not enforced");
    shared_memory = nullptr;
    return false;
  }
  view.table_->set_owner(static_cast<std::uint64_t>(::getpid()), process_alive);
  shared_memory = &view;
  return true;
}

void SharedMemory::child_init() noexcept {
  if (shared_memory && shared_memory->table_) {
    shared_memory->table_->set_owner(static_cast<std::uint64_t>(::getpid()), process_alive);
  }
}

SharedMemory* SharedMemory::get() noexcept { return shared_memory; }

std::optional<std::size_t> SharedMemory::tally_index(core::Reason reason) noexcept {
  switch (reason) {
    case core::Reason::ConcurrentLimit:
      return 0;
    case core::Reason::RateLimit:
      return 1;
    case core::Reason::FailedLogonLimit:
      return 2;
    case core::Reason::IpDenied:
      return 3;
    case core::Reason::HostDenied:
      return 4;
    default:
      return std::nullopt;
  }
}

}  // namespace authdiag::httpd
