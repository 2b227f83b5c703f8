// SPDX-License-Identifier: Apache-2.0
// AuthDiagLog: the JSON-lines denial log, a file opened in append mode or a piped logger, opened
// by the parent before the children fork. Each line is one write(2) of at most 4096 bytes, so
// lines from concurrent children never interleave (PIPE_BUF, O_APPEND).
#pragma once

#include <string_view>

#include "httpd/httpd_api.hpp"

namespace authdiag::httpd {

class DenialLog {
 public:
  explicit DenialLog(apr_file_t* file) noexcept : file_(file) {}

  // `target` is a path (relative to ServerRoot) or "|command". Logs the cause and returns
  // nullptr on failure.
  static DenialLog* open(apr_pool_t* pool, server_rec* s, const char* target);

  void write(std::string_view line) const noexcept;

 private:
  apr_file_t* file_;
};

// post_config: opens every virtual host's AuthDiagLog, sharing one handle per distinct target.
int open_denial_logs(apr_pool_t* pconf, server_rec* main_server) noexcept;

}  // namespace authdiag::httpd
