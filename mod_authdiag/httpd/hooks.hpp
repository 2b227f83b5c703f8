// SPDX-License-Identifier: Apache-2.0
// The module's hooks into httpd's request processing, registered by register_hooks().
#pragma once

#include "httpd/httpd_api.hpp"

namespace authdiag::httpd {

void register_hooks(apr_pool_t* pool) noexcept;

}  // namespace authdiag::httpd
