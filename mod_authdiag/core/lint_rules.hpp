// SPDX-License-Identifier: Apache-2.0
// The lint catalogue (stable ids AD-L001…) and its checks over parsed .htaccess and user files.
// Pure: every fact about the filesystem and the server config comes in through the inputs and
// LintEnvironment, so the checks run the same on a real tree and on test data.
#pragma once

#include "core/htaccess.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace authdiag::core {

enum class LintLevel : std::uint8_t { Info, Warning, Error };

std::string_view lint_level_name(LintLevel level) noexcept;  // "info", "warning", "error"
std::optional<LintLevel> lint_level_from_name(std::string_view name) noexcept;

// In catalogue order; the numeric id of a rule never changes (docs/lint.md).
enum class LintId : std::uint8_t {
  HtaccessBom,              // AD-L001
  HtaccessIgnored,          // AD-L002
  AuthConfigNotAllowed,     // AD-L003
  AuthWithoutRequire,       // AD-L004
  RequireWithoutAuthType,   // AD-L005
  AuthTypeWithoutAuthName,  // AD-L006
  TrailingBackslash,        // AD-L007
  UserFileRelative,         // AD-L008
  DirectiveArguments,       // AD-L009
  UserFileMissing,          // AD-L010
  UserFileUnreadable,       // AD-L011
  UserFileNotRegular,       // AD-L012
  UserFileServed,           // AD-L013
  UserFilePermissions,      // AD-L014
  UserFileBom,              // AD-L015
  UserFileCrlf,             // AD-L016
  UserFileDuplicateUser,    // AD-L017
  UserFileEmpty,            // AD-L018
  RequireUserAbsent,        // AD-L019
  HashPlaintext,            // AD-L020
  HashDes,                  // AD-L021
  HashSha1,                 // AD-L022
  HashBcryptLowCost,        // AD-L023
  HashUnverifiable,         // AD-L024
  HashLibcDependent,        // AD-L025
  DigestBasicMismatch,      // AD-L026
  AccessCompatMissing,      // AD-L027
  AccessCompatMixed,        // AD-L028
  AcmeChallengeProtected,   // AD-L029
  ErrorDocument401,         // AD-L030
  StaleArtifact,            // AD-L031
  RequireUnknownProvider,   // AD-L032
  PanelBlock,               // AD-L033
  HtaccessUnreadable,       // AD-L034
  GroupFileProblem,         // AD-L035
  UserFileMalformedLine,    // AD-L036
  UserFileWhitespace,       // AD-L037
  WpAdminAjax,              // AD-L038
  ServerConfigUnknown,      // AD-L039
  HtaccessSyntax,           // AD-L040
};

struct LintRule {
  LintId rule;
  std::string_view id;     // "AD-L001"
  std::string_view name;   // "htaccess-bom"
  LintLevel level;         // the usual level; a finding may be lower when a fact is unknown
  std::string_view title;  // one line
};

extern const std::array<LintRule, 40> kLintRules;
const LintRule& lint_rule(LintId rule) noexcept;

struct LintFinding {
  LintId rule = LintId::HtaccessBom;
  LintLevel level = LintLevel::Error;
  std::string file;
  std::size_t line = 0;  // 1-based; 0 when not about one line
  std::string message;
  std::string fix;
};

// ---------------------------------------------------------------------------------------------
// Facts

// What the caller found out about one path. Unknown facts stay nullopt.
struct FileFacts {
  bool exists = false;
  bool regular = false;
  bool directory = false;
  bool world_readable = false;
  std::optional<bool> readable_by_httpd;  // nullopt: the user httpd runs as is not known
  std::optional<bool> writable_by_httpd;
  std::optional<std::string> content;  // regular files this process could read
  std::string error;                   // why the path could not be examined or read
};

// What the server config says, independent of the directory.
struct ServerFacts {
  bool known = false;          // the config was read
  std::string config_file;     // the file read or tried
  std::string unknown_reason;  // why it could not be read
  std::string server_root = "/etc/apache2";
  std::optional<std::string> run_user;  // "www-data (uid 33)"
  std::string run_user_note;            // why the run user is unknown
  // Module identifiers as LoadModule names them ("access_compat_module") and their source
  // file names ("mod_access_compat.c"), for <IfModule> and provider checks.
  std::vector<std::string> modules;
  std::vector<std::string> served_roots;  // DocumentRoot and Alias targets, absolute
  bool denies_ht_files = false;           // <Files ".ht*"> / <FilesMatch "^\.ht"> denied
  bool acme_open = false;  // the config grants /.well-known/acme-challenge/ to everyone

  // nullopt when the config is unknown.
  std::optional<bool> has_module(std::string_view name) const;
};

