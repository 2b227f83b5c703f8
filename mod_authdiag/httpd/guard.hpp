// SPDX-License-Identifier: Apache-2.0
// No exception may cross into httpd (it would std::terminate the child). Every function httpd
// calls runs its body through guarded(): on an exception it logs AD0500 and returns the
// fail-open value the caller chose (usually DECLINED: diagnosis never breaks authentication).
#pragma once

#include <exception>
#include <utility>

#include "httpd/httpd_api.hpp"

namespace authdiag::httpd {

void log_internal_error(const request_rec* r, const server_rec* s, const char* where,
                        const char* what) noexcept;

template <typename Result, typename Fn>
Result guarded(const request_rec* r, const server_rec* s, const char* where, Result on_failure,
               Fn&& fn) noexcept {
  try {
    return std::forward<Fn>(fn)();
  } catch (const std::exception& error) {
    log_internal_error(r, s, where, error.what());
  } catch (...) {
    log_internal_error(r, s, where, "unknown exception");
  }
  return on_failure;
}

template <typename Fn>
void guarded_void(const request_rec* r, const server_rec* s, const char* where, Fn&& fn) noexcept {
  guarded(r, s, where, 0, [&] {
    std::forward<Fn>(fn)();
    return 0;
  });
}

}  // namespace authdiag::httpd
