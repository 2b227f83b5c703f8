// SPDX-License-Identifier: Apache-2.0
// The lint checks. httpd behaviour cited in messages is from the failure matrix in
// shared/notes/hosting-panels.md §2.2 (Apache 2.4.71 on Debian 12).
#include "core/lint_rules.hpp"

#include "core/hash_scheme.hpp"
#include "core/password_file.hpp"
#include "core/text.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

namespace authdiag::core {

const std::array<LintRule, 40> kLintRules{{
    {LintId::HtaccessBom, "AD-L001", "htaccess-bom", LintLevel::Error,
     ".htaccess starts with a UTF-8 byte order mark"},
    {LintId::HtaccessIgnored, "AD-L002", "htaccess-ignored", LintLevel::Error,
     ".htaccess is never read (AllowOverride None)"},
    {LintId::AuthConfigNotAllowed, "AD-L003", "authconfig-not-allowed", LintLevel::Error,
     "Auth directives in a .htaccess whose AllowOverride lacks AuthConfig"},
    {LintId::AuthWithoutRequire, "AD-L004", "auth-without-require", LintLevel::Warning,
     "Auth* lines without a Require that needs a user: nothing is protected"},
    {LintId::RequireWithoutAuthType, "AD-L005", "require-without-authtype", LintLevel::Error,
     "Require needs a user but no AuthType is set"},
    {LintId::AuthTypeWithoutAuthName, "AD-L006", "authtype-without-authname", LintLevel::Error,
     "AuthType without AuthName"},
    {LintId::TrailingBackslash, "AD-L007", "trailing-backslash", LintLevel::Error,
     "AuthName or AuthType ends in a backslash (aborts the httpd child in 2.4.71)"},
    {LintId::UserFileRelative, "AD-L008", "userfile-relative", LintLevel::Error,
     "Relative AuthUserFile or AuthGroupFile (resolved against ServerRoot)"},
    {LintId::DirectiveArguments, "AD-L009", "directive-arguments", LintLevel::Error,
     "Auth directive with the wrong number of arguments (unquoted spaces, trailing comment)"},
    {LintId::UserFileMissing, "AD-L010", "userfile-missing", LintLevel::Error,
     "The user file does not exist or is not configured"},
    {LintId::UserFileUnreadable, "AD-L011", "userfile-unreadable", LintLevel::Error,
     "The user file is not readable by the user httpd runs as"},
    {LintId::UserFileNotRegular, "AD-L012", "userfile-not-regular", LintLevel::Error,
     "The user file is not a regular file"},
    {LintId::UserFileServed, "AD-L013", "userfile-served", LintLevel::Error,
     "The user file lies inside a served directory and can be downloaded"},
    {LintId::UserFilePermissions, "AD-L014", "userfile-permissions", LintLevel::Warning,
     "The user file is world-readable or writable by httpd"},
    {LintId::UserFileBom, "AD-L015", "userfile-bom", LintLevel::Error,
     "The user file starts with a byte order mark: its first user can never log on"},
    {LintId::UserFileCrlf, "AD-L016", "userfile-crlf", LintLevel::Info,
     "The user file has CRLF line endings"},
    {LintId::UserFileDuplicateUser, "AD-L017", "userfile-duplicate-user", LintLevel::Warning,
     "A user appears more than once; httpd uses the first entry"},
    {LintId::UserFileEmpty, "AD-L018", "userfile-empty", LintLevel::Warning,
     "The user file has no users: nobody can log on"},
    {LintId::RequireUserAbsent, "AD-L019", "require-user-absent", LintLevel::Error,
     "Require user names a user that is not in the user file"},
    {LintId::HashPlaintext, "AD-L020", "hash-plaintext", LintLevel::Error,
     "Plaintext password: never verifies on Unix"},
    {LintId::HashDes, "AD-L021", "hash-des", LintLevel::Warning,
     "Traditional DES crypt: only the first 8 characters count"},
    {LintId::HashSha1, "AD-L022", "hash-sha1", LintLevel::Warning, "{SHA} hash: unsalted SHA-1"},
    {LintId::HashBcryptLowCost, "AD-L023", "hash-bcrypt-low-cost", LintLevel::Info,
     "bcrypt with a cost below 10"},
    {LintId::HashUnverifiable, "AD-L024", "hash-unverifiable", LintLevel::Error,
     "A hash this build cannot verify (malformed, or a scheme its crypt() lacks)"},
    {LintId::HashLibcDependent, "AD-L025", "hash-libc-dependent", LintLevel::Info,
     "A hash that verifies only through the C library's crypt() (not portable)"},
    {LintId::DigestBasicMismatch, "AD-L026", "digest-basic-mismatch", LintLevel::Error,
     "AuthType and user file format do not match (Digest vs Basic)"},
    {LintId::AccessCompatMissing, "AD-L027", "access-compat-missing", LintLevel::Error,
     "Order/Allow/Deny/Satisfy without mod_access_compat"},
    {LintId::AccessCompatMixed, "AD-L028", "access-compat-mixed", LintLevel::Warning,
     "Order/Allow/Deny mixed with Require"},
    {LintId::AcmeChallengeProtected, "AD-L029", "acme-challenge-protected", LintLevel::Warning,
     "/.well-known/acme-challenge/ needs a password: certificate renewal fails"},
    {LintId::ErrorDocument401, "AD-L030", "errordocument-401", LintLevel::Error,
     "ErrorDocument 401 points at a missing page or a full URL: no login prompt"},
    {LintId::StaleArtifact, "AD-L031", "stale-artifact", LintLevel::Info,
     "Leftover temporary, lock or backup file in a served directory"},
    {LintId::RequireUnknownProvider, "AD-L032", "require-unknown-provider", LintLevel::Error,
     "Require names a provider that no loaded module offers"},
    {LintId::PanelBlock, "AD-L033", "panel-block", LintLevel::Info,
     "Auth lines managed by a hosting panel, or an edited authdiag block"},
    {LintId::HtaccessUnreadable, "AD-L034", "htaccess-unreadable", LintLevel::Error,
     ".htaccess is not readable by the user httpd runs as"},
    {LintId::GroupFileProblem, "AD-L035", "groupfile-problem", LintLevel::Error,
     "AuthGroupFile missing, unreadable, or without the required group"},
    {LintId::UserFileMalformedLine, "AD-L036", "userfile-malformed-line", LintLevel::Warning,
     "A user file line without ':'"},
    {LintId::UserFileWhitespace, "AD-L037", "userfile-whitespace", LintLevel::Info,
     "Whitespace around user file entries"},
    {LintId::WpAdminAjax, "AD-L038", "wp-admin-ajax", LintLevel::Warning,
     "wp-admin protected without an exception for admin-ajax.php"},
    {LintId::ServerConfigUnknown, "AD-L039", "server-config-unknown", LintLevel::Info,
     "The server config could not be read; dependent checks were skipped"},
    {LintId::HtaccessSyntax, "AD-L040", "htaccess-syntax", LintLevel::Error,
     "Unbalanced section or NUL byte in .htaccess"},
}};

const LintRule& lint_rule(LintId rule) noexcept {
  return kLintRules[static_cast<std::size_t>(rule)];
}

std::string_view lint_level_name(LintLevel level) noexcept {
  switch (level) {
    case LintLevel::Info:
      return "info";
    case LintLevel::Warning:
      return "warning";
    case LintLevel::Error:
      return "error";
  }
  return "error";
}

std::optional<LintLevel> lint_level_from_name(std::string_view name) noexcept {
  if (name == "info") return LintLevel::Info;
  if (name == "warning") return LintLevel::Warning;
  if (name == "error") return LintLevel::Error;
  return std::nullopt;
}

std::optional<bool> ServerFacts::has_module(std::string_view name) const {
  if (!known) return std::nullopt;
  return std::any_of(modules.begin(), modules.end(),
                     [&](const std::string& m) { return iequals(m, name); });
}

bool AuthScope::needs_authentication() const noexcept {
  static constexpr std::array<std::string_view, 13> kUserProviders{
      "valid-user",     "user",        "group",      "file-owner", "file-group",
      "dbm-group",      "dbd-group",   "ldap-user",  "ldap-group", "ldap-dn",
      "ldap-attribute", "ldap-filter", "ldap-search"};
  return std::any_of(require_rules.begin(), require_rules.end(), [](const RequireRule& rule) {
    return !rule.negated && std::find(kUserProviders.begin(), kUserProviders.end(),
                                      rule.provider) != kUserProviders.end();
  });
}

std::string_view hash_prefix(std::string_view hash) noexcept {
  static constexpr std::array<std::string_view, 10> kPrefixes{
      "$2y$", "$2a$", "$2b$", "$2x$", "$apr1$", "{SHA}", "$1$", "$5$", "$6$", "$y$"};
  for (auto prefix : kPrefixes) {
    if (hash.starts_with(prefix)) return prefix;
  }
  if (identify_hash(hash).scheme == HashScheme::DesCrypt) return "des";
  return {};
}

namespace {

LintFinding make(LintId rule, std::string_view file, std::size_t line, std::string message,
                 std::string fix) {
  return {rule, lint_rule(rule).level, std::string(file), line, std::move(message), std::move(fix)};
}

LintFinding make_at(LintId rule, LintLevel level, std::string_view file, std::size_t line,
                    std::string message, std::string fix) {
  return {rule, level, std::string(file), line, std::move(message), std::move(fix)};
}

std::string join(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += separator;
    out += items[i];
  }
  return out;
}

// "alice, bob, carol and 4 more"
std::string some_names(const std::vector<std::string>& names) {
  constexpr std::size_t kShown = 5;
  std::vector<std::string> shown(
      names.begin(), names.begin() + static_cast<std::ptrdiff_t>(std::min(kShown, names.size())));
  std::string out = join(shown, ", ");
  if (names.size() > kShown) out += " and " + std::to_string(names.size() - kShown) + " more";
  return out;
}

bool is_under(std::string_view path, std::string_view root) {
  while (root.size() > 1 && root.back() == '/') root.remove_suffix(1);
  if (root == "/") return path.starts_with('/');
  return path.size() > root.size() && path.starts_with(root) && path[root.size()] == '/';
}

std::string_view base_name(std::string_view path) {
  auto slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string absolute_path(std::string_view value, std::string_view server_root) {
  if (value.starts_with('/')) return std::string(value);
  std::string root(server_root);
  if (root.empty() || root.back() != '/') root += '/';
  return root + std::string(value);
}

bool is_hex32(std::string_view text) {
  return text.size() == 32 && std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
         });
}

