// SPDX-License-Identifier: Apache-2.0
// `authdiag unprotect DIR`: removes the managed block (restoring the file's earlier bytes) and,
// with --purge-user-file, the user file it named. Never touches other auth lines.
#include "cli/command_support.hpp"
#include "cli/commands.hpp"
#include "core/htaccess.hpp"

namespace authdiag::cli {

int run_unprotect(const Args& args, Output& output) {
  if (args.positionals().size() != 1) {
    return output.error(ExitCode::Usage, "unprotect takes exactly one directory");
  }
  if (const std::string error = check_if_match(args); !error.empty()) {
    return output.error(ExitCode::Usage, error);
  }
  const std::string root = allowed_root();
  const NormalizedPath dir = normalize_under_root(args.positionals().front(), root);
  if (dir.error) return output.error(dir.error.code, dir.error.message);
  output.root().set("dir", dir.path);
  const std::string htaccess = dir.path + "/.htaccess";

  WriteOptions options;
  options.dry_run = args.dry_run();
  options.lock_timeout = lock_timeout();
  options.root = root;
  options.if_match = args.value("if-match");
  std::optional<core::ManagedBlock> removed;
  core::ForeignAuth remaining;
  const WriteResult result =
      safe_update(htaccess, options, [&](const FileSnapshot& snapshot) -> Decision {
        const core::HtaccessDocument document = core::parse_htaccess(snapshot.content);
        const core::BlockScan scan = core::find_managed_block(document);
        if (scan.error) {
          return {WriteKind::Keep,
                  {},
                  ExitCode::MalformedFile,
                  htaccess + ": broken authdiag block at line " + std::to_string(scan.error_line) +
                      "; fix or remove its marker lines by hand"};
        }
        removed = scan.block;
        remaining = core::find_foreign_auth(document, scan);
        if (!scan.block) return {};
        std::string content = core::remove_managed_block(document, scan);
        if (content.empty() && scan.block->created_file) return {WriteKind::Remove, {}, {}, {}};
        return {WriteKind::Replace, std::move(content), ExitCode::Success, {}};
      });
  if (result.code != ExitCode::Success) return report_failure(output, result);
  JsonValue htaccess_report = file_report(result, args.dry_run());
  if (args.dry_run()) show_diff(output, result, htaccess_report);
  output.root().set("htaccess", std::move(htaccess_report));
  output.set_changed(result.changed);

  if (removed && !removed->intact()) {
    output.add_finding({std::string(kFindingBlockEdited), "warning", htaccess, removed->begin_line,
                        "the removed authdiag block had been edited by hand", ""});
  }
  if (!remaining.regions.empty()) {
    output.add_finding({std::string(kFindingOtherAuthRemains), "info", htaccess,
                        remaining.regions.front().first_line,
                        "auth lines authdiag does not manage remain (" +
                            std::string(core::panel_name(remaining.panel)) +
                            "); the directory may still ask for a login",
                        ""});
  }

  if (args.has("purge-user-file") && removed) {
    if (!removed->settings) {
      output.note("the removed block did not name a user file authdiag can read; nothing purged");
    } else {
      const std::string& user_file = removed->settings->user_file;
      WriteOptions user_options;
      user_options.dry_run = args.dry_run();
      user_options.lock_timeout = lock_timeout();
      user_options.root = root_for_user_file(user_file);
      const WriteResult purge = safe_update(user_file, user_options, [](const FileSnapshot&) {
        return Decision{WriteKind::Remove, {}, ExitCode::Success, {}};
      });
      if (purge.code != ExitCode::Success) return report_failure(output, purge);
      output.root().set("user_file", file_report(purge, args.dry_run()));
      output.set_changed(output.changed() || purge.changed);
    }
  }
  const std::string verb = args.dry_run() ? "would remove" : "removed";
  output.note(result.changed ? verb + " the authdiag block from " + htaccess
                             : dir.path + " has no authdiag block; nothing changed");
  return to_int(ExitCode::Success);
}

}  // namespace authdiag::cli
