// SPDX-License-Identifier: Apache-2.0
// `authdiag user add|set|remove|verify|list`: htpasswd editing through the safe write protocol,
// with hashes made and checked by apr-util (and libxcrypt for sha512crypt).
#include "cli/command_support.hpp"
#include "cli/commands.hpp"
#include "core/hash_scheme.hpp"
#include "core/password_file.hpp"

#include <unordered_set>

namespace authdiag::cli {
namespace {

// Refuses files httpd or htpasswd would misread; reported, never silently fixed.
std::string malformed_reason(const core::PasswordFile& file, const std::string& path) {
  if (file.has_bom) {
    return path + " starts with a UTF-8 BOM: httpd never finds the first user; remove it first";
  }
  const std::vector<std::size_t> bad = core::malformed_lines(file);
  if (!bad.empty()) {
    return path + " line " + std::to_string(bad.front()) +
           " is not 'user:hash' (or a comment); fix it first";
  }
  return {};
}

JsonValue entry_json(const core::PasswordLine& line) {
  const core::HashInfo info = core::identify_hash(line.hash);
  JsonValue entry = JsonValue::object();
  entry.set("user", line.user);
  entry.set("line", std::uint64_t{line.number});
  entry.set("scheme", core::describe_hash(info));
  entry.set("verifiable", info.verifiable);
  return entry;
}

int run_list(const std::string& path, Output& output) {
  const ReadResult read = read_file_safely(path, root_for_user_file(path));
  if (read.error) return output.error(read.error.code, read.error.message);
  if (!read.snapshot.exists) return output.error(ExitCode::FileAccess, path + " does not exist");
  const core::PasswordFile file = core::parse_password_file(read.snapshot.content);
  JsonValue users = JsonValue::array();
  std::string text;
  std::unordered_set<std::string> seen;
  for (const auto& line : file.lines) {
    if (line.kind == core::PasswordLineKind::Malformed) {
      output.add_finding({lint_id(core::LintId::UserFileMalformedLine), "warning", path,
                          line.number, "line is not 'user:hash'", "fix or remove the line"});
    }
    if (line.kind != core::PasswordLineKind::Entry) continue;
    users.push(entry_json(line));
    text += line.user + "\t" + core::describe_hash(core::identify_hash(line.hash)) + "\n";
    if (!seen.insert(line.user).second) {
      output.add_finding({lint_id(core::LintId::UserFileDuplicateUser), "warning", path,
                          line.number,
                          "user " + line.user + " appears again; httpd uses the first entry",
                          "authdiag user set rewrites the user as one entry"});
    }
  }
  if (file.has_bom) {
    output.add_finding({lint_id(core::LintId::UserFileBom), "error", path, 1,
                        "the file starts with a UTF-8 BOM: httpd never finds the first user",
                        "remove the first three bytes"});
  }
  output.root().set("user_file", path);
  output.root().set("sha256", read.snapshot.sha256);
  output.root().set("users", std::move(users));
  output.print(text);
  return to_int(ExitCode::Success);
}

int run_verify(const std::string& path, const std::string& user, Output& output) {
  const PasswordInput input = read_password_stdin();
  if (!input.password) return output.error(ExitCode::Usage, input.error);
  const ReadResult read = read_file_safely(path, root_for_user_file(path));
  if (read.error) return output.error(read.error.code, read.error.message);
  if (!read.snapshot.exists) return output.error(ExitCode::FileAccess, path + " does not exist");
  const core::PasswordFile file = core::parse_password_file(read.snapshot.content);
  output.root().set("user_file", path);
  output.root().set("user", user);
  const std::vector<std::size_t> found = core::find_user(file, user);
  if (found.empty()) {
    output.root().set("verified", false);
    if (file.has_bom) {
      output.add_finding({lint_id(core::LintId::UserFileBom), "error", path, 1,
                          "the file starts with a UTF-8 BOM: httpd never finds the first user",
                          "remove the first three bytes"});
    }
    return output.error(ExitCode::VerificationFailed, "user " + user + " is not in " + path);
  }
  // httpd uses the first entry of a user.
  const core::PasswordLine& entry = file.lines[found.front()];
  const core::HashInfo info = core::identify_hash(entry.hash);
  output.root().set("line", std::uint64_t{entry.number});
  output.root().set("scheme", core::describe_hash(info));
  const bool ok = password_matches(*input.password, entry.hash);
  output.root().set("verified", ok);
  if (!ok) {
    std::string message = "password does not verify for user " + user + " (" +
                          core::describe_hash(info) + " hash, line " +
                          std::to_string(entry.number) + ")";
    if (info.scheme == core::HashScheme::Plaintext) {
      message += "; plaintext entries never verify in httpd on Unix";
    } else if (!info.verifiable) {
      message += "; this hash cannot be verified on this system";
    }
    return output.error(ExitCode::VerificationFailed, message);
  }
  if (found.size() > 1) {
    output.add_finding({lint_id(core::LintId::UserFileDuplicateUser), "warning", path,
                        file.lines[found[1]].number,
                        "user " + user + " appears more than once; httpd uses the first entry",
                        "authdiag user set rewrites the user as one entry"});
  }
  output.note("password verifies for user " + user + " (" + core::describe_hash(info) + ")");
  return to_int(ExitCode::Success);
}

}  // namespace

int run_user(const Args& args, Output& output) {
  if (args.positionals().size() != 1) {
    return output.error(ExitCode::Usage, "user needs one of add, set, remove, verify, list");
  }
  const std::string& action = args.positionals().front();
  if (action != "add" && action != "set" && action != "remove" && action != "verify" &&
      action != "list") {
    return output.error(ExitCode::Usage,
                        "unknown user action '" + action + "' (add, set, remove, verify, list)");
  }
  output.set_action("user " + action);
  const auto user_file_arg = args.value("user-file");
  if (!user_file_arg) return output.error(ExitCode::Usage, "--user-file PATH is required");
  NormalizedPath path = normalize_under_root(*user_file_arg, "/");
  if (!path.error) path = normalize_under_root(path.path, root_for_user_file(path.path));
  if (path.error) return output.error(path.error.code, path.error.message);
  if (action == "list") return run_list(path.path, output);

  const auto user = args.value("user");
  if (!user) return output.error(ExitCode::Usage, "--user U is required for user " + action);
  if (const auto error = core::validate_username(*user)) {
    return output.error(ExitCode::InvalidUsername,
                        std::string(core::username_error_message(*error)));
  }
  if (action == "verify") {
    if (!args.has("password-stdin")) {
      return output.error(ExitCode::Usage, "user verify reads the password with --password-stdin");
    }
    return run_verify(path.path, *user, output);
  }
  if (const std::string error = check_if_match(args); !error.empty()) {
    return output.error(ExitCode::Usage, error);
  }
  const HashChoice hash = parse_hash_choice(args);
  if (!hash.error.empty()) return output.error(ExitCode::Usage, hash.error);

  std::optional<std::string> password;
  bool generated = false;
  if (action == "add" || action == "set") {
    if (args.has("password-stdin") == args.has("generate")) {
      return output.error(ExitCode::Usage,
                          "give exactly one of --password-stdin and --generate; passwords are "
                          "never taken from the command line");
    }
    if (args.has("generate")) {
      password = generate_password();
      generated = true;
      if (!password) return output.error(ExitCode::FileAccess, "no random bytes available");
    } else {
      PasswordInput input = read_password_stdin();
      if (!input.password) return output.error(ExitCode::Usage, input.error);
      password = std::move(input.password);
    }
  } else if (args.has("password-stdin") || args.has("generate")) {
    return output.error(ExitCode::Usage, "user remove takes no password");
  }

  // Hash before taking the lock; the lock is held only for the edit itself.
  std::string new_hash;
  if (password) {
    HashResult made = hash_password(hash.algorithm, *password, hash.bcrypt_cost);
    if (!made.error.empty()) {
      return output.error(made.error.find("72 bytes") != std::string::npos
                              ? ExitCode::Usage
                              : ExitCode::VerificationFailed,
                          made.error);
    }
    new_hash = std::move(made.hash);
  }

  WriteOptions options;
  options.dry_run = args.dry_run();
  options.lock_timeout = lock_timeout();
  options.root = root_for_user_file(path.path);
  options.if_match = args.value("if-match");
  options.new_file.mode = 0640;
  options.new_file.gid = httpd_group();
  const WriteResult result =
      safe_update(path.path, options, [&](const FileSnapshot& snapshot) -> Decision {
        core::PasswordFile file = core::parse_password_file(snapshot.content);
        if (const std::string reason = malformed_reason(file, path.path); !reason.empty()) {
          return {WriteKind::Keep, {}, ExitCode::MalformedFile, reason};
        }
        const std::vector<std::size_t> found = core::find_user(file, *user);
        if (action == "remove") {
          if (!core::remove_user(file, *user)) return {};
          return {WriteKind::Replace, core::serialize_password_file(file), ExitCode::Success, {}};
        }
        if (!found.empty()) {
          const std::string& current = file.lines[found.front()].hash;
          const bool same_password = password_matches(*password, current);
          const bool scheme_ok =
              !hash.given || hash_uses(current, hash.algorithm, hash.bcrypt_cost);
          if (action == "add" && !(same_password && !generated)) {
            return {WriteKind::Keep,
                    {},
                    ExitCode::Usage,
                    "user " + *user + " already exists in " + path.path +
                        " with another password; use `authdiag user set`"};
          }
          if (same_password && scheme_ok && found.size() == 1) return {};
        }
        core::set_user_hash(file, *user, new_hash);
        return {WriteKind::Replace, core::serialize_password_file(file), ExitCode::Success, {}};
      });
  if (result.code != ExitCode::Success) return report_failure(output, result);
  report_warnings(output, result);
  JsonValue report = file_report(result, args.dry_run());
  if (args.dry_run()) show_diff(output, result, report);
  output.root().set("user_file", std::move(report));
  output.root().set("user", *user);
  output.set_changed(result.changed);

  if (result.changed && !args.dry_run()) {
    // Read back and verify what httpd will see.
    const ReadResult back = read_file_safely(path.path, options.root);
    const core::PasswordFile file = core::parse_password_file(back.snapshot.content);
    const std::vector<std::size_t> found = core::find_user(file, *user);
    const bool verified =
        !back.error &&
        (action == "remove"
             ? found.empty()
             : found.size() == 1 && password_matches(*password, file.lines[found.front()].hash));
    output.root().set("verified_after_write", verified);
    if (!verified) {
      return output.error(ExitCode::VerificationFailed,
                          "read-back of " + path.path + " does not show the change for " + *user);
    }
    if (action != "remove") {
      output.root().set("scheme",
                        core::describe_hash(core::identify_hash(file.lines[found.front()].hash)));
    }
  }
  if (generated && result.changed && !args.dry_run()) {
    output.root().set("password", *password);
    output.print(*password + "\n");
  }
  const std::string what = action == "remove" ? "removed" : action == "add" ? "added" : "set";
  output.note(!result.changed  ? "user " + *user + ": nothing to change"
              : args.dry_run() ? "user " + *user + ": would be " + what
                               : "user " + *user + " " + what + " in " + path.path);
  return to_int(ExitCode::Success);
}

}  // namespace authdiag::cli
