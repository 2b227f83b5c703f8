// SPDX-License-Identifier: Apache-2.0
#include "httpd/restrictions.hpp"

#include "core/deny_list.hpp"
#include "core/host_pattern.hpp"
#include "core/rate_limit.hpp"
#include "core/restriction_status.hpp"
#include "httpd/config.hpp"
#include "httpd/denial.hpp"
#include "httpd/deny_files.hpp"
#include "httpd/guard.hpp"
#include "httpd/network_store.hpp"
#include "httpd/pool.hpp"
#include "httpd/request_state.hpp"
#include "httpd/restriction_runtime.hpp"
#include "httpd/shared_memory.hpp"
#include "httpd/shm_store.hpp"

#include <chrono>
#include <cinttypes>
#include <cstring>

namespace authdiag::httpd {

namespace {

using std::chrono::milliseconds;

// A deny list does not end by itself; Retry-After still needs a value.
constexpr milliseconds kListRetryAfter = std::chrono::hours(1);
constexpr milliseconds kConcurrencyRetryAfter{1000};

std::optional<std::int64_t> store_add(CounterStore& store, const core::CounterKey& key,
                                      std::int64_t delta, milliseconds ttl) {
  if (auto* shm = dynamic_cast<ShmStore*>(&store)) return shm->add(key, delta, ttl);
  return store.add(core::store_key(key), delta, ttl);
}

std::optional<std::int64_t> store_get(CounterStore& store, const core::CounterKey& key) {
  if (auto* shm = dynamic_cast<ShmStore*>(&store)) return shm->get(key);
  return store.get(core::store_key(key));
}

bool store_put(CounterStore& store, const core::CounterKey& key, std::int64_t value,
               milliseconds ttl) {
  if (auto* shm = dynamic_cast<ShmStore*>(&store)) return shm->put(key, value, ttl);
  return store.put(core::store_key(key), value, ttl);
}

std::optional<milliseconds> store_time_left(CounterStore& store, const core::CounterKey& key) {
  if (auto* shm = dynamic_cast<ShmStore*>(&store)) return shm->time_left(key);
  return store.time_left(core::store_key(key));
}

std::optional<core::IpAddress> client_address(const request_rec* r) {
  if (!r->useragent_ip) return std::nullopt;
  return core::parse_ip_address(r->useragent_ip);
}

bool allowed(const request_rec* r, const core::IpAddress& address) {
  return core::any_contains(server_config(r->server).settings.effective_allow_ip(), address);
}

void tally(const core::RestrictionHit& hit) {
  auto* shared = SharedMemory::get();
  const auto index = SharedMemory::tally_index(hit.reason);
  if (!shared || !index) return;
  auto& counts = hit.enforced ? shared->tallies().denied : shared->tallies().logged_only;
  counts.at(*index).fetch_add(1, std::memory_order_relaxed);
}

// Notes the address as refused for `ttl` in this server's shared memory (the status page's list
// of blocked addresses, whatever store holds the counters).
void mark_blocked(const core::IpAddress& address, core::Reason reason, milliseconds ttl) {
  RestrictionRuntime* runtime = RestrictionRuntime::get();
  if (!runtime || !runtime->local) return;
  const auto key = core::blocked_key(address);
  const std::int64_t value = static_cast<std::int64_t>(reason) + 1;
  if (runtime->local->get(key) == value) return;
  runtime->local->put(key, value, ttl);
}

// Refuses `r` as the scope's AuthDiagDenyAction says, or only records the hit under
// AuthDiagLoggingOnly.
int refuse(request_rec* r, const core::DirSettings& settings, core::RestrictionHit hit,
           milliseconds retry_after, const core::IpAddress& address) {
  const core::DenyAction action = settings.effective_deny_action();
  hit.enforced = !settings.is_logging_only();
  hit.connection_closed = hit.enforced && action == core::DenyAction::Abort;
  request_state(r).restriction = hit;
  tally(hit);
  if (!hit.enforced) return DECLINED;
  if (hit.reason == core::Reason::ConcurrentLimit || hit.reason == core::Reason::RateLimit ||
      hit.reason == core::Reason::FailedLogonLimit) {
    mark_blocked(address, hit.reason, retry_after);
  }
  switch (action) {
    case core::DenyAction::TooManyRequests: {
      const auto ms = static_cast<std::uint64_t>(std::max<std::int64_t>(retry_after.count(), 0));
      apr_table_setn(r->err_headers_out, "Retry-After",
                     apr_psprintf(r->pool, "%" PRIu64, core::retry_after_seconds(ms)));
      break;
    }
    case core::DenyAction::Abort:
      // No response at all: the core output filter drops everything on an aborted connection,
      // and the connection is closed right after the request (logged as 403).
      r->connection->keepalive = AP_CONN_CLOSE;
      r->connection->aborted = 1;
      r->status = HTTP_FORBIDDEN;
      return DONE;
    default:
      break;
  }
  return core::deny_status(action);
}

std::optional<core::RestrictionHit> listed(request_rec* r, const core::DirSettings& settings,
                                           const core::IpAddress& address) {
  core::RestrictionHit hit;
  hit.reason = core::Reason::IpDenied;
  if (settings.deny_ip && core::any_contains(*settings.deny_ip, address)) return hit;
  if (settings.deny_ip_files) {
    for (const auto& path : *settings.deny_ip_files) {
      const DenyFile* file = find_deny_file(path);
      if (file && file->list.contains(address)) return hit;
    }
  }
  if (settings.deny_hosts) {
    RestrictionRuntime* runtime = RestrictionRuntime::get();
    const std::string host = runtime ? runtime->hosts.lookup(r) : std::string();
    if (!host.empty() && core::find_host_match(*settings.deny_hosts, host)) {
      hit.reason = core::Reason::HostDenied;
      return hit;
    }
  }
  return std::nullopt;
}

// A request in flight, counted down when its pool goes away (also when the client aborted it).
struct InFlight {
  core::CounterKey key;
};

apr_status_t end_in_flight(void* data) noexcept {
  RestrictionRuntime* runtime = RestrictionRuntime::get();
  if (runtime && runtime->local) {
    const auto* in_flight = static_cast<const InFlight*>(data);
    runtime->local->add(in_flight->key, -1, core::kConcurrencyTtl);
  }
  return APR_SUCCESS;
}

// check_access_ex, first: deny lists and per-address limits, for every request of the scope.
int check_access(request_rec* r) noexcept {
  return guarded(r, nullptr, "check_access_ex", DECLINED, [&] {
    if (r->main) return DECLINED;
    const auto& settings = dir_config(r).settings;
    if (!settings.is_enabled() || !settings.restricts_requests()) return DECLINED;
    // The ErrorDocument page of a refused request is not refused again.
    if (originating_request(r) != r) return DECLINED;
    const auto address = client_address(r);
    if (!address || allowed(r, *address)) return DECLINED;
    if (auto hit = listed(r, settings, *address)) {
      return refuse(r, settings, *hit, kListRetryAfter, *address);
    }
    // An internal redirect was counted as the request it continues. Without shared memory
    // (AD0511) the IP lists still apply, the limits do not.
    RestrictionRuntime* runtime = RestrictionRuntime::get();
    if (r->prev || !runtime) return DECLINED;
    if (settings.max_concurrent && runtime->local) {
      const auto step = core::concurrency_step(*address);
      if (const auto count = runtime->local->add(step.key, 1, step.ttl)) {
        apr_pool_cleanup_register(r->pool, pool_make<InFlight>(r->pool, InFlight{step.key}),
                                  end_in_flight, apr_pool_cleanup_null);
        if (core::exceeds(*count, *settings.max_concurrent)) {
          core::RestrictionHit hit;
          hit.reason = core::Reason::ConcurrentLimit;
          hit.counter = static_cast<std::uint64_t>(*count);
          hit.limit = *settings.max_concurrent;
          return refuse(r, settings, hit, kConcurrencyRetryAfter, *address);
        }
      }
    }
    if (settings.max_request_rate) {
      const auto& spec = *settings.max_request_rate;
      const std::uint64_t now = now_ms();
      const auto window = core::rate_window(spec, *address, now);
      const auto count = store_add(runtime->shared(), window.step.key, 1, window.step.ttl);
      if (count && core::exceeds(*count, spec.max_requests)) {
        core::RestrictionHit hit;
        hit.reason = core::Reason::RateLimit;
        hit.counter = static_cast<std::uint64_t>(*count);
        hit.limit = spec.max_requests;
        hit.window_ms = spec.interval_ms;
        return refuse(r, settings, hit, milliseconds(window.ends_ms - now), *address);
      }
    }
    return DECLINED;
  });
}

core::RestrictionHit lockout_hit(const core::FailedLogonSpec& spec, std::int64_t failures) {
  core::RestrictionHit hit;
  hit.reason = core::Reason::FailedLogonLimit;
  hit.counter = static_cast<std::uint64_t>(std::max<std::int64_t>(failures, spec.max_failures));
  hit.limit = spec.max_failures;
  hit.window_ms = std::uint64_t{spec.window_s} * 1000;
  return hit;
}

// check_authn, right after the module's own observer: runs only where authentication is
// required, before any password is checked, so a right password is refused during a lockout.
int check_lockout(request_rec* r) noexcept {
  return guarded(r, nullptr, "check_authn (lockout)", DECLINED, [&] {
    RestrictionRuntime* runtime = RestrictionRuntime::get();
    if (r->main || !runtime) return DECLINED;
    const auto& settings = dir_config(r).settings;
    if (!settings.is_enabled() || !settings.max_failed_logons) return DECLINED;
    const auto address = client_address(r);
    if (!address || allowed(r, *address)) return DECLINED;
    CounterStore& store = runtime->shared();
    const auto lockout = core::lockout_key(*address);
    const auto locked = store_get(store, lockout);
    if (!locked || *locked <= 0) return DECLINED;
    const auto& spec = *settings.max_failed_logons;
    const auto failures = store_get(store, core::failure_step(spec, *address).key);
    const auto left = store_time_left(store, lockout).value_or(core::lockout_duration(spec));
    return refuse(r, settings, lockout_hit(spec, failures.value_or(0)), left, *address);
  });
}

// insert_error_filter, first: a canned 401.1 is about to be sent.
void count_on_error_response(request_rec* r) noexcept {
  guarded_void(r, nullptr, "insert_error_filter (restrictions)", [&] {
    if (r->main) return;
    if (Denial* denial = denial_for(r, r->status)) note_denial_sent(r, *denial);
  });
}

// log_transaction, before the module's denial line: failed logons whose response went out
// without the earlier hooks, and the records of logging-only restrictions.
int log_restrictions(request_rec* r) noexcept {
  return guarded(r, nullptr, "log_transaction (restrictions)", DECLINED, [&] {
    request_rec* last = r;
    while (last->next) last = last->next;
    Denial* denial = denial_for(r, last->status);
    if (denial) note_denial_sent(r, *denial);
    const RequestState* state = find_request_state(r);
    if (state && state->restriction && !state->restriction->enforced) {
      if (Denial* would_be = restriction_record(r, last->status)) {
        // The request's own denial, if any, keeps the access-log variables.
        log_denial(r, *would_be, last->status, denial == nullptr);
      }
    }
    return DECLINED;
  });
}

int post_config(apr_pool_t* pconf, apr_pool_t*, apr_pool_t*, server_rec* s) noexcept {
  if (ap_state_query(AP_SQ_MAIN_STATE) == AP_SQ_MS_CREATE_PRE_CONFIG) return OK;
  guarded_void(nullptr, s, "post_config (restrictions)", [&] {
    load_deny_files(pconf, s);
    const auto spec = server_config(s).settings.effective_shared_store();
    for (server_rec* vhost = s->next; vhost; vhost = vhost->next) {
      if (server_config(vhost).settings.effective_shared_store().text != spec.text) {
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, vhost,
                     "AD0513: AuthDiagSharedStore applies to the whole server; the value in "
                     "this virtual host is ignored, %s is used",
                     spec.text.c_str());
      }
    }
    RestrictionRuntime::setup(pconf, s, spec);
  });
  return OK;
}

void child_init(apr_pool_t* pchild, server_rec* s) noexcept {
  guarded_void(nullptr, s, "child_init (restrictions)", [&] {
    SharedMemory::child_init();
    RestrictionRuntime::child_init(pchild, s);
  });
}

}  // namespace

