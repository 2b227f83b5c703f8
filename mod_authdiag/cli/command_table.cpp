// SPDX-License-Identifier: Apache-2.0
// The authdiag command table, man-page-style help and the dispatcher.
#include "cli/command_table.hpp"

#include "cli/commands.hpp"

#include <algorithm>
#include <array>
#include <ostream>
#include <vector>

namespace authdiag::cli {
namespace {

constexpr std::string_view kExitStatus =
    "0   success (see \"changed\")\n"
    "1   file access error\n"
    "2   usage error\n"
    "3   verification failed\n"
    "6   invalid username\n"
    "7   malformed existing file\n"
    "10  foreign auth directives (needs --adopt)\n"
    "11  lock timeout\n"
    "12  concurrent modification (--if-match or a changing file)\n"
    "14  unsafe path (symlink, hard link, outside AUTHDIAG_ROOT)\n"
    "15  .htaccess ignored by httpd\n"
    "20  lint/check found problems at the --fail-on level\n";

constexpr std::array kProtectOptions{
    OptionSpec{"realm", "R", false, "AuthName shown in the login prompt (default \"Restricted\")"},
    OptionSpec{"user-file", "PATH", false,
               "absolute AuthUserFile path (default: outside the "
               "document root, see ENVIRONMENT)"},
    OptionSpec{"require", "SPEC", false, "valid-user (default), user:U1,U2 or group:G"},
    OptionSpec{"hash", "ALG", false, "hash for users added later by hand: bcrypt|apr1|sha512crypt"},
    OptionSpec{"bcrypt-cost", "N", false, "bcrypt cost 10..17 (default 10)"},
    OptionSpec{"adopt", "PANEL", false,
               "take over auth lines written by PANEL: cpanel, "
               "ispconfig, cyberpanel, aapanel, webmin, manual"},
    OptionSpec{"if-match", "SHA256", false, "only write if .htaccess still has this SHA-256"},
    OptionSpec{"dry-run", "", false, "print a unified diff, write nothing"},
};

constexpr std::array kUnprotectOptions{
    OptionSpec{"purge-user-file", "", false, "also delete the block's AuthUserFile"},
    OptionSpec{"if-match", "SHA256", false, "only write if .htaccess still has this SHA-256"},
    OptionSpec{"dry-run", "", false, "print a unified diff, write nothing"},
};

constexpr std::array kUserOptions{
    OptionSpec{"user-file", "PATH", false, "the htpasswd file"},
    OptionSpec{"user", "U", false, "the user name (exact match)"},
    OptionSpec{"password-stdin", "", false, "read the password from the first line of stdin"},
    OptionSpec{"generate", "", false, "generate a password and print it once"},
    OptionSpec{"hash", "ALG", false, "bcrypt (default), apr1 or sha512crypt"},
    OptionSpec{"bcrypt-cost", "N", false, "bcrypt cost 10..17 (default 10)"},
    OptionSpec{"if-match", "SHA256", false, "only write if the file still has this SHA-256"},
    OptionSpec{"dry-run", "", false, "print a unified diff, write nothing"},
};

constexpr std::array kLintOptions{
    OptionSpec{"recursive", "", false, "descend into directories"},
    OptionSpec{"server-config", "FILE", false, "httpd.conf to read (with its Includes)"},
    OptionSpec{"fail-on", "LEVEL", false, "exit 20 on findings at error|warning level"},
};

constexpr std::array kCheckOptions{
    OptionSpec{"url", "URL", false, "check the directory serving URL"},
    OptionSpec{"server-config", "FILE", false, "httpd.conf to read (with its Includes)"},
};

constexpr std::array kReportOptions{
    OptionSpec{"since", "T", false, "only denials at or after T (RFC 3339)"},
    OptionSpec{"html", "FILE", false, "write a self-contained HTML report to FILE"},
};

constexpr std::array kGlobalOptions{
    OptionSpec{"json", "", false, "one JSON object on stdout; human text stays on stderr"},
    OptionSpec{"help", "", false, "show this help"},
};

constexpr std::array kCommands{
    Command{"protect",
            "protect DIR [--realm R] [--user-file PATH] [--require valid-user|user:U1,U2|group:G] "
            "[--hash bcrypt|apr1|sha512crypt] [--bcrypt-cost N] [--adopt PANEL] "
            "[--if-match SHA256] [--dry-run] [--json]",
            "require a login for DIR",
            "Writes one managed block at the top of DIR/.htaccess, between marker lines that carry "
            "the format version and a SHA-256 of the block body. Every byte outside the block is "
            "kept, line endings and a missing final newline included. State-setting: a second run "
            "with the same arguments changes nothing (\"changed\": false). Options not given keep "
            "the values of an existing block.\n\n"
            "The user file is created empty (mode 0640, group of the httpd user) when missing; "
            "add users with `authdiag user add`. Auth lines of a hosting panel or written by hand "
            "outside the block are refused (exit 10) unless --adopt PANEL takes them over; the "
            "adopted realm and AuthUserFile are kept unless given.\n\n"
            "Every write takes an exclusive lock, writes a .ht-prefixed temporary file in the same "
            "directory, fsyncs it, renames it over the target and fsyncs the directory.",
            kProtectOptions, run_protect},
    Command{"unprotect",
            "unprotect DIR [--purge-user-file] [--if-match SHA256] [--dry-run] [--json]",
            "remove the managed block from DIR/.htaccess",
            "Removes the managed block, restoring the bytes the file had before `protect`. When "
            "`protect` created the file and nothing else is left in it, the file is removed. "
            "Running it on an unprotected directory changes nothing. Auth lines outside the block "
            "are never touched.",
            kUnprotectOptions, run_unprotect},
    Command{"user",
            "user add|set|remove|verify|list --user-file PATH [--user U] [--password-stdin] "
            "[--generate] [--hash bcrypt|apr1|sha512crypt] [--bcrypt-cost N] [--dry-run] [--json]",
            "manage the users of an htpasswd file",
            "add creates U (refused if U exists with another password); set gives U this "
            "password (nothing changes when the stored hash already accepts it and --hash is not "
            "given or matches); remove deletes every entry of U; verify checks a password from "
            "stdin with apr_password_validate, like httpd; list prints the users and their hash "
            "schemes.\n\n"
            "Passwords come only from stdin (--password-stdin) or --generate, never from the "
            "command line. User names may not contain ':', whitespace or control characters and "
            "are at most 255 bytes. The default hash is bcrypt $2y$ with cost 10. After every "
            "write the file is read back and the changed entry verified with "
            "apr_password_validate (exit 3 on failure). Comments, blank lines, CRLF and a missing "
            "final newline are kept.",
            kUserOptions, run_user},
    Command{"lint",
            "lint PATH... [--recursive] [--server-config FILE] [--json] "
            "[--fail-on error|warning]",
            "find mistakes in .htaccess and htpasswd files",
            "Reports findings (id, level, file, line, message, fix) for .htaccess and user files, "
            "taking the server configuration into account when it can be read.",
            kLintOptions, run_lint},
    Command{"check", "check DIR | --url URL [--server-config FILE] [--json]",
            "is DIR really protected, as httpd sees it?",
            "Combines the server configuration, the .htaccess chain and the user file into a "
            "verdict on whether httpd will ask for a login.",
            kCheckOptions, run_check},
    Command{"report", "report DENIAL-LOG... [--since T] [--json | --html FILE]",
            "summarise mod_authdiag's denial log",
            "Counts by substatus and reason, top client addresses, users and paths, and a "
            "timeline; --json for machines, --html FILE for a self-contained page.",
            kReportOptions, run_report},
};

void append_wrapped(std::string& out, std::string_view text, std::string_view indent) {
  constexpr std::size_t kWidth = 78;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    const std::size_t newline = text.find('\n', pos);
    const std::string_view paragraph = text.substr(
        pos, newline == std::string_view::npos ? std::string_view::npos : newline - pos);
    std::string line(indent);
    bool empty = true;
    std::size_t p = 0;
    while (p < paragraph.size()) {
      const std::size_t space = paragraph.find(' ', p);
      const std::string_view word =
          paragraph.substr(p, space == std::string_view::npos ? std::string_view::npos : space - p);
      if (!empty && line.size() + 1 + word.size() > kWidth) {
        out += line;
        out += '\n';
        line = std::string(indent);
        empty = true;
      }
      if (!empty) line += ' ';
      line += word;
      empty = false;
      if (space == std::string_view::npos) break;
      p = space + 1;
    }
    if (!empty) out += line;
    out += '\n';
    if (newline == std::string_view::npos) break;
    pos = newline + 1;
  }
}

void append_options(std::string& out, std::span<const OptionSpec> options) {
  for (const auto& option : options) {
    std::string head = "    --" + std::string(option.name);
    if (!option.value_name.empty()) head += " " + std::string(option.value_name);
    out += head;
    out += '\n';
    append_wrapped(out, option.help, "        ");
  }
}

}  // namespace