// ---- walking directives ---------------------------------------------------------------------

enum class SectionKind : std::uint8_t { Conditional, Authz, Scoping };

SectionKind section_kind(std::string_view name) {
  static constexpr std::array<std::string_view, 6> kConditional{
      "IfModule", "IfDefine", "IfVersion", "IfFile", "IfDirective", "IfSection"};
  static constexpr std::array<std::string_view, 3> kAuthz{"RequireAll", "RequireAny",
                                                          "RequireNone"};
  for (auto c : kConditional) {
    if (iequals(c, name)) return SectionKind::Conditional;
  }
  for (auto a : kAuthz) {
    if (iequals(a, name)) return SectionKind::Authz;
  }
  return SectionKind::Scoping;
}

// Whether a conditional section's body is read by httpd; unknown facts count as read.
bool condition_holds(const HtaccessDirective& open, const ServerFacts& server) {
  if (!iequals(open.name, "IfModule") || open.args.empty()) return true;
  std::string_view arg = open.args.front();
  bool negate = arg.starts_with('!');
  if (negate) arg.remove_prefix(1);
  auto loaded = server.has_module(arg);
  if (!loaded) return true;
  return *loaded != negate;
}

struct WalkState {
  bool active = true;      // every enclosing conditional holds
  std::size_t scoped = 0;  // enclosing scoping sections (<Files>, <Limit>, <If> ...)
  bool negated = false;    // inside <RequireNone>
};

// Calls visit(directive, state) for every directive, sections included, with the state that
// applies to it (a section opener gets the state outside it).
template <typename Visit>
void walk(const std::vector<HtaccessDirective>& directives, const ServerFacts& server,
          Visit&& visit) {
  std::vector<WalkState> stack{WalkState{}};
  for (const auto& directive : directives) {
    const WalkState& state = stack.back();
    switch (directive.kind) {
      case DirectiveKind::Directive:
        visit(directive, state);
        break;
      case DirectiveKind::SectionOpen: {
        visit(directive, state);
        WalkState inner = state;
        switch (section_kind(directive.name)) {
          case SectionKind::Conditional:
            inner.active = state.active && condition_holds(directive, server);
            break;
          case SectionKind::Authz:
            if (iequals(directive.name, "RequireNone")) inner.negated = !state.negated;
            break;
          case SectionKind::Scoping:
            ++inner.scoped;
            break;
        }
        stack.push_back(inner);
        break;
      }
      case DirectiveKind::SectionClose:
        if (stack.size() > 1) stack.pop_back();
        visit(directive, stack.back());
        break;
    }
  }
}

bool is_auth_directive(std::string_view name) {
  return iequals(name, "AuthType") || iequals(name, "AuthName") || iequals(name, "AuthUserFile") ||
         iequals(name, "AuthGroupFile") || iequals(name, "AuthBasicProvider") ||
         iequals(name, "AuthDigestProvider");
}

bool is_access_compat_directive(std::string_view name) {
  return iequals(name, "Order") || iequals(name, "Allow") || iequals(name, "Deny") ||
         iequals(name, "Satisfy");
}

std::optional<RequireRule> parse_require(const HtaccessDirective& directive, bool negated,
                                         std::string_view file) {
  if (directive.args.empty()) return std::nullopt;
  RequireRule rule;
  std::size_t first = 0;
  if (directive.args[0] == "not" && directive.args.size() > 1) {
    rule.negated = true;
    first = 1;
  }
  rule.negated = rule.negated != negated;
  rule.provider = directive.args[first];
  rule.args.assign(directive.args.begin() + static_cast<std::ptrdiff_t>(first + 1),
                   directive.args.end());
  rule.file = std::string(file);
  rule.line = directive.first_line;
  return rule;
}

SourcedValue sourced(const HtaccessDirective& directive, std::string value, std::string_view file) {
  return {std::move(value), std::string(file), directive.first_line};
}