bool restriction_refused(const request_rec* r) noexcept {
  const RequestState* state = find_request_state(r);
  return state && state->restriction && state->restriction->enforced;
}

void note_denial_sent(request_rec* origin, Denial& denial) noexcept {
  guarded_void(origin, nullptr, "failed logon count", [&] {
    RestrictionRuntime* runtime = RestrictionRuntime::get();
    if (!runtime || origin->main || denial.record.status != HTTP_UNAUTHORIZED ||
        !core::counts_as_failed_logon(denial.record.reason)) {
      return;
    }
    auto& state = request_state(origin);
    if (state.failure_counted) return;
    state.failure_counted = true;
    const auto& settings = dir_config(origin).settings;
    if (!settings.max_failed_logons) return;
    const auto address = client_address(origin);
    if (!address || allowed(origin, *address)) return;
    const auto& spec = *settings.max_failed_logons;
    CounterStore& store = runtime->shared();
    const auto step = core::failure_step(spec, *address);
    const auto count = store_add(store, step.key, 1, step.ttl);
    if (!count) return;  // the store is unreachable: fail open
    const auto outcome = core::after_failure(spec, *count);
    if (!outcome.starts_lockout && !outcome.over_limit) return;
    const auto lockout = core::lockout_duration(spec);
    store_put(store, core::lockout_key(*address), *count, lockout);
    if (settings.is_logging_only()) return;
    mark_blocked(*address, core::Reason::FailedLogonLimit, lockout);
    if (outcome.over_limit) {
      // More failures than allowed reached the password check at the same time: the ones past
      // the limit are answered as the lockout they ran into.
      const auto hit = lockout_hit(spec, *count);
      state.restriction = hit;
      tally(hit);
      apply_restriction(denial, hit);
    }
  });
}

void register_restriction_hooks() noexcept {
  ap_hook_check_config(check_deny_files, nullptr, nullptr, APR_HOOK_MIDDLE);
  ap_hook_post_config(post_config, nullptr, nullptr, APR_HOOK_MIDDLE);
  ap_hook_child_init(child_init, nullptr, nullptr, APR_HOOK_MIDDLE);
  ap_hook_check_access_ex(check_access, nullptr, nullptr, APR_HOOK_FIRST,
                          AP_AUTH_INTERNAL_PER_CONF);
  ap_hook_check_authn(check_lockout, nullptr, nullptr, APR_HOOK_FIRST + 1,
                      AP_AUTH_INTERNAL_PER_CONF);
  ap_hook_insert_error_filter(count_on_error_response, nullptr, nullptr, APR_HOOK_FIRST);
  ap_hook_log_transaction(log_restrictions, nullptr, nullptr, APR_HOOK_REALLY_FIRST - 1);
  ap_hook_handler(status_handler, nullptr, nullptr, APR_HOOK_MIDDLE);
}

}  // namespace authdiag::httpd
