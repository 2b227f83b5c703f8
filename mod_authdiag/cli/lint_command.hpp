// SPDX-License-Identifier: Apache-2.0
// The lint run shared by `authdiag lint` and `authdiag check`: walks paths, gathers filesystem
// facts as the httpd user sees them, and reports the core/lint_rules findings.
#pragma once

#include "cli/args.hpp"
#include "cli/output.hpp"
#include "cli/server_config.hpp"
#include "core/lint_rules.hpp"

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace authdiag::cli {

struct LintOptions {
  std::vector<std::string> paths;
  bool recursive = false;
  // When set, the result also describes this directory as httpd sees it (for check).
  std::optional<std::string> describe_directory;
};

struct LintResult {
  std::size_t htaccess_files = 0;
  std::size_t directories = 0;
  std::size_t user_files = 0;
  std::array<std::size_t, 3> by_level{};  // indexed by core::LintLevel
  bool path_errors = false;               // a PATH did not exist or could not be read
  // For LintOptions::describe_directory: its settings after the server's <Directory> sections
  // and every .htaccess from / down to it, and what the server says about it.
  core::AuthScope scope;
  core::DirectoryFacts facts;
  bool has_access_file = false;

  bool reached(core::LintLevel level) const noexcept;  // a finding at `level` or above
};

// Reports the findings through `output` (deduplicated) and returns the counts.
LintResult run_lint_checks(const LintOptions& options, const ServerConfig& config, Output& output);

// The config named by --server-config, else the system's; reported in `output` as
// "server_config" and, when it cannot be read, as finding AD-L039.
ServerConfig load_config_for(const Args& args, Output& output);

}  // namespace authdiag::cli
