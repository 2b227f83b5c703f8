// SPDX-License-Identifier: Apache-2.0
#include "httpd/denial_log.hpp"

#include "httpd/config.hpp"
#include "httpd/guard.hpp"
#include "httpd/pool.hpp"

#include <map>
#include <string>

namespace authdiag::httpd {

DenialLog* DenialLog::open(apr_pool_t* pool, server_rec* s, const char* target) {
  apr_file_t* file = nullptr;
  if (target[0] == '|') {
    piped_log* pipe = ap_open_piped_log(pool, target + 1);
    if (!pipe) {
      ap_log_error(APLOG_MARK, APLOG_ERR, 0, s, "AD0501: AuthDiagLog: cannot start piped log '%s'",
                   target + 1);
      return nullptr;
    }
    file = ap_piped_log_write_fd(pipe);
  } else {
    const char* path = ap_server_root_relative(pool, target);
    const apr_status_t status =
        path ? apr_file_open(&file, path, APR_FOPEN_WRITE | APR_FOPEN_APPEND | APR_FOPEN_CREATE,
                             APR_FPROT_UREAD | APR_FPROT_UWRITE | APR_FPROT_GREAD, pool)
             : APR_EBADPATH;
    if (status != APR_SUCCESS) {
      ap_log_error(APLOG_MARK, APLOG_ERR, status, s, "AD0501: AuthDiagLog: cannot open '%s'",
                   path ? path : target);
      return nullptr;
    }
  }
  return pool_make<DenialLog>(pool, file);
}

void DenialLog::write(std::string_view line) const noexcept {
  apr_size_t written = 0;
  apr_file_write_full(file_, line.data(), line.size(), &written);
}

int open_denial_logs(apr_pool_t* pconf, server_rec* main_server) noexcept {
  return guarded(nullptr, main_server, "AuthDiagLog", HTTP_INTERNAL_SERVER_ERROR, [&] {
    std::map<std::string, DenialLog*> opened;
    for (server_rec* s = main_server; s; s = s->next) {
      auto& config = server_config(s);
      config.denial_log = nullptr;
      if (!config.settings.log_target) continue;
      const std::string& target = *config.settings.log_target;
      auto found = opened.find(target);
      if (found == opened.end()) {
        DenialLog* log = DenialLog::open(pconf, s, target.c_str());
        if (!log) return HTTP_INTERNAL_SERVER_ERROR;
        found = opened.emplace(target, log).first;
      }
      config.denial_log = found->second;
    }
    return OK;
  });
}

}  // namespace authdiag::httpd