// What the server config says about one directory.
struct DirectoryFacts {
  std::optional<bool> htaccess_read;         // AllowOverride (List) lets httpd read the file
  std::optional<bool> auth_config_allowed;   // AuthConfig (or the Auth* names) allowed
  std::string override_origin;               // "apache2.conf:172" of the deciding AllowOverride
  std::optional<std::string> document_root;  // the DocumentRoot that serves this directory
};

// Where a merged setting came from.
struct SourcedValue {
  std::string value;
  std::string file;
  std::size_t line = 0;
};

struct RequireRule {
  std::string provider;  // "valid-user", "user", "all", ...
  std::vector<std::string> args;
  bool negated = false;
  std::string file;
  std::size_t line = 0;
};

// The auth settings of a directory after merging its parents, the way httpd merges per-directory
// configs with AuthMerging Off: Auth* values are inherited unless set again; a level that has any
// Require replaces the parent's Require rules.
struct AuthScope {
  std::optional<SourcedValue> auth_type;
  std::optional<SourcedValue> auth_name;
  std::optional<SourcedValue> user_file;  // resolved to an absolute path
  std::optional<SourcedValue> group_file;
  std::optional<SourcedValue> basic_provider;
  std::vector<RequireRule> require_rules;

  // Some Require rule needs an authenticated user (valid-user, user, group, ...).
  bool needs_authentication() const noexcept;
};

// Users and content findings of one user file; computed once per path and shared.
struct UserFileSummary {
  bool readable = false;           // content was available
  std::vector<std::string> users;  // in file order, duplicates removed
  bool digest_format = false;      // every entry is user:realm:32-hex (htdigest)
  std::vector<std::string> digest_realms;
  std::vector<LintFinding> findings;  // about the file itself
};

// Group names of an AuthGroupFile ("group: user user").
struct GroupFileSummary {
  bool readable = false;
  std::vector<std::string> groups;
};

class LintEnvironment {
 public:
  virtual ~LintEnvironment() = default;
  // Facts about an absolute path (no symlink following beyond what httpd does).
  virtual const FileFacts& file(const std::string& path) = 0;
  virtual const UserFileSummary& user_file(const std::string& path) = 0;
  // Whether apr_password_validate of this build verifies hashes with this prefix (see
  // hash_prefix()); nullopt when it was not tested.
  virtual std::optional<bool> hash_prefix_verifiable(std::string_view prefix) = 0;
};

// The self-test key of a stored hash: "$2y$", "$2a$", "$2b$", "$2x$", "$apr1$", "{SHA}", "$1$",
// "$5$", "$6$", "$y$", "des"; empty for anything else.
std::string_view hash_prefix(std::string_view hash) noexcept;

// ---------------------------------------------------------------------------------------------
// Checks

// `facts` must describe `path`. `served` says whether a served directory (DocumentRoot, Alias)
// contains the file.
UserFileSummary lint_user_file(const std::string& path, const FileFacts& facts,
                               const ServerFacts& server, LintEnvironment& env);

GroupFileSummary read_group_file(std::string_view content);

// Merges one configuration level (the directives of a .htaccess, or of one <Directory> section
// of the server config) over `parent`. Only directory-wide directives count: those inside
// <Files>, <Limit>, <If> ... are skipped, <IfModule> is honoured when modules are known.
AuthScope merge_auth_level(const AuthScope& parent, const std::vector<HtaccessDirective>& level,
                           std::string_view file, const ServerFacts& server);

struct HtaccessLintInput {
  std::string path;       // the .htaccess file
  std::string directory;  // the directory it configures, absolute, without trailing '/'
  std::string_view bytes;
  const HtaccessDocument* document = nullptr;
  const ServerFacts* server = nullptr;
  DirectoryFacts directory_facts;
  AuthScope inherited;  // merged settings of the parent directories
  // The directives are the body of a <Directory> section of the server config (vhost includes of
  // Plesk, HestiaCP, aaPanel): `path` is the config file and the .htaccess-only checks are off.
  bool in_server_config = false;
};

std::vector<LintFinding> lint_htaccess(const HtaccessLintInput& input, LintEnvironment& env);

// Names of leftover editor, panel and htpasswd files (".htaccess.webmintmp.123", "passwd.bak",
// "htpasswd.tmp.XXXXXX", ".htaccess.lock", "x~").
bool is_stale_artifact(std::string_view name) noexcept;

// AD-L031 for the leftover files among `names` (the entries of a served directory).
std::vector<LintFinding> lint_directory_entries(std::string_view directory,
                                                const std::vector<std::string>& names,
                                                const ServerFacts& server);

}  // namespace authdiag::core