// The contents of the section opened at index `open` (exclusive of its opener and closer).
std::vector<HtaccessDirective> section_body(const std::vector<HtaccessDirective>& directives,
                                            std::size_t open) {
  std::vector<HtaccessDirective> body;
  std::size_t depth = 0;
  for (std::size_t i = open + 1; i < directives.size(); ++i) {
    if (directives[i].kind == DirectiveKind::SectionOpen) ++depth;
    if (directives[i].kind == DirectiveKind::SectionClose) {
      if (depth == 0) break;
      --depth;
    }
    body.push_back(directives[i]);
  }
  return body;
}

// ---- user files -------------------------------------------------------------------------------

// Space and tab on both sides, and a CR left at the end.
std::string_view trim_blanks(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) {
    text.remove_suffix(1);
  }
  return text;
}

bool is_libc_prefix(std::string_view prefix) {
  return prefix == "$1$" || prefix == "$5$" || prefix == "$6$" || prefix == "$y$" ||
         prefix == "$2b$" || prefix == "$2x$" || prefix == "des";
}

// Entries of one kind of problem, reported as one finding per file.
struct EntryGroup {
  std::size_t first_line = 0;
  std::vector<std::string> users;
  void add(std::size_t line, const std::string& user) {
    if (first_line == 0) first_line = line;
    users.push_back(user);
  }
  std::string where() const {
    return std::to_string(users.size()) + (users.size() == 1 ? " entry" : " entries") + " (" +
           some_names(users) + ")";
  }
};

}  // namespace