std::span<const Command> command_table() noexcept { return kCommands; }

const Command* find_command(std::string_view name) noexcept {
  const auto it = std::find_if(kCommands.begin(), kCommands.end(),
                               [name](const Command& c) { return c.name == name; });
  return it == kCommands.end() ? nullptr : &*it;
}

std::string render_command_help(const Command& command) {
  std::string out = "NAME\n    authdiag " + std::string(command.name) + " - " +
                    std::string(command.summary) + "\n\nSYNOPSIS\n";
  append_wrapped(out, "authdiag " + std::string(command.synopsis), "    ");
  out += "\nDESCRIPTION\n";
  append_wrapped(out, command.help, "    ");
  out += "\nOPTIONS\n";
  append_options(out, command.options);
  append_options(out, kGlobalOptions);
  out += "\nENVIRONMENT\n";
  append_wrapped(out,
                 "AUTHDIAG_ROOT: files outside this directory are refused (exit 14); default /.\n"
                 "AUTHDIAG_USER_DIR: directory of default user files; default "
                 "/etc/apache2/authdiag/users.\n"
                 "AUTHDIAG_LOCK_TIMEOUT: seconds to wait for a lock (exit 11); default 10.",
                 "    ");
  out += "\nEXIT STATUS\n";
  append_wrapped(out, kExitStatus, "    ");
  return out;
}

