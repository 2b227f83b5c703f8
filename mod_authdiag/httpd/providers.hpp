// SPDX-License-Identifier: Apache-2.0
// Per-provider verdicts: every registered authn and authz provider is re-registered under its own
// name as a thin wrapper that calls the original and records what it answered. Done in
// pre_config, when every LoadModule has registered its providers and no configuration section has
// looked one up yet.
#pragma once

#include "httpd/httpd_api.hpp"

namespace authdiag::httpd {

int wrap_auth_providers(apr_pool_t* pconf, apr_pool_t* plog, apr_pool_t* ptemp) noexcept;

}  // namespace authdiag::httpd