UserFileSummary lint_user_file(const std::string& path, const FileFacts& facts,
                               const ServerFacts& server, LintEnvironment& env) {
  UserFileSummary summary;
  auto& out = summary.findings;
  if (!facts.exists || !facts.regular) return summary;

  // Served: httpd hands the file to anyone who asks unless the .ht* rule covers it.
  for (const auto& root : server.served_roots) {
    if (!is_under(path, root)) continue;
    std::string url = std::string(path.substr(root.size()));
    bool ht_name = base_name(path).starts_with(".ht");
    if (ht_name && server.denies_ht_files) {
      out.push_back(make_at(
          LintId::UserFileServed, LintLevel::Info, path, 0,
          "The user file lies inside the served directory " + root +
              "; only the server's <Files \".ht*\"> rule keeps " + url + " from being downloaded.",
          "Move the file outside every DocumentRoot and Alias and update AuthUserFile."));
    } else {
      out.push_back(
          make(LintId::UserFileServed, path, 0,
               "The user file lies inside the served directory " + root + " and " + url +
                   " can be downloaded: anyone can fetch the password hashes" +
                   (ht_name ? " (the server config has no <Files \".ht*\"> deny rule)." : "."),
               "Move the file outside every DocumentRoot and Alias and update AuthUserFile."));
    }
    break;
  }
  if (facts.world_readable) {
    out.push_back(make(LintId::UserFilePermissions, path, 0,
                       "The user file is readable by every local user.",
                       "chmod o-rwx " + path + " and give httpd's group read access (0640)."));
  }
  if (facts.writable_by_httpd.value_or(false)) {
    out.push_back(make(LintId::UserFilePermissions, path, 0,
                       "The user file is writable by the user httpd runs as" +
                           (server.run_user ? " (" + *server.run_user + ")" : std::string()) +
                           ": a compromised web application can add itself a login.",
                       "Make the file owned by another user, mode 0640 with httpd's group."));
  }
  if (!facts.content) return summary;
  summary.readable = true;

  PasswordFile file = parse_password_file(*facts.content);
  if (file.has_bom) {
    out.push_back(make(LintId::UserFileBom, path, 1,
                       "The user file starts with a UTF-8 byte order mark; httpd reads it as part "
                       "of the first user name, so that user can never log on.",
                       "Remove the first three bytes (EF BB BF) of the file."));
  }
  std::size_t crlf_lines = 0;
  EntryGroup whitespace, plaintext, des, sha1, low_cost, malformed_hash, digest;
  std::map<std::string, EntryGroup> unverifiable_prefix;
  std::map<std::string, EntryGroup> libc_prefix;
  std::map<std::string, std::size_t> first_seen;
  std::size_t entries = 0;
  std::size_t digest_entries = 0;
  std::set<std::string> realms;
  for (const auto& line : file.lines) {
    if (line.ending == "\r\n") ++crlf_lines;
    if (line.kind == PasswordLineKind::Malformed) {
      out.push_back(make(LintId::UserFileMalformedLine, path, line.number,
                         "Line " + std::to_string(line.number) +
                             " has no ':'; httpd skips it and htpasswd refuses to edit the file.",
                         "Delete the line or turn it into a comment starting with '#'."));
      continue;
    }
    if (line.kind != PasswordLineKind::Entry) continue;
    ++entries;
    std::string_view text = line.text;
    if (line.number == 1 && file.has_bom && text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
    std::string_view without_cr = text;
    if (without_cr.ends_with('\r')) without_cr.remove_suffix(1);
    if (trim_blanks(without_cr) != without_cr) whitespace.add(line.number, line.user);

    auto [it, inserted] = first_seen.emplace(line.user, line.number);
    if (!inserted) {
      out.push_back(make(LintId::UserFileDuplicateUser, path, line.number,
                         "User '" + line.user + "' appears on lines " + std::to_string(it->second) +
                             " and " + std::to_string(line.number) +
                             "; httpd only ever checks line " + std::to_string(it->second) + ".",
                         "Keep one entry per user: authdiag user set rewrites the first and "
                         "removes the others."));
      continue;
    }
    summary.users.push_back(line.user);

    // htdigest: user:realm:32 hex digits; field 2 is then the realm, not a hash.
    auto fields_after_user = std::string_view(line.text).substr(line.text.find(':') + 1);
    auto second_colon = fields_after_user.find(':');
    if (second_colon != std::string_view::npos &&
        is_hex32(trim_blanks(fields_after_user.substr(second_colon + 1)))) {
      ++digest_entries;
      realms.insert(std::string(fields_after_user.substr(0, second_colon)));
      digest.add(line.number, line.user);
      continue;
    }
    HashInfo info = identify_hash(line.hash);
    std::string prefix(hash_prefix(line.hash));
    if (info.scheme == HashScheme::Plaintext) {
      plaintext.add(line.number, line.user);
      continue;
    }
    if (!info.verifiable) {
      malformed_hash.add(line.number, line.user);
      continue;
    }
    if (!prefix.empty() && env.hash_prefix_verifiable(prefix) == false) {
      unverifiable_prefix[prefix].add(line.number, line.user);
      continue;
    }
    if (info.scheme == HashScheme::DesCrypt) des.add(line.number, line.user);
    if (info.scheme == HashScheme::Sha1) sha1.add(line.number, line.user);
    if (info.scheme == HashScheme::Bcrypt && info.cost && *info.cost < 10) {
      low_cost.add(line.number, line.user);
    }
    if (is_libc_prefix(prefix)) libc_prefix[prefix].add(line.number, line.user);
  }
  summary.digest_format = entries > 0 && digest_entries == entries;
  summary.digest_realms.assign(realms.begin(), realms.end());

  if (entries == 0) {
    out.push_back(make(
        LintId::UserFileEmpty, path, 0,
        "The user file has no users, so every logon fails (401 for everyone).",
        "Add a user: authdiag user add --user-file " + path + " --user NAME --password-stdin."));
  }
  if (crlf_lines > 0) {
    out.push_back(make(LintId::UserFileCrlf, path, 0,
                       std::to_string(crlf_lines) +
                           " lines end in CRLF. httpd tolerates this; other tools that read "
                           "the file may keep the CR as part of the hash.",
                       "Convert the file to LF line endings (dos2unix)."));
  }
  if (!whitespace.users.empty()) {
    out.push_back(make(
        LintId::UserFileWhitespace, path, whitespace.first_line,
        "Spaces or tabs around " + whitespace.where() + ": httpd trims them; other tools may not.",
        "Remove leading and trailing whitespace from those lines."));
  }
  if (!plaintext.users.empty()) {
    out.push_back(make(LintId::HashPlaintext, path, plaintext.first_line,
                       "No recognised hash, probably a plaintext password, in " +
                           plaintext.where() +
                           ": on Unix httpd never accepts it, so those users always get 401.",
                       "Set the passwords again: authdiag user set --user-file " + path +
                           " --user NAME --password-stdin."));
  }
  if (!malformed_hash.users.empty()) {
    out.push_back(make(LintId::HashUnverifiable, path, malformed_hash.first_line,
                       "Malformed hash (wrong length or cost) in " + malformed_hash.where() +
                           ": it can never verify, so those users always get 401.",
                       "Set the passwords again: authdiag user set --user-file " + path +
                           " --user NAME --password-stdin."));
  }
  for (const auto& [prefix, group] : unverifiable_prefix) {
    out.push_back(make(LintId::HashUnverifiable, path, group.first_line,
                       prefix + " hashes in " + group.where() +
                           ": apr_password_validate on this system cannot verify them (its "
                           "crypt() lacks the scheme), so those users always get 401.",
                       "Set the passwords again with bcrypt: authdiag user set --user-file " +
                           path + " --user NAME --password-stdin."));
  }
  if (!des.users.empty()) {
    out.push_back(make(LintId::HashDes, path, des.first_line,
                       "Traditional DES crypt in " + des.where() +
                           ": only the first 8 characters of a password count and the salt "
                           "is tiny.",
                       "Set the passwords again (bcrypt is the default): authdiag user set "
                       "--user-file " +
                           path + " --user NAME --password-stdin."));
  }
  if (!sha1.users.empty()) {
    out.push_back(
        make(LintId::HashSha1, path, sha1.first_line,
             "{SHA} (unsalted SHA-1) in " + sha1.where() + ": cracked quickly from a leaked file.",
             "Set the passwords again (bcrypt is the default): authdiag user set "
             "--user-file " +
                 path + " --user NAME --password-stdin."));
  }
  if (!low_cost.users.empty()) {
    out.push_back(
        make(LintId::HashBcryptLowCost, path, low_cost.first_line,
             "bcrypt with a cost below 10 in " + low_cost.where() + " (htpasswd -B defaults to 5).",
             "Set the passwords again with cost 10 or more (authdiag's default)."));
  }
  for (const auto& [prefix, group] : libc_prefix) {
    out.push_back(make(LintId::HashLibcDependent, path, group.first_line,
                       prefix + " hashes in " + group.where() +
                           ": they verify here only because this system's crypt() supports "
                           "the scheme; a copy of the file on another system may fail.",
                       "For portability use bcrypt ($2y$) or apr1: authdiag user set."));
  }
  if (!digest.users.empty() && !summary.digest_format) {
    out.push_back(make(LintId::DigestBasicMismatch, path, digest.first_line,
                       "htdigest lines (user:realm:hash) in " + digest.where() +
                           ", in a file with htpasswd entries: Basic authentication never "
                           "accepts them.",
                       "Keep htdigest and htpasswd users in separate files."));
  }
  return summary;
}

GroupFileSummary read_group_file(std::string_view content) {
  GroupFileSummary summary;
  summary.readable = true;
  // As mod_authz_groupfile reads it: ap_cfg_getline lines (trimmed with apr_isspace, '#'
  // comments skipped), the group name everything before the first ':', blanks included.
  for_each_raw_line(content, [&](const RawLine& raw) {
    const std::string_view line = trim(raw.text);
    if (line.empty() || line.front() == '#') return;
    if (const auto colon = line.find(':'); colon != std::string_view::npos) {
      summary.groups.emplace_back(line.substr(0, colon));
    }
  });
  return summary;
}

AuthScope merge_auth_level(const AuthScope& parent, const std::vector<HtaccessDirective>& level,
                           std::string_view file, const ServerFacts& server) {
  AuthScope scope = parent;
  bool level_has_require = false;
  std::vector<RequireRule> require_rules;
  walk(level, server, [&](const HtaccessDirective& d, const WalkState& state) {
    if (!state.active || state.scoped > 0) return;
    if (d.kind == DirectiveKind::SectionOpen && section_kind(d.name) == SectionKind::Authz) {
      level_has_require = true;
      return;
    }
    if (d.kind != DirectiveKind::Directive || d.args.empty()) return;
    const std::string& value = d.args.front();
    if (iequals(d.name, "AuthType")) {
      scope.auth_type = sourced(d, value, file);
    } else if (iequals(d.name, "AuthName")) {
      scope.auth_name = sourced(d, value, file);
    } else if (iequals(d.name, "AuthUserFile")) {
      scope.user_file = sourced(d, absolute_path(value, server.server_root), file);
    } else if (iequals(d.name, "AuthGroupFile")) {
      scope.group_file = sourced(d, absolute_path(value, server.server_root), file);
    } else if (iequals(d.name, "AuthBasicProvider")) {
      scope.basic_provider = sourced(d, join(d.args, " "), file);
    } else if (iequals(d.name, "Require")) {
      level_has_require = true;
      if (auto rule = parse_require(d, state.negated, file))
        require_rules.push_back(std::move(*rule));
    }
  });
  if (level_has_require) scope.require_rules = std::move(require_rules);
  return scope;
}

bool is_stale_artifact(std::string_view name) noexcept {
  if (name == "." || name == "..") return false;
  // authdiag's own lock files stay on purpose; its ".authdiag-tmp." files are real leftovers.
  if (name.ends_with(".authdiag-lock")) return false;
  if (name.ends_with("~") || name.ends_with(".bak") || name.ends_with(".old") ||
      name.ends_with(".orig") || name.ends_with(".swp") || name.ends_with(".lock") ||
      name.ends_with(".tmp")) {
    return true;
  }
  if (name.find(".webmintmp.") != std::string_view::npos) return true;
  if (name.starts_with("htpasswd.tmp.")) return true;
  // cPanel test copies ".htaccess.<random>", our own ".ht" temp names, editors' backups.
  if (name.starts_with(".htaccess.") || name.starts_with(".htpasswd.")) return true;
  return false;
}

std::vector<LintFinding> lint_directory_entries(std::string_view directory,
                                                const std::vector<std::string>& names,
                                                const ServerFacts& server) {
  std::vector<LintFinding> out;
  for (const auto& name : names) {
    if (!is_stale_artifact(name)) continue;
    std::string path = std::string(directory) + "/" + name;
    bool ht_name = std::string_view(name).starts_with(".ht");
    bool sensitive = name.find("passwd") != std::string::npos ||
                     name.find("htaccess") != std::string::npos ||
                     name.find("htusers") != std::string::npos;
    bool downloadable = !ht_name || !server.denies_ht_files;
    out.push_back(make_at(
        LintId::StaleArtifact, sensitive && downloadable ? LintLevel::Warning : LintLevel::Info,
        path, 0,
        "Leftover file '" + name + "' in a served directory" +
            (sensitive && downloadable
                 ? ": it looks like a copy of auth configuration or passwords and httpd serves "
                   "it to anyone who asks."
                 : (ht_name && server.denies_ht_files
                        ? " (not downloadable: the server denies .ht* names)."
                        : ".")),
        "Delete it if no program is still writing it."));
  }
  return out;
}

namespace {

struct ProviderModule {
  std::string_view provider;
  std::string_view module;
};

constexpr std::array<ProviderModule, 20> kProviderModules{{
    {"all", "authz_core_module"},
    {"env", "authz_core_module"},
    {"method", "authz_core_module"},
    {"expr", "authz_core_module"},
    {"valid-user", "authz_user_module"},
    {"user", "authz_user_module"},
    {"group", "authz_groupfile_module"},
    {"file-owner", "authz_owner_module"},
    {"file-group", "authz_owner_module"},
    {"ip", "authz_host_module"},
    {"host", "authz_host_module"},
    {"local", "authz_host_module"},
    {"forward-dns", "authz_host_module"},
    {"dbm-group", "authz_dbm_module"},
    {"dbd-group", "authz_dbd_module"},
    {"ldap-user", "authnz_ldap_module"},
    {"ldap-group", "authnz_ldap_module"},
    {"ldap-dn", "authnz_ldap_module"},
    {"ldap-attribute", "authnz_ldap_module"},
    {"ldap-filter", "authnz_ldap_module"},
}};

// Levenshtein distance, capped: only small names are compared.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t above = row[j];
      std::size_t cost = ascii_lower(a[i - 1]) == ascii_lower(b[j - 1]) ? 0 : 1;
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + cost});
      diagonal = above;
    }
  }
  return row[b.size()];
}

