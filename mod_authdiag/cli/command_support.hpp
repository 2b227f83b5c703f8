// SPDX-License-Identifier: Apache-2.0
// Pieces shared by the writing commands (protect, unprotect, user): option checks, the JSON
// report of one written file, and the --dry-run diff.
#pragma once

#include "cli/args.hpp"
#include "cli/output.hpp"
#include "cli/password_hash.hpp"
#include "cli/safe_write.hpp"
#include "core/lint_rules.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace authdiag::cli {

// Findings only the writing commands report (lint's catalogue ids are used where they apply).
inline constexpr std::string_view kFindingBlockEdited = "AD-W001";     // block edited by hand
inline constexpr std::string_view kFindingScopedAuthKept = "AD-W002";  // --adopt left <Files> auth
inline constexpr std::string_view kFindingOtherAuthRemains = "AD-W003";  // unprotect: others remain
inline constexpr std::string_view kFindingFileGroup = "AD-W004";  // new file lacks httpd's group
inline constexpr std::string_view kFindingHashPolicy =
    "AD-W005";  // entry not of --hash/--bcrypt-cost

// The catalogue id of a lint rule, "AD-L018".
std::string lint_id(core::LintId rule);

// --if-match must be 64 hex digits; returns the error message or "".
std::string check_if_match(const Args& args);

// --hash and --bcrypt-cost; `error` is non-empty on a bad value.
struct HashChoice {
  HashAlgorithm algorithm = HashAlgorithm::Bcrypt;
  unsigned bcrypt_cost = kDefaultBcryptCost;
  bool given = false;  // either option was on the command line
  std::string error;
};
HashChoice parse_hash_choice(const Args& args);

// {"path","existed","sha256_before","sha256_after","changed","mode"[, "diff"]} for one file.
JsonValue file_report(const WriteResult& result, bool dry_run);

// With --dry-run: the unified diff of `result` on stdout (human mode) or in the file report.
void show_diff(Output& output, const WriteResult& result, JsonValue& report);

// Reports a failed safe_update (message and warnings) and returns its exit code.
int report_failure(Output& output, const WriteResult& result);

// Passes WriteResult::warnings on as findings.
void report_warnings(Output& output, const WriteResult& result);

// "0640"
std::string format_mode(unsigned mode);

// AUTHDIAG_USER_DIR, default /etc/apache2/authdiag/users: where protect puts user files when
// --user-file is not given (outside every document root).
std::string user_dir();

// "<dir with '/' → '_'>-<12 hex of SHA-256(dir)>.htpasswd" in user_dir(): one file per
// protected directory, recognisable by name.
std::string default_user_file(const std::string& dir);

// The root to check `path` against: user_dir() for files in it, else AUTHDIAG_ROOT.
std::string root_for_user_file(const std::string& path);

}  // namespace authdiag::cli
