// SPDX-License-Identifier: Apache-2.0
// The files named by AuthDiagDenyIPFile anywhere in the configuration, loaded once per
// configuration generation by the parent (post_config, before it forks), so every child shares
// the built lists copy-on-write and a graceful restart reloads them. `apache2 -t` (check_config)
// refuses a file with malformed lines, naming file, line and value; at a start or restart such
// lines are skipped with one error-log line per file and the rest is used.
#pragma once

#include "core/deny_list.hpp"
#include "core/restriction_status.hpp"

#include <string>
#include <vector>

#include "httpd/httpd_api.hpp"

namespace authdiag::httpd {

struct DenyFile {
  std::string path;      // as written in the configuration
  std::string resolved;  // against ServerRoot
  core::DenyList list;
  core::DenyListStatus status;
};

// check_config hook: under `apache2 -t`, reads every deny file and fails on any problem.
int check_deny_files(apr_pool_t* pconf, apr_pool_t* plog, apr_pool_t* ptemp,
                     server_rec* s) noexcept;

// post_config (real pass): loads every deny file of the configuration for this generation.
void load_deny_files(apr_pool_t* pconf, server_rec* s);

// The loaded file for a path as written in AuthDiagDenyIPFile; nullptr when unknown.
const DenyFile* find_deny_file(const std::string& path) noexcept;

// Every loaded file, for the status page.
std::vector<const DenyFile*> all_deny_files();

}  // namespace authdiag::httpd