class HtaccessLinter {
 public:
  HtaccessLinter(const HtaccessLintInput& input, LintEnvironment& env)
      : in_(input), doc_(*input.document), server_(*input.server), env_(env) {}

  std::vector<LintFinding> run() {
    check_file_level();
    collect();
    check_overrides();
    check_lines();
    check_scopes();
    check_acme();
    return std::move(out_);
  }

 private:
  void add(LintId rule, std::size_t line, std::string message, std::string fix) {
    out_.push_back(make(rule, in_.path, line, std::move(message), std::move(fix)));
  }
  void add_at(LintId rule, LintLevel level, std::size_t line, std::string message,
              std::string fix) {
    out_.push_back(make_at(rule, level, in_.path, line, std::move(message), std::move(fix)));
  }

  std::string run_user_text() const {
    return server_.run_user ? *server_.run_user : std::string("the httpd user");
  }

  void check_file_level() {
    if (doc_.has_bom) {
      add(LintId::HtaccessBom, 1,
          "The file starts with a UTF-8 byte order mark; httpd reads it as part of the first "
          "directive ('Invalid command') and answers 500 for the whole directory.",
          "Remove the first three bytes (EF BB BF) of the file.");
    }
    for (const auto& issue : doc_.issues) {
      std::string what;
      switch (issue.kind) {
        case HtaccessIssueKind::UnclosedSection:
          what = "A section is never closed";
          break;
        case HtaccessIssueKind::UnexpectedClose:
          what = "A section is closed that was never opened";
          break;
        case HtaccessIssueKind::MismatchedClose:
          what = "A section is closed with the wrong name";
          break;
        case HtaccessIssueKind::SectionWithoutClose:
          what = "A section opener lacks its closing '>'";
          break;
        case HtaccessIssueKind::Nul:
          what = "The line contains a NUL byte";
          break;
      }
      add(LintId::HtaccessSyntax, issue.line,
          what + (issue.detail.empty() ? std::string() : " (" + issue.detail + ")") +
              "; httpd answers 500 for the whole directory.",
          "Fix the section structure of the file.");
    }
    if (in_.in_server_config) return;  // read by root at startup
    const FileFacts& self = env_.file(in_.path);
    if (self.readable_by_httpd == false) {
      add(LintId::HtaccessUnreadable, 0,
          "httpd cannot read this file as " + run_user_text() +
              " and answers 500 for the whole directory ('unable to check htaccess file').",
          "Make the file readable by " + run_user_text() + " (e.g. chmod 0644).");
    }
  }

  // Indexes directives: auth lines, scoping sections, access-compat lines.
  void collect() {
    std::size_t index = 0;
    walk(doc_.directives, server_, [&](const HtaccessDirective& d, const WalkState& state) {
      std::size_t i = index++;
      if (!state.active) return;
      if (d.kind == DirectiveKind::SectionOpen && state.scoped == 0 &&
          section_kind(d.name) == SectionKind::Scoping) {
        scoped_sections_.push_back(i);
      }
      if (d.kind != DirectiveKind::Directive) return;
      if (is_auth_directive(d.name)) auth_lines_.push_back(&d);
      if (iequals(d.name, "Require")) {
        require_lines_.push_back(&d);
        if (auto rule = parse_require(d, state.negated, in_.path)) {
          AuthScope probe;
          probe.require_rules.push_back(*rule);
          if (probe.needs_authentication()) any_user_require_ = true;
        }
      }
      if (is_access_compat_directive(d.name)) compat_lines_.push_back(&d);
      if (iequals(d.name, "ErrorDocument")) error_documents_.push_back(&d);
    });
    directory_scope_ = merge_auth_level(in_.inherited, doc_.directives, in_.path, server_);
  }

  void check_overrides() {
    if (in_.in_server_config) return;
    const auto& facts = in_.directory_facts;
    bool has_auth = !auth_lines_.empty() || !require_lines_.empty();
    std::string origin =
        facts.override_origin.empty() ? std::string() : " (" + facts.override_origin + ")";
    if (facts.htaccess_read == false) {
      add_at(LintId::HtaccessIgnored, has_auth ? LintLevel::Error : LintLevel::Info, 0,
             "httpd never reads this file: AllowOverride None applies to " + in_.directory +
                 origin +
                 (has_auth ? ". Its Auth/Require lines have no effect and the directory is "
                             "served without a password."
                           : "."),
             "Set 'AllowOverride AuthConfig' (plus whatever else the file needs) in the "
             "server's <Directory> for this path, or move the lines into the server config.");
      return;
    }
    if (facts.auth_config_allowed == false && has_auth) {
      std::size_t line = !auth_lines_.empty() ? auth_lines_.front()->first_line
                                              : require_lines_.front()->first_line;
      add(LintId::AuthConfigNotAllowed, line,
          "AllowOverride for " + in_.directory + origin +
              " does not include AuthConfig, so httpd rejects the Auth/Require lines ('not "
              "allowed here') and answers 500 for the whole directory.",
          "Add AuthConfig to AllowOverride for this directory in the server config.");
    }
  }

