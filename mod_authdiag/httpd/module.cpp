// SPDX-License-Identifier: Apache-2.0
// The module record httpd loads (LoadModule authdiag_module mod_authdiag.so): the only symbol the
// shared object exports.
#include "httpd/config.hpp"
#include "httpd/guard.hpp"
#include "httpd/hooks.hpp"

#include "httpd/httpd_api.hpp"

extern "C" {

__attribute__((visibility("default"))) module AP_MODULE_DECLARE_DATA authdiag_module = {
    STANDARD20_MODULE_STUFF,
    authdiag::httpd::create_dir_config,
    authdiag::httpd::merge_dir_config,
    authdiag::httpd::create_server_config,
    authdiag::httpd::merge_server_config,
    authdiag::httpd::command_table(),
    authdiag::httpd::register_hooks,
    AP_MODULE_FLAG_NONE,
};

}  // extern "C"

namespace authdiag::httpd {

void log_internal_error(const request_rec* r, const server_rec* s, const char* where,
                        const char* what) noexcept {
  if (r) {
    ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "AD0500: internal error in %s: %s", where, what);
  } else {
    ap_log_error(APLOG_MARK, APLOG_ERR, 0, s, "AD0500: internal error in %s: %s", where, what);
  }
}

}  // namespace authdiag::httpd