std::string render_overview() {
  std::string out =
      "usage: authdiag COMMAND [ARGS] [--json]\n"
      "       authdiag COMMAND --help\n\ncommands:\n";
  for (const auto& command : kCommands) {
    std::string name(command.name);
    name.resize(12, ' ');
    out += "    " + name + std::string(command.summary) + "\n";
  }
  return out;
}

int dispatch(std::span<const std::string> words, std::ostream& out, std::ostream& err) {
  if (words.empty()) {
    err << render_overview();
    return to_int(ExitCode::Usage);
  }
  const std::string& name = words.front();
  if (name == "--help" || name == "-h" || name == "help") {
    if (words.size() > 1) {
      if (const Command* command = find_command(words[1])) {
        out << render_command_help(*command);
        return to_int(ExitCode::Success);
      }
    }
    out << render_overview();
    return to_int(ExitCode::Success);
  }
  const Command* command = find_command(name);
  const bool json = std::find(words.begin(), words.end(), "--json") != words.end();
  if (command == nullptr) {
    Output output(json, out, err);
    output.set_action(name);
    err << render_overview();
    return output.finish(output.error(ExitCode::Usage, "unknown command '" + name + "'"));
  }
  std::vector<OptionSpec> options(command->options.begin(), command->options.end());
  options.insert(options.end(), kGlobalOptions.begin(), kGlobalOptions.end());
  ParseResult parsed = parse_args(name, words.subspan(1), options);
  Output output(parsed.args ? parsed.args->json() : json, out, err);
  output.set_action(name);
  if (!parsed.args) {
    err << "usage: authdiag " << command->synopsis << '\n';
    return output.finish(output.error(ExitCode::Usage, parsed.error));
  }
  if (parsed.args->has("help")) {
    out << render_command_help(*command);
    return to_int(ExitCode::Success);
  }
  return output.finish(command->run(*parsed.args, output));
}

}  // namespace authdiag::cli