  void check_lines() {
    for (const HtaccessDirective* d : auth_lines_) {
      bool single = iequals(d->name, "AuthType") || iequals(d->name, "AuthName") ||
                    iequals(d->name, "AuthUserFile") || iequals(d->name, "AuthGroupFile");
      if (single && d->args.size() != 1) {
        bool comment = d->raw_args.find('#') != std::string::npos;
        add(LintId::DirectiveArguments, d->first_line,
            d->name + " takes one argument but has " + std::to_string(d->args.size()) +
                "; httpd answers 500 for the whole directory." +
                (comment ? " httpd has no end-of-line comments: '#' starts another argument." : ""),
            comment ? "Move the comment to its own line."
                    : "Quote the value: " + d->name + " \"...\".");
        continue;
      }
      if (d->args.empty()) continue;
      const std::string& value = d->args.front();
      if (iequals(d->name, "AuthName") || iequals(d->name, "AuthType")) {
        std::size_t backslashes = 0;
        for (auto it = value.rbegin(); it != value.rend() && *it == '\\'; ++it) ++backslashes;
        if (backslashes % 2 == 1) {
          add(LintId::TrailingBackslash, d->first_line,
              d->name +
                  " ends in a backslash. httpd 2.4.71 parses the value as an expression and the "
                  "child process serving the request aborts ('flex scanner jammed'), killing "
                  "every request in flight on it.",
              "Remove the trailing backslash from the " + d->name + " value.");
        }
      }
      if ((iequals(d->name, "AuthUserFile") || iequals(d->name, "AuthGroupFile")) &&
          !value.starts_with('/')) {
        add(LintId::UserFileRelative, d->first_line,
            d->name + " '" + value + "' is relative: httpd reads " +
                absolute_path(value, server_.server_root) + " (relative to ServerRoot" +
                (server_.known ? "" : ", assumed " + server_.server_root) +
                "), not a file next to this .htaccess.",
            "Use an absolute path outside the document root.");
      }
    }
    check_access_compat();
    check_providers();
    check_error_documents();
    check_panels();
  }

  void check_access_compat() {
    if (compat_lines_.empty()) return;
    const HtaccessDirective* first = compat_lines_.front();
    auto loaded = server_.has_module("access_compat_module");
    std::string count = std::to_string(compat_lines_.size()) + " Order/Allow/Deny/Satisfy line" +
                        (compat_lines_.size() == 1 ? "" : "s");
    if (loaded == false) {
      add(LintId::AccessCompatMissing, first->first_line,
          count + " (first: '" + first->name +
              "') need mod_access_compat, which the server does not load: httpd answers 500 "
              "('Invalid command') for the whole directory.",
          "Replace them with Require (e.g. 'Deny from all' → 'Require all denied').");
      return;
    }
    if (!loaded) {
      add_at(LintId::AccessCompatMissing, LintLevel::Warning, first->first_line,
             count +
                 " need mod_access_compat; the server config could not be read, so "
                 "whether it is loaded is unknown (without it: 500).",
             "Replace them with Require (e.g. 'Deny from all' → 'Require all denied').");
      return;
    }
    if (!require_lines_.empty()) {
      add(LintId::AccessCompatMixed, first->first_line,
          count +
              " are mixed with Require; how the two combine depends on merge order and "
              "Satisfy, which is easy to get wrong.",
          "Use Require only (mod_authz_host / mod_authz_core syntax).");
    }
  }

  void check_providers() {
    for (const HtaccessDirective* d : require_lines_) {
      auto rule = parse_require(*d, false, in_.path);
      if (!rule) continue;
      auto known =
          std::find_if(kProviderModules.begin(), kProviderModules.end(),
                       [&](const ProviderModule& p) { return p.provider == rule->provider; });
      if (known == kProviderModules.end() && rule->provider != "ldap-search") {
        std::string_view closest;
        for (const auto& p : kProviderModules) {
          if (edit_distance(p.provider, rule->provider) <= 2) {
            closest = p.provider;
            break;
          }
        }
        if (!closest.empty()) {
          add(LintId::RequireUnknownProvider, d->first_line,
              "'Require " + rule->provider + "' is not an authorization provider (did you mean '" +
                  std::string(closest) + "'?); httpd answers 500 for the whole directory.",
              "Write 'Require " + std::string(closest) + "'.");
        } else {
          add_at(LintId::RequireUnknownProvider, LintLevel::Warning, d->first_line,
                 "'Require " + rule->provider +
                     "' is not a provider of httpd's own modules; unless a third-party module "
                     "provides it, httpd answers 500.",
                 "Check the spelling, or load the module that provides it.");
        }
        continue;
      }
      if (known == kProviderModules.end()) continue;
      if (server_.has_module(known->module) == false) {
        add(LintId::RequireUnknownProvider, d->first_line,
            "'Require " + rule->provider + "' needs " + std::string(known->module) +
                ", which the server does not load; httpd answers 500 for the whole directory.",
            "Load the module (Debian: a2enmod " +
                std::string(known->module.substr(0, known->module.size() - 7)) +
                ") or use another Require.");
      }
    }
  }

  void check_error_documents() {
    for (const HtaccessDirective* d : error_documents_) {
      if (d->args.size() < 2 || d->args[0] != "401") continue;
      const std::string& target = d->args[1];
      if (target.starts_with("http://") || target.starts_with("https://")) {
        add(LintId::ErrorDocument401, d->first_line,
            "ErrorDocument 401 names a full URL, so httpd answers with a redirect instead of "
            "401 and browsers never ask for a password.",
            "Use a local path (ErrorDocument 401 /401.html), a quoted message, or 'default'.");
        continue;
      }
      if (!target.starts_with('/')) continue;  // "default" or a message
      std::string url = target.substr(0, target.find_first_of("?#"));
      if (!in_.directory_facts.document_root) {
        add_at(LintId::ErrorDocument401, LintLevel::Info, d->first_line,
               "ErrorDocument 401 " + url +
                   ": the document root serving this directory is unknown, so whether the page "
                   "exists was not checked (a missing page under a CMS catch-all rewrite gives "
                   "404 and no login prompt).",
               "Pass --server-config so the DocumentRoot can be read.");
        continue;
      }
      std::string file = *in_.directory_facts.document_root + url;
      const FileFacts& facts = env_.file(file);
      if (!facts.exists) {
        add(LintId::ErrorDocument401, d->first_line,
            "ErrorDocument 401 " + url + " does not exist (" + file +
                "). httpd then serves the 404 handler instead; with a CMS catch-all rewrite the "
                "client gets 404 and the browser never asks for a password.",
            "Create the page, or use 'ErrorDocument 401 default'.");
      }
    }
  }

