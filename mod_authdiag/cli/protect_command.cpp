// SPDX-License-Identifier: Apache-2.0
// `authdiag protect DIR`: makes sure the user file exists, then sets the managed block in
// DIR/.htaccess through the safe write protocol. State-setting and idempotent.
#include "cli/command_support.hpp"
#include "cli/commands.hpp"
#include "cli/server_config.hpp"
#include "core/denial_record.hpp"
#include "core/hash_scheme.hpp"
#include "core/htaccess.hpp"
#include "core/password_file.hpp"

#include <vector>

namespace authdiag::cli {
namespace {

constexpr std::string_view kDefaultRealm = "Restricted";

struct RequireSpec {
  std::string kind = "valid-user";
  std::vector<std::string> names;
};

struct Request {
  std::string dir;
  std::optional<std::string> realm;
  std::optional<std::string> user_file;
  std::optional<RequireSpec> require;
  std::optional<core::Panel> adopt;
  HashChoice hash;
};

struct Failure {
  ExitCode code = ExitCode::Success;
  std::string message;
  core::Panel panel = core::Panel::None;  // with ForeignAuth
};

std::optional<RequireSpec> parse_require(std::string_view text, Failure& failure) {
  RequireSpec spec;
  if (text == "valid-user") return spec;
  const auto colon = text.find(':');
  const std::string_view kind = text.substr(0, colon);
  if (colon == std::string_view::npos || (kind != "user" && kind != "group")) {
    failure = {ExitCode::Usage, "--require must be valid-user, user:U1,U2 or group:G"};
    return std::nullopt;
  }
  spec.kind = std::string(kind);
  std::string_view rest = text.substr(colon + 1);
  while (true) {
    const auto comma = rest.find(',');
    const std::string_view name = rest.substr(0, comma);
    if (const auto error = core::validate_username(name)) {
      failure = {ExitCode::InvalidUsername,
                 "--require " + std::string(kind) + " '" + std::string(name) +
                     "': " + std::string(core::username_error_message(*error))};
      return std::nullopt;
    }
    if (!core::is_safe_require_name(name)) {
      failure = {ExitCode::InvalidUsername,
                 "--require " + std::string(kind) + " '" + std::string(name) +
                     "': quotes, backslashes and '%' cannot be written safely in a Require line"};
      return std::nullopt;
    }
    spec.names.emplace_back(name);
    if (comma == std::string_view::npos) break;
    rest = rest.substr(comma + 1);
  }
  if (spec.kind == "group" && spec.names.size() != 1) {
    failure = {ExitCode::Usage, "--require group:G takes one group"};
    return std::nullopt;
  }
  return spec;
}

struct Plan {
  core::ProtectionSettings settings;
  core::HtaccessDocument document;  // after removing adopted foreign regions
  core::BlockScan scan;
  core::ForeignAuth foreign;
  bool existed = false;
  bool drift = false;  // the block was edited by hand
  std::vector<core::ForeignRegion> kept_scoped;
};

// Decides the new state from the current .htaccess bytes; shared by the pre-read and the
// locked computation so both agree.
std::optional<Plan> plan_protection(const Request& request, const FileSnapshot& snapshot,
                                    Failure& failure) {
  Plan plan;
  plan.existed = snapshot.exists;
  core::HtaccessDocument document = core::parse_htaccess(snapshot.content);
  if (document.has_bom) {
    failure = {ExitCode::MalformedFile,
               request.dir +
                   "/.htaccess starts with a UTF-8 BOM, which makes httpd answer 500; "
                   "remove it first"};
    return std::nullopt;
  }
  core::BlockScan scan = core::find_managed_block(document);
  if (scan.error) {
    failure = {ExitCode::MalformedFile, request.dir + "/.htaccess: broken authdiag block at line " +
                                            std::to_string(scan.error_line) +
                                            "; fix or remove its marker lines by hand"};
    return std::nullopt;
  }
  plan.foreign = core::find_foreign_auth(document, scan);
  if (!plan.foreign.regions.empty()) {
    std::string where;
    for (const auto& region : plan.foreign.regions) {
      if (!where.empty()) where += "; ";
      where += "line " + std::to_string(region.first_line) + ": " + region.summary;
    }
    if (!request.adopt) {
      failure = {ExitCode::ForeignAuth,
                 request.dir + "/.htaccess has auth lines authdiag does not manage (" +
                     std::string(core::panel_name(plan.foreign.panel)) + "; " + where +
                     "); use --adopt " + std::string(core::panel_name(plan.foreign.panel)) +
                     " to take them over",
                 plan.foreign.panel};
      return std::nullopt;
    }
    for (const auto& region : plan.foreign.regions) {
      if (region.panel != core::Panel::Manual && region.panel != *request.adopt) {
        failure = {ExitCode::ForeignAuth,
                   request.dir + "/.htaccess line " + std::to_string(region.first_line) +
                       " belongs to " + std::string(core::panel_name(region.panel)) +
                       ", not to --adopt " + std::string(core::panel_name(*request.adopt)),
                   plan.foreign.panel};
        return std::nullopt;
      }
      if (region.scoped) plan.kept_scoped.push_back(region);
    }
    document = core::parse_htaccess(core::remove_foreign_regions(document, plan.foreign));
    scan = core::find_managed_block(document);
  }
  const std::optional<core::ProtectionSettings> current =
      scan.block ? scan.block->settings : std::nullopt;
  plan.drift = scan.block && (!scan.block->intact() || !current);

  core::ProtectionSettings& settings = plan.settings;
  if (request.realm) {
    settings.realm = *request.realm;
  } else if (current) {
    settings.realm = current->realm;
  } else if (request.adopt && plan.foreign.realm) {
    settings.realm = *plan.foreign.realm;
  } else {
    settings.realm = std::string(kDefaultRealm);
  }
  if (const auto quoted = core::quote_realm(settings.realm); quoted.error) {
    failure = {ExitCode::Usage, "realm '" + settings.realm + "' " +
                                    std::string(core::quote_error_message(*quoted.error)) +
                                    (request.realm ? "" : "; pass --realm")};
    return std::nullopt;
  }
  if (request.user_file) {
    settings.user_file = *request.user_file;
  } else if (current) {
    settings.user_file = current->user_file;
  } else if (request.adopt && plan.foreign.user_file) {
    if (plan.foreign.user_file->empty() || plan.foreign.user_file->front() != '/') {
      failure = {ExitCode::Usage, "the adopted AuthUserFile '" + *plan.foreign.user_file +
                                      "' is not absolute; pass --user-file"};
      return std::nullopt;
    }
    settings.user_file = *plan.foreign.user_file;
  } else {
    settings.user_file = default_user_file(request.dir);
  }
  if (request.require) {
    settings.require_kind = request.require->kind;
    settings.require_names = request.require->names;
  } else if (current) {
    settings.require_kind = current->require_kind;
    settings.require_names = current->require_names;
  }
  plan.document = std::move(document);
  plan.scan = std::move(scan);
  return plan;
}

void add_user_file_findings(Output& output, const Request& request,
                            const core::ProtectionSettings& settings,
                            const core::PasswordFile& file) {
  const std::vector<std::string> users = core::list_users(file);
  if (users.empty()) {
    output.add_finding(
        {lint_id(core::LintId::UserFileEmpty), "warning", settings.user_file, 0,
         "the user file has no users yet: every login is refused",
         "authdiag user add --user-file " + settings.user_file + " --user NAME --password-stdin"});
  }
  if (settings.require_kind == "user") {
    for (const auto& name : settings.require_names) {
      if (core::find_user(file, name).empty()) {
        output.add_finding({lint_id(core::LintId::RequireUserAbsent), "warning", settings.user_file,
                            0, "Require user " + name + ", but the user file has no " + name,
                            "add the user or change --require"});
      }
    }
  }
  if (request.hash.given) {
    for (const auto& line : file.lines) {
      if (line.kind != core::PasswordLineKind::Entry) continue;
      if (hash_uses(line.hash, request.hash.algorithm, request.hash.bcrypt_cost)) continue;
      output.add_finding({std::string(kFindingHashPolicy), "info", settings.user_file, line.number,
                          "user " + line.user + " has a " +
                              core::describe_hash(core::identify_hash(line.hash)) + " hash, not " +
                              std::string(hash_algorithm_name(request.hash.algorithm)),
                          "authdiag user set --user " + line.user + " --password-stdin --hash " +
                              std::string(hash_algorithm_name(request.hash.algorithm))});
    }
  }
}

JsonValue settings_json(const core::ProtectionSettings& settings) {
  JsonValue object = JsonValue::object();
  object.set("realm", settings.realm);
  object.set("user_file", settings.user_file);
  std::string require = settings.require_kind;
  for (const auto& name : settings.require_names) require += " " + name;
  object.set("require", require);
  return object;
}

}  // namespace

int run_protect(const Args& args, Output& output) {
  if (args.positionals().size() != 1) {
    return output.error(ExitCode::Usage, "protect takes exactly one directory");
  }
  if (const std::string error = check_if_match(args); !error.empty()) {
    return output.error(ExitCode::Usage, error);
  }
  Request request;
  request.hash = parse_hash_choice(args);
  if (!request.hash.error.empty()) return output.error(ExitCode::Usage, request.hash.error);
  const std::string root = allowed_root();
  const NormalizedPath dir = normalize_under_root(args.positionals().front(), root);
  if (dir.error) return output.error(dir.error.code, dir.error.message);
  request.dir = dir.path;
  output.root().set("dir", request.dir);
  request.realm = args.value("realm");
  if (request.realm) {
    if (const auto quoted = core::quote_realm(*request.realm); quoted.error) {
      return output.error(ExitCode::Usage,
                          "--realm " + std::string(core::quote_error_message(*quoted.error)));
    }
  }
  if (const auto user_file = args.value("user-file")) {
    if (const auto quoted = core::quote_path(*user_file); quoted.error) {
      return output.error(ExitCode::Usage,
                          "--user-file " + std::string(core::quote_error_message(*quoted.error)));
    }
    NormalizedPath normalized = normalize_under_root(*user_file, "/");
    if (!normalized.error) {
      normalized = normalize_under_root(normalized.path, root_for_user_file(normalized.path));
    }
    if (normalized.error) return output.error(normalized.error.code, normalized.error.message);
    request.user_file = normalized.path;
  }
  if (const auto require = args.value("require")) {
    Failure failure;
    request.require = parse_require(*require, failure);
    if (!request.require) return output.error(failure.code, failure.message);
  }
  if (const auto adopt = args.value("adopt")) {
    request.adopt = core::panel_from_name(*adopt);
    if (!request.adopt || *request.adopt == core::Panel::None) {
      return output.error(ExitCode::Usage,
                          "--adopt must be one of cpanel, ispconfig, "
                          "cyberpanel, aapanel, webmin, manual");
    }
  }

  {
    DirResult opened = open_directory(request.dir, root);
    if (opened.error) return output.error(opened.error.code, opened.error.message);
  }
  const std::string htaccess = request.dir + "/.htaccess";

  // A block httpd will not read protects nothing: refuse when the server config says so.
  const ServerConfig server = load_server_config(default_server_config_path());
  JsonValue server_report = JsonValue::object();
  server_report.set("file", server.facts.config_file);
  server_report.set("known", server.facts.known);
  if (!server.facts.known) {
    server_report.set("reason", server.facts.unknown_reason);
    output.note(server.facts.unknown_reason + "; not checking whether httpd reads " + htaccess);
  } else {
    const core::DirectoryFacts facts = server.directory_facts(request.dir);
    if (facts.htaccess_read == false || facts.auth_config_allowed == false) {
      output.root().set("server_config", std::move(server_report));
      const std::string origin =
          facts.override_origin.empty() ? std::string() : " (" + facts.override_origin + ")";
      return output.error(ExitCode::HtaccessIgnored,
                          facts.htaccess_read == false
                              ? "httpd does not read .htaccess files in " + request.dir +
                                    ": AllowOverride None" + origin +
                                    "; allow AuthConfig there first"
                              : "httpd does not allow Auth directives in " + request.dir +
                                    "/.htaccess: AllowOverride lacks AuthConfig" + origin +
                                    " (httpd would answer 500)");
    }
  }
  output.root().set("server_config", std::move(server_report));

  // Pre-read to learn which user file the block will name; the locked pass re-checks it.
  const ReadResult pre = read_file_safely(htaccess, root);
  if (pre.error) return output.error(pre.error.code, pre.error.message);
  Failure failure;
  const std::optional<Plan> pre_plan = plan_protection(request, pre.snapshot, failure);
  if (!pre_plan) {
    if (failure.code == ExitCode::ForeignAuth) {
      output.root().set("panel_detected", core::panel_name(failure.panel));
    }
    return output.error(failure.code, failure.message);
  }
  const std::string user_file = pre_plan->settings.user_file;
  output.root().set("panel_detected", core::panel_name(pre_plan->foreign.panel));
  output.root().set("settings", settings_json(pre_plan->settings));

  if (user_file.rfind(request.dir + "/", 0) == 0) {
    const std::string name = user_file.substr(user_file.rfind('/') + 1);
    if (name.rfind(".ht", 0) != 0) {
      return output.error(ExitCode::UnsafePath,
                          "user file " + user_file +
                              " is inside the protected directory and its name does not start "
                              "with .ht, so httpd would serve it");
    }
    output.add_finding({lint_id(core::LintId::UserFileServed), "warning", user_file, 0,
                        "the user file is inside a served directory; only httpd's .ht* rule "
                        "keeps it from being downloaded",
                        "keep user files outside the document root"});
  }

  // 1. The user file, created empty when missing so httpd never meets a missing file.
  const std::string user_root = root_for_user_file(user_file);
  const bool default_location = user_file.rfind(user_dir() + "/", 0) == 0;
  const std::optional<gid_t> group = httpd_group();
  if (default_location && !args.dry_run()) {
    DirResult made = open_directory(user_root, "/", mode_t{0750}, group);
    if (made.error) {
      return output.error(made.error.code,
                          made.error.message + " (set AUTHDIAG_USER_DIR or pass --user-file)");
    }
  }
  WriteOptions user_options;
  user_options.dry_run = args.dry_run();
  user_options.lock_timeout = lock_timeout();
  user_options.root = user_root;
  user_options.new_file.mode = 0640;
  user_options.new_file.gid = group;
  WriteResult user_result = safe_update(user_file, user_options, [](const FileSnapshot& snapshot) {
    Decision decision;
    if (!snapshot.exists) decision.kind = WriteKind::Replace;
    return decision;
  });
  if (user_result.code == ExitCode::FileAccess && args.dry_run() && default_location) {
    // The user directory does not exist yet: a real run would create it and the file.
    user_result = WriteResult{};
    user_result.path = user_file;
    user_result.before.sha256 = core::sha256_hex("");
    user_result.sha256_after = user_result.before.sha256;
    user_result.changed = true;
    user_result.exists_after = true;
  }
  if (user_result.code != ExitCode::Success) return report_failure(output, user_result);
  report_warnings(output, user_result);
  JsonValue user_report = file_report(user_result, args.dry_run());
  const core::PasswordFile users = core::parse_password_file(user_result.content_after);
  user_report.set("users", std::uint64_t{core::list_users(users).size()});

  // 2. The block in .htaccess.
  WriteOptions options;
  options.dry_run = args.dry_run();
  options.lock_timeout = lock_timeout();
  options.root = root;
  options.if_match = args.value("if-match");
  options.new_file.mode = 0644;
  std::optional<Plan> plan;
  const WriteResult result =
      safe_update(htaccess, options, [&](const FileSnapshot& snapshot) -> Decision {
        Failure locked;
        plan = plan_protection(request, snapshot, locked);
        if (!plan) {
          failure = locked;
          return {WriteKind::Keep, {}, locked.code, locked.message};
        }
        if (plan->settings.user_file != user_file) {
          return {WriteKind::Keep,
                  {},
                  ExitCode::ConcurrentModification,
                  htaccess + " changed its AuthUserFile while protect ran; run it again"};
        }
        return {
            WriteKind::Replace,
            core::apply_managed_block(plan->document, plan->scan, plan->settings, snapshot.exists),
            ExitCode::Success,
            {}};
      });
  if (result.code != ExitCode::Success) {
    if (result.code == ExitCode::ForeignAuth) {
      output.root().set("panel_detected", core::panel_name(failure.panel));
    }
    return report_failure(output, result);
  }
  report_warnings(output, result);
  JsonValue htaccess_report = file_report(result, args.dry_run());
  if (args.dry_run()) show_diff(output, result, htaccess_report);
  output.root().set("htaccess", std::move(htaccess_report));
  output.root().set("user_file", std::move(user_report));
  output.set_changed(result.changed || user_result.changed);

  if (!args.dry_run() && result.changed) {
    // Read back: the block on disk must be intact and say what was meant.
    const ReadResult back = read_file_safely(htaccess, root);
    const core::BlockScan scan =
        core::find_managed_block(core::parse_htaccess(back.snapshot.content));
    if (back.error || !scan.block || !scan.block->intact() || !scan.block->settings ||
        core::render_block_body(*scan.block->settings) != core::render_block_body(plan->settings)) {
      return output.error(ExitCode::VerificationFailed,
                          htaccess + " does not hold the block just written (read-back failed)");
    }
  }
  if (plan->drift) {
    output.add_finding({std::string(kFindingBlockEdited), "warning", htaccess,
                        plan->scan.block->begin_line,
                        "the authdiag block had been edited by hand; it was rewritten", ""});
  }
  for (const auto& region : plan->kept_scoped) {
    output.add_finding(
        {std::string(kFindingScopedAuthKept), "warning", htaccess, region.first_line,
         "auth lines inside a <Files>/<If>/<Limit> section were left in place: " + region.summary,
         "review them by hand"});
  }
  add_user_file_findings(output, request, plan->settings, users);

  const std::string verb = args.dry_run() ? "would protect " : "protected ";
  output.note(result.changed || user_result.changed
                  ? verb + request.dir + " (realm \"" + plan->settings.realm + "\", users in " +
                        user_file + ")"
                  : request.dir + " is already protected this way; nothing changed");
  return to_int(ExitCode::Success);
}

}  // namespace authdiag::cli
