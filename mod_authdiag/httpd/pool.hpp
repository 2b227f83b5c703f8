// SPDX-License-Identifier: Apache-2.0
// C++ objects whose lifetime is an APR pool: constructed in pool memory, destroyed by a pool
// cleanup when the pool goes away.
#pragma once

#include <cstddef>
#include <new>
#include <type_traits>
#include <utility>

#include "httpd/httpd_api.hpp"

namespace authdiag::httpd {

template <typename T, typename... Args>
T* pool_make(apr_pool_t* pool, Args&&... args) {
  static_assert(alignof(T) <= alignof(std::max_align_t), "APR only guarantees max_align_t");
  void* memory = apr_palloc(pool, sizeof(T));
  if (memory == nullptr) throw std::bad_alloc();
  T* object = new (memory) T(std::forward<Args>(args)...);
  if constexpr (!std::is_trivially_destructible_v<T>) {
    apr_pool_cleanup_register(
        pool, object,
        [](void* data) noexcept -> apr_status_t {
          static_cast<T*>(data)->~T();
          return APR_SUCCESS;
        },
        apr_pool_cleanup_null);
  }
  return object;
}

// Copies a std::string-like value into the pool, NUL-terminated.
inline const char* pool_copy(apr_pool_t* pool, std::string_view text) {
  return apr_pstrmemdup(pool, text.data(), text.size());
}

}  // namespace authdiag::httpd