  void check_panels() {
    BlockScan scan = find_managed_block(doc_);
    if (scan.block && !scan.block->intact()) {
      add_at(LintId::PanelBlock, LintLevel::Warning, scan.block->begin_line,
             "The authdiag protection block was edited by hand (its checksum does not match).",
             "Run authdiag protect again to rewrite the block, or remove it with unprotect.");
    }
    ForeignAuth foreign = find_foreign_auth(doc_, scan);
    for (const auto& region : foreign.regions) {
      if (region.panel == Panel::Manual || region.panel == Panel::None) continue;
      add(LintId::PanelBlock, region.first_line,
          "Lines " + std::to_string(region.first_line) + "-" + std::to_string(region.last_line) +
              " are managed by " + std::string(panel_name(region.panel)) + " (" + region.summary +
              ").",
          "Change them through that panel, or take them over with authdiag protect --adopt " +
              std::string(panel_name(region.panel)) + ".");
    }
  }

  // Everything about one scope: the directory itself, or one <Files>/<Limit>/<If> section.
  void check_scope(const AuthScope& scope, const std::vector<HtaccessDirective>& local,
                   bool directory_level) {
    const HtaccessDirective* local_auth_type = nullptr;
    const HtaccessDirective* local_user_file = nullptr;
    const HtaccessDirective* local_group_file = nullptr;
    std::vector<const HtaccessDirective*> local_requires;
    walk(local, server_, [&](const HtaccessDirective& d, const WalkState& state) {
      if (!state.active || state.scoped > 0 || d.kind != DirectiveKind::Directive) return;
      if (iequals(d.name, "AuthType")) local_auth_type = &d;
      if (iequals(d.name, "AuthUserFile")) local_user_file = &d;
      if (iequals(d.name, "AuthGroupFile")) local_group_file = &d;
      if (iequals(d.name, "Require")) local_requires.push_back(&d);
    });
    const bool protects = scope.needs_authentication();
    const std::string auth_type = scope.auth_type ? scope.auth_type->value : std::string();
    const bool type_none = auth_type.empty() || iequals(auth_type, "None");

    std::size_t require_line = 0;
    for (const auto* d : local_requires) {
      auto rule = parse_require(*d, false, in_.path);
      AuthScope probe;
      if (rule) probe.require_rules.push_back(*rule);
      if (probe.needs_authentication()) {
        require_line = d->first_line;
        break;
      }
    }
    if (require_line > 0 && type_none) {
      bool unknown = !server_.known;
      add_at(LintId::RequireWithoutAuthType, unknown ? LintLevel::Warning : LintLevel::Error,
             require_line,
             std::string("Require needs an authenticated user but ") +
                 (auth_type.empty() ? "no AuthType is set" : "AuthType is None") +
                 " here or in a parent directory: httpd answers 500 ('No authentication done "
                 "but request not allowed without authentication')." +
                 (unknown ? " The server config could not be read; it may set AuthType for this "
                            "directory."
                          : ""),
             "Add 'AuthType Basic' and an AuthName.");
    }
    if (protects && !type_none && !scope.auth_name &&
        (iequals(auth_type, "Basic") || iequals(auth_type, "Digest"))) {
      std::size_t line = local_auth_type ? local_auth_type->first_line : require_line;
      if (line > 0) {
        add(LintId::AuthTypeWithoutAuthName, line,
            "AuthType " + auth_type +
                " without AuthName: httpd answers 500 (AH01615) for every request.",
            "Add AuthName \"Restricted area\".");
      }
    }

    // User file: checked where this file names it, or where this file's Require relies on it.
    const bool file_provider =
        !scope.basic_provider || scope.basic_provider->value.find("file") != std::string::npos;
    if (local_user_file != nullptr && !local_user_file->args.empty() &&
        local_user_file->args.size() == 1 && scope.user_file) {
      check_user_file(scope, local_user_file->first_line);
    } else if (require_line > 0 && protects && file_provider && !type_none) {
      if (!scope.user_file) {
        add(LintId::UserFileMissing, require_line,
            "Require needs a user but no AuthUserFile is set here or in a parent directory: "
            "every request with credentials gets 500.",
            "Add AuthUserFile \"/absolute/path/outside/docroot/.htpasswd\".");
      } else if (!env_.file(scope.user_file->value).exists) {
        check_user_file(scope, require_line);
      }
    }
    if (scope.user_file && protects && file_provider) {
      check_require_users(scope, local_requires);
    }
    if (local_group_file != nullptr || (scope.group_file && !local_requires.empty())) {
      check_group_file(scope, local_requires,
                       local_group_file ? local_group_file->first_line : require_line);
    }
    if (directory_level) {
      bool local_auth = !auth_lines_.empty();
      if (local_auth && !protects && !any_user_require_) {
        add(LintId::AuthWithoutRequire, auth_lines_.front()->first_line,
            "Auth lines without a Require that needs a user: httpd asks nobody for a password "
            "and serves the directory to everyone.",
            "Add 'Require valid-user', or remove the leftover Auth lines.");
      }
      check_digest(scope);
      check_wp_admin(scope);
    }
  }

  void check_user_file(const AuthScope& scope, std::size_t line) {
    const std::string& path = scope.user_file->value;
    const FileFacts& facts = env_.file(path);
    if (!facts.exists) {
      add(LintId::UserFileMissing, line,
          "The user file " + path + " does not exist" +
              (facts.error.empty() ? std::string() : " (" + facts.error + ")") +
              ". Anonymous requests still get 401, so the site looks protected, but every "
              "request with credentials gets 500 (AH01620).",
          "Create it (authdiag user add --user-file " + path + " ...) or correct AuthUserFile.");
      return;
    }
    if (!facts.regular) {
      add(LintId::UserFileNotRegular, line,
          "The user file " + path + " is not a regular file" +
              (facts.directory ? " (it is a directory)" : "") +
              ": every request with credentials gets 500.",
          "Point AuthUserFile at the password file itself.");
      return;
    }
    if (facts.readable_by_httpd == false) {
      add(LintId::UserFileUnreadable, line,
          "httpd runs as " + run_user_text() + " and cannot read the user file " + path +
              ": anonymous requests get 401, every request with credentials gets 500 "
              "(AH01620).",
          "Give the httpd group read access: chgrp <httpd group> " + path + " && chmod 0640 " +
              path + ".");
    } else if (!facts.readable_by_httpd) {
      add_at(LintId::UserFileUnreadable, LintLevel::Info, line,
             "Could not tell whether httpd can read " + path + ": " +
                 (server_.run_user_note.empty() ? std::string("the httpd user is unknown")
                                                : server_.run_user_note) +
                 ".",
             "Pass --server-config so the User directive can be read.");
    }
    const UserFileSummary& summary = env_.user_file(path);
    out_.insert(out_.end(), summary.findings.begin(), summary.findings.end());
  }

  void check_require_users(const AuthScope& scope,
                           const std::vector<const HtaccessDirective*>& local_requires) {
    const UserFileSummary& summary = env_.user_file(scope.user_file->value);
    if (!summary.readable) return;
    for (const auto* d : local_requires) {
      auto rule = parse_require(*d, false, in_.path);
      if (!rule || rule->negated || rule->provider != "user") continue;
      std::vector<std::string> absent;
      std::vector<std::string> case_only;
      for (const auto& name : rule->args) {
        if (std::find(summary.users.begin(), summary.users.end(), name) != summary.users.end()) {
          continue;
        }
        absent.push_back(name);
        if (std::any_of(summary.users.begin(), summary.users.end(),
                        [&](const std::string& u) { return iequals(u, name); })) {
          case_only.push_back(name);
        }
      }
      if (absent.empty()) continue;
      bool none_left = absent.size() == rule->args.size();
      add_at(LintId::RequireUserAbsent, none_left ? LintLevel::Error : LintLevel::Warning,
             d->first_line,
             "Require user " + some_names(absent) + ": not in " + scope.user_file->value +
                 (case_only.empty() ? std::string()
                                    : " (user names are case-sensitive; a differently cased "
                                      "entry exists for " +
                                          some_names(case_only) + ")") +
                 (none_left ? ". Nobody can log on: even correct passwords get 401."
                            : ". Those names can never log on."),
             "Add the user to the file, or fix the name in the Require line.");
    }
  }

