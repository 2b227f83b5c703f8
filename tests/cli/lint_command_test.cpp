// SPDX-License-Identifier: Apache-2.0
// `authdiag lint` as a command: reading the server config (Debian layout, Include globs,
// envvars, AllowOverride per directory), saying so when it cannot, --fail-on, exit codes,
// user files given directly, and permissions as the httpd user sees them.
#include "lint_test_support.hpp"

#include <gtest/gtest.h>
#include <pwd.h>
#include <unistd.h>

namespace authdiag::clitest {
namespace {

const std::string kBcrypt10 = "$2y$10$YVva15fTe5BsPW2wu6868O4Tr7683ORai2OcX8ap3kmfOgKdMP53q";

// A protected directory whose users file httpd can read (0640, group www-data when we can set
// it; otherwise 0644 and the world-readable warning is accepted).
struct Protected {
  fs::path dir;
  fs::path users;
};

Protected make_protected(const LintRoot& root, const std::string& rel, bool readable = true) {
  Protected p;
  p.dir = root.root() / "www" / "site" / rel;
  p.users = root.root() / "auth" / (rel + ".passwd");
  fs::create_directories(p.dir);
  fs::create_directories(p.users.parent_path());
  write_bytes(p.users, "alice:" + kBcrypt10 + "\n", readable ? 0644 : 0600);
  write_bytes(p.dir / ".htaccess", "AuthType Basic\nAuthName \"Members\"\nAuthUserFile \"" +
                                       p.users.string() + "\"\nRequire valid-user\n");
  return p;
}

RunResult lint(const std::vector<std::string>& extra) {
  std::vector<std::string> args{"lint"};
  args.insert(args.end(), extra.begin(), extra.end());
  args.push_back("--json");
  return run_authdiag(args);
}

TEST(LintCommand, ReadsDebianConfigTree) {
  LintRoot root("lint-config");
  make_protected(root, "members");
  RunResult run = lint({root.site(), "--recursive", "--server-config", root.conf()});
  auto json = run.json();
  ASSERT_TRUE(json.has_value()) << describe(run);
  EXPECT_EQ(json_bool(*json, "server_config.read"), true);
  // User ${APACHE_RUN_USER} resolved through envvars.
  struct passwd* www = getpwnam("www-data");
  if (www != nullptr) {
    EXPECT_EQ(json_string(*json, "server_config.run_user"),
              "www-data (uid " + std::to_string(www->pw_uid) + ")");
  }
  // Modules from mods-enabled/*.load (IncludeOptional glob); mod_access_compat is not there.
  const core::JsonValue* modules = json_find(*json, "server_config.modules");
  ASSERT_NE(modules, nullptr);
  std::set<std::string> names;
  for (const auto& m : modules->items()) names.insert(*m.as_string());
  EXPECT_TRUE(names.contains("authz_core_module"));
  EXPECT_TRUE(names.contains("auth_basic_module"));
  EXPECT_FALSE(names.contains("access_compat_module"));
  // DocumentRoot of the virtual host in sites-enabled.
  const core::JsonValue* roots = json_find(*json, "server_config.document_roots");
  ASSERT_NE(roots, nullptr);
  ASSERT_EQ(roots->items().size(), 1U);
  EXPECT_EQ(*roots->items()[0].as_string(), root.site());
  auto findings = findings_of(run);
  EXPECT_TRUE(with_id(findings, "AD-L002").empty()) << describe(run);
  EXPECT_TRUE(with_id(findings, "AD-L039").empty());
  EXPECT_EQ(json_find(*json, "summary.htaccess_files")->as_int64(), 1);
}

TEST(LintCommand, AllowOverrideNoneAndWithoutAuthConfig) {
  LintRoot root("lint-override");
  // Outside <Directory .../www/>: only <Directory /> AllowOverride None applies.
  fs::create_directories(root.root() / "other" / "priv");
  write_bytes(root.root() / "other" / "priv" / ".htaccess",
              "AuthType Basic\nAuthName x\nAuthUserFile /nonexistent\nRequire valid-user\n");
  RunResult ignored =
      lint({(root.root() / "other" / "priv").string(), "--server-config", root.conf()});
  auto l002 = with_id(findings_of(ignored), "AD-L002");
  ASSERT_EQ(l002.size(), 1U) << describe(ignored);
  EXPECT_EQ(l002[0].level, "error");
  EXPECT_NE(l002[0].message.find("apache2.conf:20 <Directory />"), std::string::npos);
  EXPECT_EQ(ignored.exit_code, 20);

  // A later, more specific section grants only FileInfo: Auth lines give 500.
  write_bytes(root.root() / "etc" / "apache2" / "conf-enabled" / "fileinfo.conf",
              "<Directory " + root.site() + "/fileinfo>\n  AllowOverride FileInfo\n</Directory>\n");
  make_protected(root, "fileinfo");
  RunResult no_auth = lint({root.site() + "/fileinfo", "--server-config", root.conf()});
  auto l003 = with_id(findings_of(no_auth), "AD-L003");
  ASSERT_EQ(l003.size(), 1U) << describe(no_auth);
  EXPECT_EQ(l003[0].line, 1U);
  EXPECT_NE(l003[0].message.find("fileinfo.conf"), std::string::npos);
}

TEST(LintCommand, UnreadableServerConfigIsReportedNotGuessed) {
  LintRoot root("lint-noconfig");
  auto p = make_protected(root, "members");
  RunResult run = lint({p.dir.string(), "--server-config", "/nonexistent/apache2.conf"});
  auto findings = findings_of(run);
  auto l039 = with_id(findings, "AD-L039");
  ASSERT_EQ(l039.size(), 1U) << describe(run);
  EXPECT_EQ(l039[0].level, "warning");  // the named config is missing
  EXPECT_NE(l039[0].message.find("No such file"), std::string::npos);
  // Nothing that depends on the config is claimed.
  for (const char* id : {"AD-L002", "AD-L003", "AD-L013", "AD-L029"}) {
    EXPECT_TRUE(with_id(findings, id).empty()) << id << "\n" << describe(run);
  }
  auto json = run.json();
  ASSERT_TRUE(json.has_value());
  EXPECT_EQ(json_bool(*json, "server_config.read"), false);
  EXPECT_EQ(run.exit_code, 0) << describe(run);  // warnings only, --fail-on error
}

TEST(LintCommand, DefaultConfigIsFoundLikeApache2ctl) {
  LintRoot root("lint-confdir");
  auto p = make_protected(root, "members");
  RunOptions options;
  options.env = {"APACHE_CONFDIR=" + (root.root() / "etc" / "apache2").string()};
  RunResult run = run_authdiag({"lint", p.dir.string(), "--json"}, options);
  auto json = run.json();
  ASSERT_TRUE(json.has_value()) << describe(run);
  EXPECT_EQ(json_string(*json, "server_config.file"), root.conf());
  EXPECT_EQ(json_bool(*json, "server_config.read"), true);
}

TEST(LintCommand, FailOnLevels) {
  LintRoot root("lint-failon");
  fs::create_directories(root.site() + "/old");
  // Leftover Auth lines without Require: a warning only.
  write_bytes(root.site() + "/old/.htaccess", "AuthType Basic\nAuthName \"Old\"\n");
  RunResult plain = lint({root.site() + "/old", "--server-config", root.conf()});
  EXPECT_EQ(plain.exit_code, 0) << describe(plain);
  EXPECT_EQ(with_id(findings_of(plain), "AD-L004").size(), 1U);
  RunResult strict =
      lint({root.site() + "/old", "--server-config", root.conf(), "--fail-on", "warning"});
  EXPECT_EQ(strict.exit_code, 20) << describe(strict);
  RunResult bad = lint({root.site(), "--fail-on", "info"});
  EXPECT_EQ(bad.exit_code, 2);
  RunResult none = run_authdiag({"lint"});
  EXPECT_EQ(none.exit_code, 2);
  RunResult missing = lint({root.site() + "/does-not-exist", "--server-config", root.conf()});
  EXPECT_EQ(missing.exit_code, 1) << describe(missing);
}

TEST(LintCommand, UserFileGivenDirectly) {
  LintRoot root("lint-userfile");
  fs::path file = root.root() / "users";
  // The BOM makes line 1's user "\xEF\xBB\xBFalice", so only carol is a duplicate.
  write_bytes(file,
              "\xEF\xBB\xBF"
              "alice:" +
                  kBcrypt10 + "\r\nbob:secret\r\ncarol:" + kBcrypt10 + "\r\ncarol:" + kBcrypt10 +
                  "\r\n",
              0600);
  RunResult run = lint({file.string(), "--server-config", root.conf()});
  auto ids = ids_of(findings_of(run));
  for (const char* id : {"AD-L015", "AD-L016", "AD-L017", "AD-L020"}) {
    EXPECT_TRUE(ids.contains(id)) << id << "\n" << describe(run);
  }
  EXPECT_EQ(with_id(findings_of(run), "AD-L017").front().line, 4U);
  EXPECT_EQ(run.exit_code, 20);
}

TEST(LintCommand, PermissionsAsTheHttpdUser) {
  if (geteuid() != 0 || getpwnam("www-data") == nullptr) {
    GTEST_SKIP() << "needs root to create files httpd's user cannot read";
  }
  LintRoot root("lint-perms");
  auto p = make_protected(root, "members", /*readable=*/false);  // 0600 root:root
  RunResult run = lint({p.dir.string(), "--server-config", root.conf()});
  auto l011 = with_id(findings_of(run), "AD-L011");
  ASSERT_EQ(l011.size(), 1U) << describe(run);
  EXPECT_EQ(l011[0].level, "error");
  EXPECT_EQ(l011[0].line, 3U);
  EXPECT_EQ(run.exit_code, 20);

  // Readable through the group: no finding, and no world-readable warning either.
  struct passwd* www = getpwnam("www-data");
  ASSERT_EQ(chown(p.users.c_str(), 0, www->pw_gid), 0);
  fs::permissions(p.users, static_cast<fs::perms>(0640));
  RunResult fixed = lint({p.dir.string(), "--server-config", root.conf()});
  EXPECT_TRUE(findings_of(fixed).empty()) << describe(fixed);
  EXPECT_EQ(fixed.exit_code, 0);

  // A directory on the way that httpd cannot search hides the file just the same.
  fs::permissions(p.users.parent_path(), static_cast<fs::perms>(0700));
  RunResult hidden = lint({p.dir.string(), "--server-config", root.conf()});
  EXPECT_EQ(with_id(findings_of(hidden), "AD-L011").size(), 1U) << describe(hidden);

  // An unreadable .htaccess: 500 for the directory.
  fs::permissions(p.users.parent_path(), static_cast<fs::perms>(0755));
  fs::permissions(p.dir / ".htaccess", static_cast<fs::perms>(0600));
  RunResult htaccess = lint({p.dir.string(), "--server-config", root.conf()});
  EXPECT_EQ(with_id(findings_of(htaccess), "AD-L034").size(), 1U) << describe(htaccess);
}

TEST(LintCommand, RecursiveInheritsParentSettings) {
  LintRoot root("lint-inherit");
  auto p = make_protected(root, "members");
  fs::create_directories(p.dir / "team");
  // The child only narrows Require; AuthType, AuthName and the users file come from the parent.
  write_bytes(p.dir / "team" / ".htaccess", "Require user alice bob\n");
  RunResult run = lint({root.site(), "--recursive", "--server-config", root.conf()});
  auto findings = findings_of(run);
  EXPECT_TRUE(with_id(findings, "AD-L005").empty()) << describe(run);
  auto l019 = with_id(findings, "AD-L019");
  ASSERT_EQ(l019.size(), 1U) << describe(run);
  EXPECT_EQ(l019[0].file, (p.dir / "team" / ".htaccess").string());
  EXPECT_NE(l019[0].message.find("bob"), std::string::npos);
  EXPECT_EQ(l019[0].level, "warning");  // alice can still log on
  auto json = run.json();
  ASSERT_TRUE(json.has_value());
  EXPECT_EQ(json_find(*json, "summary.htaccess_files")->as_int64(), 2);
}

TEST(LintCommand, HumanOutputNamesIdFileAndLine) {
  LintRoot root("lint-human");
  fs::create_directories(root.site() + "/x");
  write_bytes(root.site() + "/x/.htaccess", "AuthType Basic\nAuthName \"bad\\\\\"\n");
  RunResult run = run_authdiag({"lint", root.site() + "/x", "--server-config", root.conf()});
  EXPECT_EQ(run.out, "");
  EXPECT_NE(run.err.find(root.site() + "/x/.htaccess:2: AuthName ends in a backslash"),
            std::string::npos)
      << run.err;
  EXPECT_NE(run.err.find("[AD-L007]"), std::string::npos);
  EXPECT_EQ(run.exit_code, 20);
}

}  // namespace
}  // namespace authdiag::clitest
