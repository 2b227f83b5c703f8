// SPDX-License-Identifier: Apache-2.0
// The lint catalogue over in-memory facts: for every rule one case that must produce it and one
// that must not. httpd behaviour behind each rule: hosting-panels.md §2.2 (c01–c30).
#include "core/lint_rules.hpp"

#include "core/htaccess.hpp"

#include <algorithm>
#include <gtest/gtest.h>
#include <map>
#include <set>
#include <string>

namespace authdiag::core {
namespace {

constexpr std::string_view kBcrypt10 =
    "$2y$10$YVva15fTe5BsPW2wu6868O4Tr7683ORai2OcX8ap3kmfOgKdMP53q";  // htpasswd -B -C 10
constexpr std::string_view kBcrypt5 =
    "$2y$05$zlrNzHXbk4PH7Z9z4thNPOtdEA2O6b62BThmUzJ2hBo.TfIwZnj/C";  // htpasswd -B -C 5
constexpr std::string_view kSha512 =
    "$6$abcdefghijklmnop$BiL0p1xhHxK9WThOreqDh9sTxT.ufn7xIAC1WT/nl9vah28G/"
    "mQjxaqdagA1XWLBfqXWjSh.EeI0dXkWhYIEa1";  // openssl passwd -6
constexpr std::string_view kDigestLine = "alice:Members:151239daa5f1408602543b81b1f68fb7";

constexpr std::string_view kDocroot = "/srv/www/site";
constexpr std::string_view kDir = "/srv/www/site/priv";
constexpr std::string_view kUserFile = "/srv/auth/passwd";

const std::string kProtected =
    "AuthType Basic\n"
    "AuthName \"Members\"\n"
    "AuthUserFile \"/srv/auth/passwd\"\n"
    "Require valid-user\n";

class FakeEnvironment final : public LintEnvironment {
 public:
  ServerFacts server;
  std::map<std::string, FileFacts> files;
  std::map<std::string, bool> hash_support;

  FakeEnvironment() {
    server.known = true;
    server.config_file = "/etc/apache2/apache2.conf";
    server.run_user = "www-data (uid 33)";
    server.modules = {"authz_core_module",      "authz_user_module", "authz_host_module",
                      "authz_groupfile_module", "auth_basic_module", "mod_auth_basic.c",
                      "mod_authz_core.c"};
    server.served_roots = {std::string(kDocroot)};
    server.denies_ht_files = true;
    for (const char* prefix :
         {"$2y$", "$2a$", "$2b$", "$apr1$", "{SHA}", "$1$", "$5$", "$6$", "$y$", "des"}) {
      hash_support[prefix] = true;
    }
    add(std::string(kUserFile), "alice:" + std::string(kBcrypt10) + "\n", 0640);
  }

  // A regular file readable by httpd; `mode` only decides world-readability.
  FileFacts& add(const std::string& path, std::string content, unsigned mode = 0640) {
    FileFacts facts;
    facts.exists = true;
    facts.regular = true;
    facts.world_readable = (mode & 04U) != 0;
    facts.readable_by_httpd = true;
    facts.writable_by_httpd = false;
    facts.content = std::move(content);
    summaries_.clear();
    return files[path] = std::move(facts);
  }

  const FileFacts& file(const std::string& path) override {
    auto it = files.find(path);
    return it == files.end() ? missing_ : it->second;
  }

  const UserFileSummary& user_file(const std::string& path) override {
    auto it = summaries_.find(path);
    if (it != summaries_.end()) return it->second;
    return summaries_[path] = lint_user_file(path, file(path), server, *this);
  }

  std::optional<bool> hash_prefix_verifiable(std::string_view prefix) override {
    auto it = hash_support.find(std::string(prefix));
    if (it == hash_support.end()) return std::nullopt;
    return it->second;
  }

 private:
  FileFacts missing_;
  std::map<std::string, UserFileSummary> summaries_;
};

struct Case {
  FakeEnvironment env;
  DirectoryFacts dir_facts{true, true, "apache2.conf:12", std::string(kDocroot)};
  std::string directory{kDir};
  AuthScope inherited;