  void check_group_file(const AuthScope& scope,
                        const std::vector<const HtaccessDirective*>& local_requires,
                        std::size_t line) {
    if (!scope.group_file) return;
    const std::string& path = scope.group_file->value;
    const FileFacts& facts = env_.file(path);
    if (!facts.exists || !facts.regular || facts.readable_by_httpd == false) {
      add(LintId::GroupFileProblem, line,
          "The group file " + path +
              (!facts.exists    ? " does not exist"
               : !facts.regular ? " is not a regular file"
                                : " is not readable by " + run_user_text()) +
              ": every 'Require group' fails and users who log on correctly get 401 again.",
          "Create the group file or fix AuthGroupFile and its permissions.");
      return;
    }
    if (!facts.content) return;
    GroupFileSummary groups = read_group_file(*facts.content);
    for (const auto* d : local_requires) {
      auto rule = parse_require(*d, false, in_.path);
      if (!rule || rule->negated || rule->provider != "group") continue;
      std::vector<std::string> absent;
      for (const auto& name : rule->args) {
        if (std::find(groups.groups.begin(), groups.groups.end(), name) == groups.groups.end()) {
          absent.push_back(name);
        }
      }
      if (absent.empty()) continue;
      add(LintId::GroupFileProblem, d->first_line,
          "Require group " + some_names(absent) + ": no such group in " + path +
              "; nobody is admitted through it.",
          "Add the group line ('name: user1 user2') or fix the Require line.");
    }
  }

  void check_digest(const AuthScope& scope) {
    if (!scope.user_file || !scope.auth_type || auth_lines_.empty()) return;
    const UserFileSummary& summary = env_.user_file(scope.user_file->value);
    if (!summary.readable || summary.users.empty()) return;
    const std::string& type = scope.auth_type->value;
    std::size_t line =
        scope.auth_type->file == in_.path ? scope.auth_type->line : auth_lines_.front()->first_line;
    if (iequals(type, "Digest") && !summary.digest_format) {
      add(LintId::DigestBasicMismatch, line,
          "AuthType Digest with an htpasswd-format user file: every logon fails (AH01781).",
          "Use AuthType Basic, or create the users with htdigest.");
    } else if (iequals(type, "Basic") && summary.digest_format) {
      add(LintId::DigestBasicMismatch, line,
          "AuthType Basic with an htdigest-format user file (user:realm:hash): every logon "
          "fails.",
          "Use AuthType Digest, or create the users with authdiag user add.");
    } else if (iequals(type, "Digest") && scope.auth_name &&
               std::find(summary.digest_realms.begin(), summary.digest_realms.end(),
                         scope.auth_name->value) == summary.digest_realms.end()) {
      add(LintId::DigestBasicMismatch, line,
          "AuthName '" + scope.auth_name->value +
              "' is not a realm of the htdigest file; Digest logons only match entries of the "
              "same realm.",
          "Make AuthName equal the realm the users were created with.");
    }
  }

  void check_wp_admin(const AuthScope& scope) {
    if (base_name(in_.directory) != "wp-admin" || !scope.needs_authentication()) return;
    if (in_.bytes.find("admin-ajax.php") != std::string_view::npos) return;
    if (!any_user_require_) return;
    add(LintId::WpAdminAjax, require_lines_.empty() ? 0 : require_lines_.front()->first_line,
        "wp-admin is password-protected without an exception for admin-ajax.php, which "
        "WordPress front-end features call anonymously: they break or prompt visitors.",
        "Add <Files admin-ajax.php> Require all granted </Files> to this file.");
  }

  void check_scopes() {
    check_scope(directory_scope_, doc_.directives, true);
    for (std::size_t index : scoped_sections_) {
      std::vector<HtaccessDirective> body = section_body(doc_.directives, index);
      AuthScope scope = merge_auth_level(directory_scope_, body, in_.path, server_);
      check_scope(scope, body, false);
    }
  }

  void check_acme() {
    if (!directory_scope_.needs_authentication() || !any_user_require_) return;
    const auto& root = in_.directory_facts.document_root;
    bool covers_root = root && (*root == in_.directory || is_under(*root, in_.directory));
    std::string base = covers_root ? *root : in_.directory;
    if (!covers_root) {
      // Without a known document root, only warn when an ACME directory is right here.
      if (root || !env_.file(base + "/.well-known/acme-challenge").directory) return;
    }
    if (server_.acme_open) return;
    for (const std::string& candidate :
         {base + "/.well-known/acme-challenge/.htaccess", base + "/.well-known/.htaccess"}) {
      const FileFacts& facts = env_.file(candidate);
      if (!facts.content) continue;
      HtaccessDocument child = parse_htaccess(*facts.content);
      AuthScope scope = merge_auth_level(directory_scope_, child.directives, candidate, server_);
      if (!scope.needs_authentication()) return;
    }
    add(LintId::AcmeChallengeProtected, require_line(),
        "This protection covers " + base +
            "/.well-known/acme-challenge/, so Let's Encrypt HTTP-01 validation gets 401 and "
            "certificate renewal fails.",
        "Create " + base +
            "/.well-known/acme-challenge/.htaccess containing 'Require all granted'.");
  }

  std::size_t require_line() const {
    return require_lines_.empty() ? 0 : require_lines_.front()->first_line;
  }

  const HtaccessLintInput& in_;
  const HtaccessDocument& doc_;
  const ServerFacts& server_;
  LintEnvironment& env_;
  std::vector<LintFinding> out_;
  std::vector<const HtaccessDirective*> auth_lines_;
  std::vector<const HtaccessDirective*> require_lines_;
  std::vector<const HtaccessDirective*> compat_lines_;
  std::vector<const HtaccessDirective*> error_documents_;
  std::vector<std::size_t> scoped_sections_;
  bool any_user_require_ = false;
  AuthScope directory_scope_;
};

}  // namespace

std::vector<LintFinding> lint_htaccess(const HtaccessLintInput& input, LintEnvironment& env) {
  constexpr std::string_view kBom = "\xEF\xBB\xBF";
  const auto& directives = input.document->directives;
  if (!input.document->has_bom || directives.empty() ||
      !directives.front().name.starts_with(kBom)) {
    return HtaccessLinter(input, env).run();
  }
  // AD-L001 covers the BOM; the other checks look at the directive httpd fails to recognise.
  HtaccessDocument document = *input.document;
  document.directives.front().name.erase(0, kBom.size());
  HtaccessLintInput stripped = input;
  stripped.document = &document;
  return HtaccessLinter(stripped, env).run();
}

}  // namespace authdiag::core
