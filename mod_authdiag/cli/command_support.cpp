// SPDX-License-Identifier: Apache-2.0
// Option checks and JSON/diff reporting shared by protect, unprotect and user.
#include "cli/command_support.hpp"

#include "core/denial_record.hpp"
#include "core/unified_diff.hpp"

#include <algorithm>
#include <charconv>
#include <cstdlib>

namespace authdiag::cli {

std::string check_if_match(const Args& args) {
  const auto value = args.value("if-match");
  if (!value) return {};
  const bool hex =
      value->size() == 64 && std::all_of(value->begin(), value->end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
      });
  return hex ? std::string() : "--if-match needs a SHA-256 as 64 hex digits";
}

HashChoice parse_hash_choice(const Args& args) {
  HashChoice choice;
  if (const auto name = args.value("hash")) {
    choice.given = true;
    const auto algorithm = parse_hash_algorithm(*name);
    if (!algorithm) {
      choice.error = "--hash must be bcrypt, apr1 or sha512crypt";
      return choice;
    }
    choice.algorithm = *algorithm;
  }
  if (const auto cost = args.value("bcrypt-cost")) {
    choice.given = true;
    unsigned value = 0;
    const auto [ptr, ec] = std::from_chars(cost->data(), cost->data() + cost->size(), value);
    if (ec != std::errc{} || ptr != cost->data() + cost->size() || value < kMinBcryptCost ||
        value > kMaxBcryptCost) {
      choice.error = "--bcrypt-cost must be a number from " + std::to_string(kMinBcryptCost) +
                     " to " + std::to_string(kMaxBcryptCost);
      return choice;
    }
    if (choice.algorithm != HashAlgorithm::Bcrypt) {
      choice.error = "--bcrypt-cost applies to --hash bcrypt only";
      return choice;
    }
    choice.bcrypt_cost = value;
  }
  return choice;
}

std::string format_mode(unsigned mode) {
  std::string out = "0000";
  for (std::size_t i = 4; i-- > 0;) {
    out[i] = static_cast<char>('0' + (mode & 7));
    mode >>= 3;
  }
  return out;
}

JsonValue file_report(const WriteResult& result, bool dry_run) {
  JsonValue report = JsonValue::object();
  report.set("path", result.path);
  report.set("existed", result.before.exists);
  report.set("exists", result.exists_after);
  report.set("sha256_before", result.before.sha256);
  report.set("sha256_after", result.sha256_after);
  report.set("changed", result.changed);
  if (dry_run) report.set("dry_run", true);
  if (result.before.exists) report.set("mode", format_mode(result.before.mode));
  return report;
}

void show_diff(Output& output, const WriteResult& result, JsonValue& report) {
  const std::string diff =
      core::unified_diff(result.before.content, result.content_after, result.path, result.path);
  report.set("diff", diff);
  output.print(diff);
}

int report_failure(Output& output, const WriteResult& result) {
  report_warnings(output, result);
  return output.error(result.code, result.message);
}

void report_warnings(Output& output, const WriteResult& result) {
  for (const auto& warning : result.warnings) {
    output.add_finding({std::string(kFindingFileGroup), "warning", result.path, 0, warning,
                        "give the file a group the httpd user belongs to, mode 0640"});
  }
}

std::string lint_id(core::LintId rule) { return std::string(core::lint_rule(rule).id); }

std::string user_dir() {
  const char* value = std::getenv("AUTHDIAG_USER_DIR");
  const std::string dir =
      (value != nullptr && *value != '\0') ? value : "/etc/apache2/authdiag/users";
  const NormalizedPath normalized = normalize_under_root(dir, "/");
  return normalized.error ? dir : normalized.path;
}

std::string default_user_file(const std::string& dir) {
  std::string readable;
  for (const char c : dir.substr(1)) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '.' || c == '-';
    readable += plain ? c : '_';
  }
  if (readable.size() > 64) readable = readable.substr(readable.size() - 64);
  if (readable.empty()) readable = "root";
  return user_dir() + "/" + readable + "-" + core::sha256_hex(dir).substr(0, 12) + ".htpasswd";
}

std::string root_for_user_file(const std::string& path) {
  const std::string dir = user_dir();
  return path.rfind(dir + "/", 0) == 0 ? dir : allowed_root();
}

}  // namespace authdiag::cli