  std::vector<LintFinding> lint(const std::string& text) {
    std::string path = directory + "/.htaccess";
    if (!env.files.contains(path)) env.add(path, text, 0644);
    HtaccessDocument doc = parse_htaccess(text);
    HtaccessLintInput input;
    input.path = path;
    input.directory = directory;
    input.bytes = text;
    input.document = &doc;
    input.server = &env.server;
    input.directory_facts = dir_facts;
    input.inherited = inherited;
    return lint_htaccess(input, env);
  }
};

std::vector<LintFinding> of(const std::vector<LintFinding>& findings, LintId id) {
  std::vector<LintFinding> out;
  std::copy_if(findings.begin(), findings.end(), std::back_inserter(out),
               [&](const LintFinding& f) { return f.rule == id; });
  return out;
}

bool has(const std::vector<LintFinding>& findings, LintId id) { return !of(findings, id).empty(); }

std::string dump(const std::vector<LintFinding>& findings) {
  std::string out;
  for (const auto& f : findings) {
    out += std::string(lint_rule(f.rule).id) + " " + std::string(lint_level_name(f.level)) + " " +
           f.file + ":" + std::to_string(f.line) + " " + f.message + "\n";
  }
  return out;
}

LintLevel level_of(const std::vector<LintFinding>& findings, LintId id) {
  auto found = of(findings, id);
  EXPECT_FALSE(found.empty());
  return found.empty() ? LintLevel::Info : found.front().level;
}

TEST(LintCatalogue, IdsAreStableUniqueAndInOrder) {
  std::set<std::string_view> ids;
  std::set<std::string_view> names;
  for (std::size_t i = 0; i < kLintRules.size(); ++i) {
    const auto& rule = kLintRules[i];
    EXPECT_EQ(static_cast<std::size_t>(rule.rule), i);
    char expected[16];
    std::snprintf(expected, sizeof expected, "AD-L%03zu", i + 1);
    EXPECT_EQ(rule.id, expected);
    EXPECT_TRUE(ids.insert(rule.id).second);
    EXPECT_TRUE(names.insert(rule.name).second) << rule.name;
    EXPECT_FALSE(rule.title.empty());
  }
}

TEST(LintRules, CleanProtectionHasNoFindings) {
  Case c;
  auto findings = c.lint(kProtected);
  EXPECT_TRUE(findings.empty()) << dump(findings);
}

TEST(LintRules, HtaccessBom) {
  Case c;
  auto findings = c.lint("\xEF\xBB\xBF" + kProtected);
  EXPECT_TRUE(has(findings, LintId::HtaccessBom));
  // The rest of the file is still read as httpd would once the BOM is gone.
  EXPECT_EQ(findings.size(), 1U) << dump(findings);
  Case clean;
  EXPECT_FALSE(has(clean.lint(kProtected), LintId::HtaccessBom));
}

TEST(LintRules, HtaccessIgnoredByAllowOverrideNone) {
  Case c;
  c.dir_facts.htaccess_read = false;
  auto findings = c.lint(kProtected);
  EXPECT_EQ(level_of(findings, LintId::HtaccessIgnored), LintLevel::Error);
  Case unrelated;
  unrelated.dir_facts.htaccess_read = false;
  EXPECT_EQ(level_of(unrelated.lint("Options -Indexes\n"), LintId::HtaccessIgnored),
            LintLevel::Info);
  Case unknown;
  unknown.dir_facts = DirectoryFacts{};
  EXPECT_FALSE(has(unknown.lint(kProtected), LintId::HtaccessIgnored));
}

TEST(LintRules, AuthConfigNotAllowed) {
  Case c;
  c.dir_facts.auth_config_allowed = false;
  EXPECT_TRUE(has(c.lint(kProtected), LintId::AuthConfigNotAllowed));
  Case no_auth;
  no_auth.dir_facts.auth_config_allowed = false;
  EXPECT_FALSE(has(no_auth.lint("Options -Indexes\n"), LintId::AuthConfigNotAllowed));
}

TEST(LintRules, AuthWithoutRequire) {
  Case c;
  auto findings = c.lint("AuthType Basic\nAuthName \"x\"\nAuthUserFile /srv/auth/passwd\n");
  ASSERT_TRUE(has(findings, LintId::AuthWithoutRequire)) << dump(findings);
  EXPECT_EQ(of(findings, LintId::AuthWithoutRequire).front().line, 1U);
  // "Require all granted" is no protection either (Webmin "Un-Protect" leftovers + carve-out).
  Case granted;
  EXPECT_TRUE(has(granted.lint("AuthType Basic\nAuthName x\nRequire all granted\n"),
                  LintId::AuthWithoutRequire));
  // A parent's Require still applies when this file only changes the user file.
  Case child;
  child.inherited.auth_type = SourcedValue{"Basic", "/srv/www/site/.htaccess", 1};
  child.inherited.auth_name = SourcedValue{"Members", "/srv/www/site/.htaccess", 2};
  child.inherited.require_rules.push_back({"valid-user", {}, false, "/srv/www/site/.htaccess", 4});
  auto inherited = child.lint("AuthUserFile /srv/auth/passwd\n");
  EXPECT_FALSE(has(inherited, LintId::AuthWithoutRequire)) << dump(inherited);
  // A Require inside <Files> protects that file.
  Case files;
  EXPECT_FALSE(has(files.lint("AuthType Basic\nAuthName x\nAuthUserFile /srv/auth/passwd\n"
                              "<Files admin.php>\nRequire valid-user\n</Files>\n"),
                   LintId::AuthWithoutRequire));
}

TEST(LintRules, RequireWithoutAuthType) {
  Case c;
  auto findings = c.lint("AuthUserFile /srv/auth/passwd\nRequire valid-user\n");
  EXPECT_EQ(level_of(findings, LintId::RequireWithoutAuthType), LintLevel::Error);
  EXPECT_EQ(of(findings, LintId::RequireWithoutAuthType).front().line, 2U);
  // AuthType from a parent directory.
  Case inherited;
  inherited.inherited.auth_type = SourcedValue{"Basic", "/srv/www/site/.htaccess", 1};
  inherited.inherited.auth_name = SourcedValue{"Members", "/srv/www/site/.htaccess", 2};
  EXPECT_FALSE(has(inherited.lint("AuthUserFile /srv/auth/passwd\nRequire user alice\n"),
                   LintId::RequireWithoutAuthType));
  // Require all/ip need no authentication.
  Case ip;
  EXPECT_FALSE(has(ip.lint("Require ip 10.0.0.0/8\n"), LintId::RequireWithoutAuthType));
  // Without the server config, it may set AuthType: say so, at warning level.
  Case unknown;
  unknown.env.server.known = false;
  unknown.env.server.modules.clear();
  auto maybe = unknown.lint("AuthUserFile /srv/auth/passwd\nRequire valid-user\n");
  EXPECT_EQ(level_of(maybe, LintId::RequireWithoutAuthType), LintLevel::Warning);
  EXPECT_NE(of(maybe, LintId::RequireWithoutAuthType).front().message.find("could not be read"),
            std::string::npos);
}

TEST(LintRules, AuthTypeWithoutAuthName) {
  Case c;
  EXPECT_TRUE(has(c.lint("AuthType Basic\nAuthUserFile /srv/auth/passwd\nRequire valid-user\n"),
                  LintId::AuthTypeWithoutAuthName));
  Case clean;
  EXPECT_FALSE(has(clean.lint(kProtected), LintId::AuthTypeWithoutAuthName));
}

TEST(LintRules, TrailingBackslash) {
  Case c;
  auto findings = c.lint(
      "AuthType Basic\nAuthName \"Trailing\\\\\"\nAuthUserFile /srv/auth/passwd\n"
      "Require valid-user\n");
  ASSERT_TRUE(has(findings, LintId::TrailingBackslash)) << dump(findings);
  EXPECT_EQ(of(findings, LintId::TrailingBackslash).front().line, 2U);
  // Two backslashes after unquoting are an escaped backslash: no crash.
  Case even;
  EXPECT_FALSE(has(even.lint("AuthType Basic\nAuthName \"Even\\\\\\\\\"\n"
                             "AuthUserFile /srv/auth/passwd\nRequire valid-user\n"),
                   LintId::TrailingBackslash));
  Case unquoted;
  EXPECT_TRUE(has(unquoted.lint("AuthType Basic\\\\\n"), LintId::TrailingBackslash));
}

TEST(LintRules, RelativeUserFile) {
  Case c;
  auto findings =
      c.lint("AuthType Basic\nAuthName x\nAuthUserFile .htpasswd\nRequire valid-user\n");
  ASSERT_TRUE(has(findings, LintId::UserFileRelative));
  EXPECT_NE(of(findings, LintId::UserFileRelative).front().message.find("/etc/apache2/.htpasswd"),
            std::string::npos);
  Case clean;
  EXPECT_FALSE(has(clean.lint(kProtected), LintId::UserFileRelative));
}

TEST(LintRules, DirectiveArguments) {
  Case spaces;
  auto findings = spaces.lint(
      "AuthType Basic\nAuthName x\nAuthUserFile /srv/my auth/passwd\n"
      "Require valid-user\n");
  ASSERT_TRUE(has(findings, LintId::DirectiveArguments));
  EXPECT_EQ(of(findings, LintId::DirectiveArguments).front().line, 3U);
  Case comment;
  auto commented = comment.lint(
      "AuthType Basic # panel\nAuthName x\n"
      "AuthUserFile /srv/auth/passwd\nRequire valid-user\n");
  ASSERT_TRUE(has(commented, LintId::DirectiveArguments));
  EXPECT_NE(of(commented, LintId::DirectiveArguments).front().message.find("comment"),
            std::string::npos);
  Case unquoted_realm;
  EXPECT_TRUE(has(unquoted_realm.lint("AuthType Basic\nAuthName Members Only\n"),
                  LintId::DirectiveArguments));
  Case quoted;
  quoted.env.add("/srv/my auth/passwd", "alice:" + std::string(kBcrypt10) + "\n");
  auto ok = quoted.lint(
      "AuthType Basic\nAuthName \"Members Only\"\n"
      "AuthUserFile \"/srv/my auth/passwd\"\nRequire valid-user\n");
  EXPECT_TRUE(ok.empty()) << dump(ok);
}

TEST(LintRules, UserFileMissing) {
  Case c;
  c.env.files.erase(std::string(kUserFile));
  auto findings = c.lint(kProtected);
  ASSERT_TRUE(has(findings, LintId::UserFileMissing)) << dump(findings);
  EXPECT_EQ(of(findings, LintId::UserFileMissing).front().line, 3U);
  Case none;
  EXPECT_TRUE(
      has(none.lint("AuthType Basic\nAuthName x\nRequire valid-user\n"), LintId::UserFileMissing));
  Case other_provider;
  EXPECT_FALSE(has(other_provider.lint("AuthType Basic\nAuthName x\nAuthBasicProvider dbm\n"
                                       "Require valid-user\n"),
                   LintId::UserFileMissing));
}

TEST(LintRules, UserFileUnreadableByHttpd) {
  Case c;
  c.env.files[std::string(kUserFile)].readable_by_httpd = false;
  EXPECT_EQ(level_of(c.lint(kProtected), LintId::UserFileUnreadable), LintLevel::Error);
  Case unknown;
  unknown.env.files[std::string(kUserFile)].readable_by_httpd = std::nullopt;
  EXPECT_EQ(level_of(unknown.lint(kProtected), LintId::UserFileUnreadable), LintLevel::Info);
  Case clean;
  EXPECT_FALSE(has(clean.lint(kProtected), LintId::UserFileUnreadable));
}

TEST(LintRules, UserFileNotRegular) {
  Case c;
  FileFacts dir;
  dir.exists = true;
  dir.directory = true;
  c.env.files[std::string(kUserFile)] = dir;
  EXPECT_TRUE(has(c.lint(kProtected), LintId::UserFileNotRegular));
  Case clean;
  EXPECT_FALSE(has(clean.lint(kProtected), LintId::UserFileNotRegular));
}

TEST(LintRules, UserFileServed) {
  const std::string body = "alice:" + std::string(kBcrypt10) + "\n";
  Case c;
  c.env.add("/srv/www/site/priv/htusers", body);
  auto findings = c.lint(
      "AuthType Basic\nAuthName x\nAuthUserFile /srv/www/site/priv/htusers\n"
      "Require valid-user\n");
  EXPECT_EQ(level_of(findings, LintId::UserFileServed), LintLevel::Error);
  // .htpasswd is covered by the server's <FilesMatch "^\.ht"> deny: information only.
  Case ht;
  ht.env.add("/srv/www/site/priv/.htpasswd", body);
  EXPECT_EQ(level_of(ht.lint("AuthType Basic\nAuthName x\n"
                             "AuthUserFile /srv/www/site/priv/.htpasswd\nRequire valid-user\n"),
                     LintId::UserFileServed),
            LintLevel::Info);
  Case no_deny;
  no_deny.env.server.denies_ht_files = false;
  no_deny.env.add("/srv/www/site/priv/.htpasswd", body);
  EXPECT_EQ(level_of(no_deny.lint("AuthType Basic\nAuthName x\n"
                                  "AuthUserFile /srv/www/site/priv/.htpasswd\n"
                                  "Require valid-user\n"),
                     LintId::UserFileServed),
            LintLevel::Error);
  Case outside;
  EXPECT_FALSE(has(outside.lint(kProtected), LintId::UserFileServed));
}

TEST(LintRules, UserFilePermissions) {
  Case c;
  c.env.add(std::string(kUserFile), "alice:" + std::string(kBcrypt10) + "\n", 0644);
  EXPECT_TRUE(has(c.lint(kProtected), LintId::UserFilePermissions));
  Case writable;
  writable.env.files[std::string(kUserFile)].writable_by_httpd = true;
  EXPECT_TRUE(has(writable.lint(kProtected), LintId::UserFilePermissions));
  Case clean;
  EXPECT_FALSE(has(clean.lint(kProtected), LintId::UserFilePermissions));
}

// Content rules of the user file, each with one bad and one good file.
struct ContentCase {
  const char* name;
  std::string bad;
  std::string good;
  LintId rule;
};

TEST(LintRules, UserFileContent) {
  const std::string b10(kBcrypt10);
  const std::vector<ContentCase> cases{
      {"bom",
       "\xEF\xBB\xBF"
       "alice:" +
           b10 + "\n",
       "alice:" + b10 + "\n", LintId::UserFileBom},
      {"crlf", "alice:" + b10 + "\r\n", "alice:" + b10 + "\n", LintId::UserFileCrlf},
      {"duplicate", "alice:" + b10 + "\nalice:" + b10 + "\n",
       "alice:" + b10 + "\nbob:" + b10 + "\n", LintId::UserFileDuplicateUser},
      {"empty", "# nobody yet\n\n", "alice:" + b10 + "\n", LintId::UserFileEmpty},
      {"plaintext", "alice:secret123\n", "alice:" + b10 + "\n", LintId::HashPlaintext},
      {"des", "alice:ab.dJFiEIxlEk\n", "alice:" + b10 + "\n", LintId::HashDes},
      {"sha1", "alice:{SHA}kNBAn94qpsj15g/+B4O3OQaPzRU=\n", "alice:" + b10 + "\n",
       LintId::HashSha1},
      {"bcrypt cost", "alice:" + std::string(kBcrypt5) + "\n", "alice:" + b10 + "\n",
       LintId::HashBcryptLowCost},
      {"malformed bcrypt", "alice:$2y$10$tooshort\n", "alice:" + b10 + "\n",
       LintId::HashUnverifiable},
      {"libc crypt", "alice:" + std::string(kSha512) + "\n",
       "alice:$apr1$3859jmJX$LU/EwdeG.9ZrmnIjhD3z4.\n", LintId::HashLibcDependent},
      {"malformed line", "alice:" + b10 + "\njunk without colon\n", "alice:" + b10 + "\n",
       LintId::UserFileMalformedLine},
      {"whitespace", "  alice:" + b10 + "  \n", "alice:" + b10 + "\n", LintId::UserFileWhitespace},
      // Not 32 hex digits after the realm: not htdigest, so field 2 is taken as the hash.
      {"near-htdigest line", "bob:" + b10 + "\ndave:Members:151239daa5f1408602543b81b1f68fb7x\n",
       "alice:" + b10 + "\nbob:" + b10 + "\n", LintId::HashPlaintext},
      {"digest mixed", "bob:" + b10 + "\n" + std::string(kDigestLine) + "\n", "bob:" + b10 + "\n",
       LintId::DigestBasicMismatch},
  };
  for (const auto& tc : cases) {
    Case bad;
    bad.env.add(std::string(kUserFile), tc.bad);
    auto findings = bad.lint(kProtected);
    EXPECT_TRUE(has(findings, tc.rule)) << tc.name << "\n" << dump(findings);
    for (const auto& f : of(findings, tc.rule)) EXPECT_EQ(f.file, kUserFile) << tc.name;
    Case good;
    good.env.add(std::string(kUserFile), tc.good);
    auto clean = good.lint(kProtected);
    EXPECT_FALSE(has(clean, tc.rule)) << tc.name << "\n" << dump(clean);
  }
}

TEST(LintRules, HashUnverifiableOnThisBuild) {
  Case c;
  c.env.hash_support["$6$"] = false;
  c.env.add(std::string(kUserFile), "alice:" + std::string(kSha512) + "\n");
  auto findings = c.lint(kProtected);
  ASSERT_TRUE(has(findings, LintId::HashUnverifiable)) << dump(findings);
  EXPECT_FALSE(has(findings, LintId::HashLibcDependent));
  Case supported;
  supported.env.add(std::string(kUserFile), "alice:" + std::string(kSha512) + "\n");
  EXPECT_FALSE(has(supported.lint(kProtected), LintId::HashUnverifiable));
}

TEST(LintRules, FindingsAboutManyEntriesAreGrouped) {
  Case c;
  std::string content;
  for (int i = 0; i < 50; ++i) content += "user" + std::to_string(i) + ":plain" + "\n";
  c.env.add(std::string(kUserFile), content);
  auto findings = of(c.lint(kProtected), LintId::HashPlaintext);
  ASSERT_EQ(findings.size(), 1U);
  EXPECT_EQ(findings.front().line, 1U);
  EXPECT_NE(findings.front().message.find("50 entries"), std::string::npos);
  EXPECT_NE(findings.front().message.find("and 45 more"), std::string::npos);
}

TEST(LintRules, RequireUserAbsent) {
  Case c;
  auto findings = c.lint(
      "AuthType Basic\nAuthName x\nAuthUserFile /srv/auth/passwd\n"
      "Require user bob\n");
  EXPECT_EQ(level_of(findings, LintId::RequireUserAbsent), LintLevel::Error);
  Case cased;
  auto cased_findings = cased.lint(
      "AuthType Basic\nAuthName x\n"
      "AuthUserFile /srv/auth/passwd\nRequire user Alice\n");
  ASSERT_TRUE(has(cased_findings, LintId::RequireUserAbsent));
  EXPECT_NE(of(cased_findings, LintId::RequireUserAbsent).front().message.find("case-sensitive"),
            std::string::npos);
  Case partial;
  EXPECT_EQ(level_of(partial.lint("AuthType Basic\nAuthName x\n"
                                  "AuthUserFile /srv/auth/passwd\nRequire user alice bob\n"),
                     LintId::RequireUserAbsent),
            LintLevel::Warning);
  Case present;
  EXPECT_FALSE(has(present.lint("AuthType Basic\nAuthName x\nAuthUserFile /srv/auth/passwd\n"
                                "Require user alice\n"),
                   LintId::RequireUserAbsent));
  // The user file comes from the parent directory (aaPanel rename case).
  Case child;
  child.inherited.auth_type = SourcedValue{"Basic", "/srv/www/site/.htaccess", 1};
  child.inherited.auth_name = SourcedValue{"x", "/srv/www/site/.htaccess", 2};
  child.inherited.user_file = SourcedValue{std::string(kUserFile), "/srv/www/site/.htaccess", 3};
  EXPECT_TRUE(has(child.lint("Require user bob\n"), LintId::RequireUserAbsent));
}

TEST(LintRules, DigestBasicMismatch) {
  Case digest_htpasswd;
  EXPECT_TRUE(has(digest_htpasswd.lint("AuthType Digest\nAuthName Members\n"
                                       "AuthUserFile /srv/auth/passwd\nRequire valid-user\n"),
                  LintId::DigestBasicMismatch));
  Case basic_htdigest;
  basic_htdigest.env.add(std::string(kUserFile), std::string(kDigestLine) + "\n");
  EXPECT_TRUE(has(basic_htdigest.lint(kProtected), LintId::DigestBasicMismatch));
  Case realm;
  realm.env.add(std::string(kUserFile), std::string(kDigestLine) + "\n");
  EXPECT_TRUE(has(realm.lint("AuthType Digest\nAuthName Other\nAuthUserFile /srv/auth/passwd\n"
                             "Require valid-user\n"),
                  LintId::DigestBasicMismatch));
  Case matching;
  matching.env.add(std::string(kUserFile), std::string(kDigestLine) + "\n");
  auto ok = matching.lint(
      "AuthType Digest\nAuthName Members\nAuthUserFile /srv/auth/passwd\n"
      "Require valid-user\n");
  EXPECT_FALSE(has(ok, LintId::DigestBasicMismatch)) << dump(ok);
}

TEST(LintRules, AccessCompat) {
  const std::string compat = kProtected +
                             "<Files secret.txt>\nOrder allow,deny\nDeny from all\n"
                             "</Files>\n";
  Case missing;
  EXPECT_EQ(level_of(missing.lint(compat), LintId::AccessCompatMissing), LintLevel::Error);
  Case unknown;
  unknown.env.server.known = false;
  EXPECT_EQ(level_of(unknown.lint(compat), LintId::AccessCompatMissing), LintLevel::Warning);
  Case loaded;
  loaded.env.server.modules.push_back("access_compat_module");
  auto mixed = loaded.lint(compat);
  EXPECT_FALSE(has(mixed, LintId::AccessCompatMissing));
  EXPECT_TRUE(has(mixed, LintId::AccessCompatMixed));
  Case alone;
  alone.env.server.modules.push_back("access_compat_module");
  EXPECT_FALSE(has(alone.lint("Order allow,deny\nDeny from all\n"), LintId::AccessCompatMixed));
  // The classic fallback block is skipped when mod_authz_core is loaded.
  Case fallback;
  auto guarded = fallback.lint(
      "<IfModule !mod_authz_core.c>\nOrder allow,deny\nDeny from all\n"
      "</IfModule>\n<IfModule mod_authz_core.c>\nRequire all denied\n"
      "</IfModule>\n");
  EXPECT_FALSE(has(guarded, LintId::AccessCompatMissing)) << dump(guarded);
}

TEST(LintRules, AcmeChallengeProtected) {
  Case root;
  root.directory = std::string(kDocroot);
  auto findings = root.lint(kProtected);
  ASSERT_TRUE(has(findings, LintId::AcmeChallengeProtected)) << dump(findings);
  Case carve_out;
  carve_out.directory = std::string(kDocroot);
  carve_out.env.add(std::string(kDocroot) + "/.well-known/acme-challenge/.htaccess",
                    "Require all granted\n");
  EXPECT_FALSE(has(carve_out.lint(kProtected), LintId::AcmeChallengeProtected));
  Case server_open;
  server_open.directory = std::string(kDocroot);
  server_open.env.server.acme_open = true;
  EXPECT_FALSE(has(server_open.lint(kProtected), LintId::AcmeChallengeProtected));
  Case subdir;
  EXPECT_FALSE(has(subdir.lint(kProtected), LintId::AcmeChallengeProtected));
}

TEST(LintRules, ErrorDocument401) {
  Case missing;
  auto findings = missing.lint(kProtected + "ErrorDocument 401 /errors/401.html\n");
  EXPECT_EQ(level_of(findings, LintId::ErrorDocument401), LintLevel::Error);
  EXPECT_EQ(of(findings, LintId::ErrorDocument401).front().line, 5U);
  Case present;
  present.env.add(std::string(kDocroot) + "/errors/401.html", "<h1>401</h1>");
  EXPECT_FALSE(has(present.lint(kProtected + "ErrorDocument 401 /errors/401.html\n"),
                   LintId::ErrorDocument401));
  Case url;
  EXPECT_TRUE(has(url.lint(kProtected + "ErrorDocument 401 https://example.org/login\n"),
                  LintId::ErrorDocument401));
  Case text;
  EXPECT_FALSE(has(text.lint(kProtected + "ErrorDocument 401 \"Authorization required\"\n"),
                   LintId::ErrorDocument401));
  Case unknown_root;
  unknown_root.dir_facts.document_root.reset();
  EXPECT_EQ(level_of(unknown_root.lint(kProtected + "ErrorDocument 401 /errors/401.html\n"),
                     LintId::ErrorDocument401),
            LintLevel::Info);
}

TEST(LintRules, StaleArtifacts) {
  ServerFacts server;
  server.known = true;
  server.denies_ht_files = true;
  auto findings = lint_directory_entries(
      "/srv/www/site",
      {"index.html", ".htaccess", ".htaccess.webmintmp.4711", "passwd.bak", "htpasswd.tmp.Ab12Cd",
       "notes.txt~", ".htpasswd", ".htaccess.authdiag-lock", ".htaccess.authdiag-tmp.x1Y2"},
      server);
  std::map<std::string, LintLevel> by_file;
  for (const auto& f : findings) {
    EXPECT_EQ(f.rule, LintId::StaleArtifact);
    by_file[f.file] = f.level;
  }
  EXPECT_EQ(by_file.size(), 5U);
  // authdiag keeps its lock files on purpose; an interrupted write leaves a real temp file.
  EXPECT_FALSE(by_file.contains("/srv/www/site/.htaccess.authdiag-lock"));
  EXPECT_TRUE(by_file.contains("/srv/www/site/.htaccess.authdiag-tmp.x1Y2"));
  EXPECT_EQ(by_file["/srv/www/site/.htaccess.webmintmp.4711"], LintLevel::Info);
  EXPECT_EQ(by_file["/srv/www/site/passwd.bak"], LintLevel::Warning);
  EXPECT_EQ(by_file["/srv/www/site/htpasswd.tmp.Ab12Cd"], LintLevel::Warning);
  EXPECT_TRUE(by_file.contains("/srv/www/site/notes.txt~"));
  EXPECT_FALSE(by_file.contains("/srv/www/site/index.html"));
  EXPECT_FALSE(by_file.contains("/srv/www/site/.htaccess"));
}

TEST(LintRules, RequireProviders) {
  Case typo;
  auto findings = typo.lint(
      "AuthType Basic\nAuthName x\nAuthUserFile /srv/auth/passwd\n"
      "Require valid_user\n");
  ASSERT_EQ(level_of(findings, LintId::RequireUnknownProvider), LintLevel::Error);
  EXPECT_NE(of(findings, LintId::RequireUnknownProvider).front().message.find("valid-user"),
            std::string::npos);
  Case not_loaded;
  not_loaded.env.server.modules = {"authz_core_module", "authz_user_module"};
  not_loaded.env.add("/srv/auth/groups", "staff: alice\n");
  EXPECT_EQ(level_of(not_loaded.lint(kProtected + "AuthGroupFile /srv/auth/groups\n"
                                                  "Require group staff\n"),
                     LintId::RequireUnknownProvider),
            LintLevel::Error);
  Case third_party;
  EXPECT_EQ(
      level_of(third_party.lint("Require unix-group wheel\n"), LintId::RequireUnknownProvider),
      LintLevel::Warning);
  Case clean;
  EXPECT_FALSE(
      has(clean.lint(kProtected + "Require ip 10.0.0.0/8\n"), LintId::RequireUnknownProvider));
}

TEST(LintRules, PanelBlocks) {
  Case cpanel;
  auto findings = cpanel.lint(
      "#----------------------------------------------------------------cp:ppd\n"
      "# Section managed by cPanel: Password Protected Directories     -cp:ppd\n"
      "# - Do not edit this section of the htaccess file!              -cp:ppd\n"
      "#----------------------------------------------------------------cp:ppd\n" +
      kProtected +
      "#----------------------------------------------------------------cp:ppd\n"
      "# End section managed by cPanel: Password Protected Directories -cp:ppd\n"
      "#----------------------------------------------------------------cp:ppd\n");
  ASSERT_TRUE(has(findings, LintId::PanelBlock)) << dump(findings);
  EXPECT_EQ(of(findings, LintId::PanelBlock).front().line, 1U);
  EXPECT_NE(of(findings, LintId::PanelBlock).front().message.find("cpanel"), std::string::npos);

  // Our own block, edited by hand after protect wrote it.
  ProtectionSettings settings;
  settings.realm = "Members";
  settings.user_file = std::string(kUserFile);
  HtaccessDocument empty = parse_htaccess("");
  std::string ours = apply_managed_block(empty, find_managed_block(empty), settings, false);
  Case intact;
  EXPECT_FALSE(has(intact.lint(ours), LintId::PanelBlock));
  std::string edited = ours;
  edited.replace(edited.find("Members"), 7, "Intruder");
  Case tampered;
  EXPECT_EQ(level_of(tampered.lint(edited), LintId::PanelBlock), LintLevel::Warning);
}

TEST(LintRules, HtaccessUnreadable) {
  Case c;
  c.env.add(std::string(kDir) + "/.htaccess", kProtected).readable_by_httpd = false;
  EXPECT_TRUE(has(c.lint(kProtected), LintId::HtaccessUnreadable));
  Case clean;
  EXPECT_FALSE(has(clean.lint(kProtected), LintId::HtaccessUnreadable));
}

TEST(LintRules, GroupFile) {
  const std::string text = kProtected + "AuthGroupFile /srv/auth/groups\nRequire group admins\n";
  Case missing;
  EXPECT_TRUE(has(missing.lint(text), LintId::GroupFileProblem));
  Case no_group;
  no_group.env.add("/srv/auth/groups", "staff: alice bob\n");
  auto findings = no_group.lint(text);
  ASSERT_TRUE(has(findings, LintId::GroupFileProblem));
  EXPECT_NE(of(findings, LintId::GroupFileProblem).front().message.find("admins"),
            std::string::npos);
  Case ok;
  ok.env.add("/srv/auth/groups", "# groups\nadmins: alice\n");
  auto clean = ok.lint(text);
  EXPECT_FALSE(has(clean, LintId::GroupFileProblem)) << dump(clean);
  // httpd reads the file with ap_cfg_getline: CRLF endings and indentation do not matter.
  Case crlf;
  crlf.env.add("/srv/auth/groups", "staff: bob\r\n\t  admins: alice\r\n");
  auto crlf_findings = crlf.lint(text);
  EXPECT_FALSE(has(crlf_findings, LintId::GroupFileProblem)) << dump(crlf_findings);
  // The group name is everything before ':': "admins " is not "admins" to httpd.
  Case spaced;
  spaced.env.add("/srv/auth/groups", "admins : alice\n");
  EXPECT_TRUE(has(spaced.lint(text), LintId::GroupFileProblem));
}

TEST(LintRules, WpAdminAjax) {
  Case c;
  c.directory = "/srv/www/site/wp-admin";
  EXPECT_TRUE(has(c.lint(kProtected), LintId::WpAdminAjax));
  Case exception;
  exception.directory = "/srv/www/site/wp-admin";
  EXPECT_FALSE(has(exception.lint(kProtected + "<Files admin-ajax.php>\nRequire all granted\n"
                                               "</Files>\n"),
                   LintId::WpAdminAjax));
}

TEST(LintRules, HtaccessSyntax) {
  Case c;
  EXPECT_TRUE(
      has(c.lint(kProtected + "<Files secret>\nRequire all denied\n"), LintId::HtaccessSyntax));
  Case clean;
  EXPECT_FALSE(has(clean.lint(kProtected + "<Files secret>\nRequire all denied\n</Files>\n"),
                   LintId::HtaccessSyntax));
}

TEST(LintRules, ScopedSectionsAreCheckedOnTheirOwn) {
  Case c;
  auto findings = c.lint(
      "<Files admin.php>\nAuthType Basic\nAuthName x\n"
      "AuthUserFile /srv/auth/missing\nRequire valid-user\n</Files>\n");
  ASSERT_TRUE(has(findings, LintId::UserFileMissing)) << dump(findings);
  EXPECT_EQ(of(findings, LintId::UserFileMissing).front().line, 4U);
  EXPECT_FALSE(has(findings, LintId::AuthWithoutRequire));
}

TEST(LintRules, MergeFollowsHttpd) {
  ServerFacts server;
  AuthScope parent =
      merge_auth_level({}, parse_htaccess(kProtected).directives, "/p/.htaccess", server);
  EXPECT_TRUE(parent.needs_authentication());
  // A child that only opens up replaces the parent's Require (AuthMerging Off).
  AuthScope open = merge_auth_level(parent, parse_htaccess("Require all granted\n").directives,
                                    "/p/c/.htaccess", server);
  EXPECT_FALSE(open.needs_authentication());
  ASSERT_TRUE(open.auth_type.has_value());
  EXPECT_EQ(open.auth_type->value, "Basic");
  // A child without Require keeps the parent's.
  AuthScope same = merge_auth_level(parent, parse_htaccess("AuthName Other\n").directives,
                                    "/p/c/.htaccess", server);
  EXPECT_TRUE(same.needs_authentication());
  EXPECT_EQ(same.auth_name->value, "Other");
  EXPECT_EQ(same.auth_name->line, 1U);
  // Negation inside RequireNone and <Files> scopes do not protect the directory.
  AuthScope none =
      merge_auth_level({},
                       parse_htaccess("<RequireNone>\nRequire user bob\n</RequireNone>\n"
                                      "<Files x>\nRequire valid-user\n</Files>\n")
                           .directives,
                       "/q/.htaccess", server);
  EXPECT_FALSE(none.needs_authentication());
  // Relative AuthUserFile resolves against ServerRoot.
  server.server_root = "/etc/httpd";
  AuthScope relative =
      merge_auth_level({}, parse_htaccess("AuthUserFile conf/users\n").directives, "f", server);
  EXPECT_EQ(relative.user_file->value, "/etc/httpd/conf/users");
}

}  // namespace
}  // namespace authdiag::core
