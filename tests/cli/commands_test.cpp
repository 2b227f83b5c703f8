// SPDX-License-Identifier: Apache-2.0
// The writing commands through the real authdiag binary: protect, unprotect and user, their
// JSON, idempotence, --dry-run, byte-exact round trips, panel fixtures and every exit code.
#include "cli_test_support.hpp"
#include "core/htaccess.hpp"
#include "core/password_file.hpp"

#include <fcntl.h>
#include <grp.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace authdiag::clitest {
namespace {

class CommandTest : public testing::Test {
 protected:
  CommandTest() : scratch_("commands") { fs::create_directories(site()); }

  fs::path site() const { return scratch_.path() / "www" / "private"; }
  fs::path htaccess() const { return site() / ".htaccess"; }
  fs::path users_dir() const { return scratch_.path() / "users"; }

  RunOptions options(std::string stdin_data = {}) const {
    RunOptions o;
    o.stdin_data = std::move(stdin_data);
    o.env = {"AUTHDIAG_USER_DIR=" + users_dir().string(),
             "APACHE_CONFDIR=" + (scratch_.path() / "no-server-config").string(),
             "AUTHDIAG_LOCK_TIMEOUT=5"};
    return o;
  }

  RunResult run(std::vector<std::string> args, std::string stdin_data = {}) const {
    return run_authdiag(args, options(std::move(stdin_data)));
  }

  RunResult run_json(std::vector<std::string> args, std::string stdin_data = {}) const {
    args.push_back("--json");
    RunResult result = run(std::move(args), std::move(stdin_data));
    EXPECT_TRUE(result.json()) << "stdout is not one JSON object: " << result.out;
    return result;
  }

  ScratchDir scratch_;
};

int exit_code_in_json(const RunResult& result) {
  const auto json = result.json();
  if (!json) return -1;
  const core::JsonValue* code = json->find("exit_code");
  return code == nullptr ? -1 : static_cast<int>(code->as_int64().value_or(-1));
}

// --- protect / unprotect --------------------------------------------------------------------

TEST_F(CommandTest, ProtectWritesBlockAndCreatesUserFileOutsideTheSite) {
  const RunResult result = run_json({"protect", site().string(), "--realm", "Staff \"only\""});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto json = *result.json();
  EXPECT_EQ(json_bool(json, "ok"), true);
  EXPECT_EQ(json_bool(json, "changed"), true);
  EXPECT_EQ(json_string(json, "action"), "protect");
  EXPECT_EQ(json_string(json, "htaccess.path"), htaccess().string());
  const std::string bytes = read_bytes(htaccess());
  EXPECT_EQ(json_string(json, "htaccess.sha256_after"), sha256_of(bytes));
  EXPECT_EQ(json_string(json, "htaccess.sha256_before"), sha256_of(""));
  const auto user_file = json_string(json, "user_file.path");
  ASSERT_TRUE(user_file);
  EXPECT_EQ(user_file->rfind(users_dir().string() + "/", 0), 0U);
  EXPECT_EQ(user_file->find(scratch_.str() + "/www"), std::string::npos);

  const core::BlockScan scan = core::find_managed_block(core::parse_htaccess(bytes));
  ASSERT_TRUE(scan.block && scan.block->settings);
  EXPECT_TRUE(scan.block->intact());
  EXPECT_EQ(scan.block->settings->realm, "Staff \"only\"");
  EXPECT_EQ(scan.block->settings->user_file, *user_file);
  EXPECT_EQ(scan.block->settings->require_kind, "valid-user");

  struct stat st {};
  ASSERT_EQ(::stat(user_file->c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640U);
  if (const group* www = ::getgrnam("www-data")) {
    EXPECT_EQ(st.st_gid, www->gr_gid);
  }
  EXPECT_EQ(::stat(htaccess().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644U);
}

TEST_F(CommandTest, ProtectIsStateSettingAndIdempotent) {
  ASSERT_EQ(run({"protect", site().string()}).exit_code, 0);
  const std::string first = read_bytes(htaccess());
  struct stat before {};
  ::stat(htaccess().c_str(), &before);
  const RunResult again = run_json({"protect", site().string()});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(json_bool(*again.json(), "changed"), false);
  EXPECT_EQ(read_bytes(htaccess()), first);
  struct stat after {};
  ::stat(htaccess().c_str(), &after);
  EXPECT_EQ(before.st_ino, after.st_ino);  // not even rewritten

  // A new realm changes the block; options not given keep their values.
  const RunResult realm = run_json({"protect", site().string(), "--realm", "Other"});
  EXPECT_EQ(json_bool(*realm.json(), "changed"), true);
  const RunResult keep = run_json({"protect", site().string()});
  EXPECT_EQ(json_bool(*keep.json(), "changed"), false);
  const auto settings =
      core::find_managed_block(core::parse_htaccess(read_bytes(htaccess()))).block->settings;
  EXPECT_EQ(settings->realm, "Other");
}

TEST_F(CommandTest, ProtectUnprotectRestoresEveryOriginalByteForByte) {
  for (const char* name :
       {"wordpress_crlf.htaccess", "no_final_newline.htaccess", "scoped_auth.htaccess"}) {
    const std::string original = fixture(name);
    write_bytes(htaccess(), original);
    const std::vector<std::string> protect = {"protect", site().string(), "--adopt", "manual"};
    const RunResult p = run(protect);
    ASSERT_EQ(p.exit_code, 0) << name << ": " << p.err;
    EXPECT_NE(read_bytes(htaccess()), original);
    const RunResult u = run({"unprotect", site().string()});
    ASSERT_EQ(u.exit_code, 0) << name << ": " << u.err;
    EXPECT_EQ(read_bytes(htaccess()), original) << name;
    const RunResult again = run_json({"unprotect", site().string()});
    EXPECT_EQ(json_bool(*again.json(), "changed"), false) << name;
  }
}

TEST_F(CommandTest, UnprotectRemovesAFileThatProtectCreated) {
  ASSERT_EQ(run({"protect", site().string()}).exit_code, 0);
  ASSERT_TRUE(fs::exists(htaccess()));
  ASSERT_EQ(run({"unprotect", site().string()}).exit_code, 0);
  EXPECT_FALSE(fs::exists(htaccess()));
  // Lines added by hand after protect keep the file.
  ASSERT_EQ(run({"protect", site().string()}).exit_code, 0);
  write_bytes(htaccess(), read_bytes(htaccess()) + "Options -Indexes\n");
  ASSERT_EQ(run({"unprotect", site().string()}).exit_code, 0);
  EXPECT_EQ(read_bytes(htaccess()), "Options -Indexes\n");
}

TEST_F(CommandTest, DryRunPrintsADiffAndWritesNothing) {
  write_bytes(htaccess(), "Options -Indexes\n");
  const RunResult result = run({"protect", site().string(), "--dry-run"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out.rfind("--- " + htaccess().string() + "\n+++ ", 0), 0U) << result.out;
  EXPECT_NE(result.out.find("\n+AuthType Basic\n"), std::string::npos);
  EXPECT_NE(result.out.find("\n Options -Indexes\n"), std::string::npos);
  EXPECT_EQ(read_bytes(htaccess()), "Options -Indexes\n");
  EXPECT_FALSE(fs::exists(users_dir()));
  EXPECT_FALSE(fs::exists(site() / ".htaccess.authdiag-lock"));

  const RunResult json = run_json({"protect", site().string(), "--dry-run"});
  EXPECT_EQ(json_bool(*json.json(), "changed"), true);
  EXPECT_NE(json_string(*json.json(), "htaccess.diff")->find("+Require valid-user"),
            std::string::npos);
  EXPECT_EQ(read_bytes(htaccess()), "Options -Indexes\n");

  ASSERT_EQ(run({"protect", site().string()}).exit_code, 0);
  const std::string protected_bytes = read_bytes(htaccess());
  const RunResult un = run({"unprotect", site().string(), "--dry-run"});
  EXPECT_NE(un.out.find("\n-AuthType Basic\n"), std::string::npos) << un.out;
  EXPECT_EQ(read_bytes(htaccess()), protected_bytes);
}

TEST_F(CommandTest, RequireUserAndGroup) {
  const std::string user_file = (scratch_.path() / "u.htpasswd").string();
  const RunResult users = run_json(
      {"protect", site().string(), "--user-file", user_file, "--require", "user:alice,bob"});
  ASSERT_EQ(users.exit_code, 0) << users.err;
  EXPECT_NE(read_bytes(htaccess()).find("\nRequire user alice bob\n"), std::string::npos);
  EXPECT_NE(users.out.find("AD-L019"), std::string::npos);
  ASSERT_EQ(run({"protect", site().string(), "--require", "group:staff"}).exit_code, 0);
  EXPECT_NE(read_bytes(htaccess()).find("\nRequire group staff\n"), std::string::npos);
  EXPECT_EQ(run({"protect", site().string(), "--require", "group:a,b"}).exit_code, 2);
  EXPECT_EQ(run({"protect", site().string(), "--require", "users:alice"}).exit_code, 2);
  EXPECT_EQ(run({"protect", site().string(), "--require", "user:a\"b"}).exit_code, 6);
  EXPECT_EQ(run({"protect", site().string(), "--require", "user:a:b"}).exit_code, 6);
}

TEST_F(CommandTest, KeepsModeAndOwnerOfTheHtaccess) {
  write_bytes(htaccess(), "Options -Indexes\n", 0604);
  ASSERT_EQ(::chown(htaccess().c_str(), 1234, 2345), 0);
  ASSERT_EQ(run({"protect", site().string()}).exit_code, 0);
  struct stat st {};
  ASSERT_EQ(::stat(htaccess().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0604U);
  EXPECT_EQ(st.st_uid, 1234U);
  EXPECT_EQ(st.st_gid, 2345U);
}

TEST_F(CommandTest, RemovesTemporariesLeftByAKilledWriter) {
  write_bytes(site() / ".htaccess.authdiag-tmp.0123456789abcdef", "half a file");
  ASSERT_EQ(run({"protect", site().string()}).exit_code, 0);
  EXPECT_FALSE(fs::exists(site() / ".htaccess.authdiag-tmp.0123456789abcdef"));
  for (const auto& entry : fs::directory_iterator(site())) {
    EXPECT_EQ(entry.path().filename().string().rfind(".ht", 0), 0U) << entry.path();
  }
}

TEST_F(CommandTest, PurgeUserFile) {
  const std::string user_file = (scratch_.path() / "purge.htpasswd").string();
  ASSERT_EQ(run({"protect", site().string(), "--user-file", user_file}).exit_code, 0);
  ASSERT_TRUE(fs::exists(user_file));
  const RunResult result = run_json({"unprotect", site().string(), "--purge-user-file"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(json_bool(*result.json(), "user_file.changed"), true);
  EXPECT_FALSE(fs::exists(user_file));
}

// --- hosting panel files ---------------------------------------------------------------------

struct PanelCase {
  const char* fixture;
  const char* panel;
};

class PanelFixture : public CommandTest, public testing::WithParamInterface<PanelCase> {};

TEST_P(PanelFixture, RefusedWithoutAdoptTakenOverWithIt) {
  const std::string original = fixture(GetParam().fixture);
  write_bytes(htaccess(), original);
  const RunResult refused = run_json({"protect", site().string()});
  EXPECT_EQ(refused.exit_code, 10) << refused.err;
  EXPECT_EQ(json_string(*refused.json(), "panel_detected"), GetParam().panel);
  EXPECT_EQ(read_bytes(htaccess()), original);

  const std::string wrong = std::string(GetParam().panel) == "ispconfig" ? "cpanel" : "ispconfig";
  if (std::string(GetParam().panel) != "manual") {
    EXPECT_EQ(run({"protect", site().string(), "--adopt", wrong}).exit_code, 10);
    EXPECT_EQ(read_bytes(htaccess()), original);
  }

  const std::string user_file = (scratch_.path() / "adopted.htpasswd").string();
  const RunResult adopted =
      run_json({"protect", site().string(), "--adopt", GetParam().panel, "--user-file", user_file});
  ASSERT_EQ(adopted.exit_code, 0) << adopted.err;
  const core::HtaccessDocument doc = core::parse_htaccess(read_bytes(htaccess()));
  const core::BlockScan scan = core::find_managed_block(doc);
  ASSERT_TRUE(scan.block);
  EXPECT_TRUE(core::find_foreign_auth(doc, scan).regions.empty());
  // Idempotent after adoption, with or without --adopt.
  EXPECT_EQ(json_bool(*run_json({"protect", site().string(), "--adopt", GetParam().panel}).json(),
                      "changed"),
            false);
  EXPECT_EQ(json_bool(*run_json({"protect", site().string()}).json(), "changed"), false);
}

INSTANTIATE_TEST_SUITE_P(Panels, PanelFixture,
                         testing::Values(PanelCase{"cpanel.htaccess", "cpanel"},
                                         PanelCase{"cpanel_legacy.htaccess", "manual"},
                                         PanelCase{"ispconfig.htaccess", "ispconfig"},
                                         PanelCase{"webmin.htaccess", "manual"},
                                         PanelCase{"virtualmin.htaccess", "manual"},
                                         PanelCase{"cyberpanel.htaccess", "cyberpanel"},
                                         PanelCase{"aapanel.htaccess", "aapanel"},
                                         PanelCase{"handwritten.htaccess", "manual"},
                                         PanelCase{"require_all_granted.htaccess", "manual"}));

TEST_F(CommandTest, AdoptKeepsThePanelsRealmUserFileAndOtherLines) {
  // The panel's user file tree, moved into the scratch directory.
  const std::string home = scratch_.str() + "/home/USER";
  fs::create_directories(home + "/.htpasswds/public_html/dir");
  std::string cpanel = fixture("cpanel.htaccess");
  cpanel.replace(cpanel.find("/home/USER"), 10, home);
  write_bytes(htaccess(), cpanel);
  const RunResult adopted = run({"protect", site().string(), "--adopt", "cpanel"});
  ASSERT_EQ(adopted.exit_code, 0) << adopted.err;
  const std::string bytes = read_bytes(htaccess());
  const auto settings = core::find_managed_block(core::parse_htaccess(bytes)).block->settings;
  ASSERT_TRUE(settings);
  EXPECT_EQ(settings->realm, "Protected 'public_html/dir'");
  EXPECT_EQ(settings->user_file, home + "/.htpasswds/public_html/dir/passwd");
  EXPECT_TRUE(fs::exists(settings->user_file));  // created empty, for httpd
  EXPECT_NE(bytes.find("AddHandler application/x-httpd-ea-php81 .php .php8 .phtml\n"),
            std::string::npos);
  EXPECT_EQ(bytes.find("cp:ppd"), std::string::npos);
}

TEST_F(CommandTest, ScopedAuthIsKeptWithAWarning) {
  write_bytes(htaccess(), fixture("scoped_auth.htaccess"));
  EXPECT_EQ(run({"protect", site().string()}).exit_code, 10);
  const RunResult adopted = run_json({"protect", site().string(), "--adopt", "manual"});
  ASSERT_EQ(adopted.exit_code, 0) << adopted.err;
  EXPECT_NE(adopted.out.find("AD-W002"), std::string::npos);
  EXPECT_NE(read_bytes(htaccess()).find(fixture("scoped_auth.htaccess")), std::string::npos);
}

// --- exit codes ------------------------------------------------------------------------------

TEST_F(CommandTest, UsageErrors) {
  EXPECT_EQ(run({}).exit_code, 2);
  EXPECT_EQ(run({"frobnicate"}).exit_code, 2);
  EXPECT_EQ(run({"protect"}).exit_code, 2);
  EXPECT_EQ(run({"protect", site().string(), site().string()}).exit_code, 2);
  EXPECT_EQ(run({"protect", site().string(), "--no-such-option"}).exit_code, 2);
  EXPECT_EQ(run({"protect", site().string(), "--realm"}).exit_code, 2);
  EXPECT_EQ(run({"protect", site().string(), "--realm", "a", "--realm", "b"}).exit_code, 2);
  EXPECT_EQ(run({"protect", site().string(), "--realm", "ends in \\"}).exit_code, 2);
  EXPECT_EQ(run({"protect", site().string(), "--realm", "new\nline"}).exit_code, 2);
  EXPECT_EQ(run({"protect", site().string(), "--user-file", "relative.htpasswd"}).exit_code, 2);
  EXPECT_EQ(run({"protect", site().string(), "--hash", "md5"}).exit_code, 2);
  EXPECT_EQ(run({"protect", site().string(), "--bcrypt-cost", "9"}).exit_code, 2);
  EXPECT_EQ(run({"protect", site().string(), "--adopt", "plesk"}).exit_code, 2);
  EXPECT_EQ(run({"protect", site().string(), "--if-match", "abc"}).exit_code, 2);
  EXPECT_EQ(run({"protect", site().string(), "--dry-run=yes"}).exit_code, 2);
  EXPECT_FALSE(fs::exists(htaccess()));
  const RunResult json = run_json({"protect", "--json-typo", "x"});
  EXPECT_EQ(json.exit_code, 2);
  EXPECT_EQ(exit_code_in_json(json), 2);
}

TEST_F(CommandTest, HelpForEveryCommand) {
  for (const char* command : {"protect", "unprotect", "user", "lint", "check", "report"}) {
    const RunResult result = run({command, "--help"});
    EXPECT_EQ(result.exit_code, 0) << command;
    EXPECT_NE(result.out.find("SYNOPSIS"), std::string::npos) << command;
    EXPECT_NE(result.out.find("EXIT STATUS"), std::string::npos) << command;
  }
  EXPECT_EQ(run({"--help"}).exit_code, 0);
}

TEST_F(CommandTest, FileAccessWhenTheDirectoryIsMissing) {
  const RunResult result = run_json({"protect", (site() / "missing").string()});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(exit_code_in_json(result), 1);
}

TEST_F(CommandTest, MalformedExistingFiles) {
  write_bytes(htaccess(), fixture("bom.htaccess"));
  EXPECT_EQ(run({"protect", site().string()}).exit_code, 7);
  EXPECT_EQ(read_bytes(htaccess()), fixture("bom.htaccess"));
  write_bytes(htaccess(), "# BEGIN authdiag protection v1 sha256=" + std::string(64, '0') +
                              "\nAuthType Basic\n");
  EXPECT_EQ(run({"protect", site().string()}).exit_code, 7);
  EXPECT_EQ(run({"unprotect", site().string()}).exit_code, 7);
}

TEST_F(CommandTest, ForeignAuthIsExitTen) {
  write_bytes(htaccess(), "Require all granted\n");
  EXPECT_EQ(run({"protect", site().string()}).exit_code, 10);
}

TEST_F(CommandTest, LockTimeout) {
  ASSERT_EQ(run({"protect", site().string()}).exit_code, 0);
  const int fd = ::open((site() / ".htaccess.authdiag-lock").c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::flock(fd, LOCK_EX), 0);
  RunOptions quick = options();
  quick.env.push_back("AUTHDIAG_LOCK_TIMEOUT=0.3");
  const RunResult result = run_authdiag({"protect", site().string(), "--realm", "X"}, quick);
  EXPECT_EQ(result.exit_code, 11) << result.err;
  EXPECT_EQ(run_authdiag({"unprotect", site().string()}, quick).exit_code, 11);
  ::close(fd);
  EXPECT_EQ(run_authdiag({"protect", site().string(), "--realm", "X"}, quick).exit_code, 0);
}

TEST_F(CommandTest, IfMatchCompareAndSwap) {
  write_bytes(htaccess(), "Options -Indexes\n");
  const std::string stale = sha256_of("something else");
  EXPECT_EQ(run({"protect", site().string(), "--if-match", stale}).exit_code, 12);
  EXPECT_EQ(read_bytes(htaccess()), "Options -Indexes\n");
  const std::string current = sha256_of("Options -Indexes\n");
  ASSERT_EQ(run({"protect", site().string(), "--if-match", current}).exit_code, 0);
  // The caller's view is now stale for unprotect.
  EXPECT_EQ(run({"unprotect", site().string(), "--if-match", current}).exit_code, 12);
  EXPECT_EQ(run({"unprotect", site().string(), "--if-match", sha256_of(read_bytes(htaccess()))})
                .exit_code,
            0);
}

TEST_F(CommandTest, UnsafePaths) {
  // A symlinked .htaccess.
  write_bytes(scratch_.path() / "elsewhere", "Options -Indexes\n");
  fs::create_symlink(scratch_.path() / "elsewhere", htaccess());
  EXPECT_EQ(run({"protect", site().string()}).exit_code, 14);
  EXPECT_EQ(read_bytes(scratch_.path() / "elsewhere"), "Options -Indexes\n");
  fs::remove(htaccess());
  // A symlinked directory on the way.
  fs::create_directory_symlink(site(), scratch_.path() / "www" / "link");
  EXPECT_EQ(run({"protect", (scratch_.path() / "www" / "link").string()}).exit_code, 14);
  EXPECT_FALSE(fs::exists(htaccess()));
  // A hard link to another file.
  fs::create_hard_link(scratch_.path() / "elsewhere", htaccess());
  EXPECT_EQ(run({"protect", site().string()}).exit_code, 14);
  fs::remove(htaccess());
  // "..", and paths outside AUTHDIAG_ROOT.
  EXPECT_EQ(run({"protect", site().string() + "/../private"}).exit_code, 14);
  RunOptions rooted = options();
  rooted.env.push_back("AUTHDIAG_ROOT=" + (scratch_.path() / "www").string());
  EXPECT_EQ(run_authdiag({"protect", "/tmp"}, rooted).exit_code, 14);
  EXPECT_EQ(run_authdiag({"protect", site().string(), "--user-file", "/tmp/x.htpasswd"}, rooted)
                .exit_code,
            14);
  EXPECT_EQ(
      run_authdiag({"user", "add", "--user-file", "/tmp/x.htpasswd", "--user", "a", "--generate"},
                   rooted)
          .exit_code,
      14);
  // A user file httpd would serve.
  EXPECT_EQ(
      run({"protect", site().string(), "--user-file", (site() / "users.txt").string()}).exit_code,
      14);
  EXPECT_FALSE(fs::exists(htaccess()));
  const RunResult ht =
      run_json({"protect", site().string(), "--user-file", (site() / ".htpasswd").string()});
  EXPECT_EQ(ht.exit_code, 0) << ht.err;
  EXPECT_NE(ht.out.find("AD-L013"), std::string::npos);
}

TEST_F(CommandTest, HtaccessIgnoredByTheServerConfig) {
  const fs::path conf = scratch_.path() / "apache2";
  fs::create_directories(conf);
  write_bytes(conf / "apache2.conf",
              "<Directory />\n  AllowOverride None\n</Directory>\n<Directory " +
                  (scratch_.path() / "www").string() +
                  "/>\n  AllowOverride FileInfo\n</Directory>\n");
  RunOptions with_config = options();
  with_config.env.push_back("APACHE_CONFDIR=" + conf.string());
  RunResult result = run_authdiag({"protect", site().string()}, with_config);
  EXPECT_EQ(result.exit_code, 15) << result.err;
  EXPECT_FALSE(fs::exists(htaccess()));
  write_bytes(conf / "apache2.conf", "<Directory />\n  AllowOverride None\n</Directory>\n");
  EXPECT_EQ(run_authdiag({"protect", site().string()}, with_config).exit_code, 15);
  write_bytes(conf / "apache2.conf",
              "<Directory />\n  AllowOverride None\n</Directory>\n<Directory " +
                  (scratch_.path() / "www").string() +
                  ">\n  AllowOverride AuthConfig\n</Directory>\n");
  result = run_authdiag({"protect", site().string()}, with_config);
  EXPECT_EQ(result.exit_code, 0) << result.err;
}

// --- user ------------------------------------------------------------------------------------

class UserTest : public CommandTest {
 protected:
  std::string file() const { return (scratch_.path() / "users.htpasswd").string(); }
  RunResult user(std::vector<std::string> args, std::string stdin_data = {}) const {
    args.insert(args.begin(), "user");
    args.insert(args.begin() + 2, {"--user-file", file()});
    return run(std::move(args), std::move(stdin_data));
  }
  RunResult user_json(std::vector<std::string> args, std::string stdin_data = {}) const {
    args.push_back("--json");
    RunResult result = user(std::move(args), std::move(stdin_data));
    EXPECT_TRUE(result.json()) << result.out;
    return result;
  }
  core::PasswordFile parsed() const { return core::parse_password_file(read_bytes(file())); }
};

TEST_F(UserTest, AddVerifySetRemoveLifecycle) {
  const RunResult added =
      user_json({"add", "--user", "alice", "--password-stdin"}, "correct horse\n");
  ASSERT_EQ(added.exit_code, 0) << added.err;
  EXPECT_EQ(json_bool(*added.json(), "changed"), true);
  EXPECT_EQ(json_bool(*added.json(), "verified_after_write"), true);
  const auto entry = core::find_user(parsed(), "alice");
  ASSERT_EQ(entry.size(), 1U);
  EXPECT_EQ(parsed().lines[entry[0]].hash.substr(0, 7), "$2y$10$");
  struct stat st {};
  ASSERT_EQ(::stat(file().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640U);

  EXPECT_EQ(user({"verify", "--user", "alice", "--password-stdin"}, "correct horse\n").exit_code,
            0);
  EXPECT_EQ(user({"verify", "--user", "alice", "--password-stdin"}, "correct horse\r\n").exit_code,
            0);
  EXPECT_EQ(user({"verify", "--user", "alice", "--password-stdin"}, "wrong\n").exit_code, 3);
  EXPECT_EQ(user({"verify", "--user", "nobody", "--password-stdin"}, "x\n").exit_code, 3);

  // add is state-setting: same password → unchanged; another password → refused.
  const std::string before = read_bytes(file());
  EXPECT_EQ(
      json_bool(
          *user_json({"add", "--user", "alice", "--password-stdin"}, "correct horse\n").json(),
          "changed"),
      false);
  EXPECT_EQ(user({"add", "--user", "alice", "--password-stdin"}, "other\n").exit_code, 2);
  EXPECT_EQ(read_bytes(file()), before);

  // set: unchanged when the stored hash already accepts the password.
  EXPECT_EQ(
      json_bool(
          *user_json({"set", "--user", "alice", "--password-stdin"}, "correct horse\n").json(),
          "changed"),
      false);
  EXPECT_EQ(json_bool(*user_json({"set", "--user", "alice", "--password-stdin"}, "new pw\n").json(),
                      "changed"),
            true);
  EXPECT_EQ(user({"verify", "--user", "alice", "--password-stdin"}, "new pw\n").exit_code, 0);
  EXPECT_EQ(user({"verify", "--user", "alice", "--password-stdin"}, "correct horse\n").exit_code,
            3);
  // --hash given and different from the stored scheme: rehashed.
  ASSERT_EQ(
      user({"set", "--user", "alice", "--password-stdin", "--hash", "apr1"}, "new pw\n").exit_code,
      0);
  EXPECT_EQ(parsed().lines[core::find_user(parsed(), "alice")[0]].hash.substr(0, 6), "$apr1$");

  EXPECT_EQ(json_bool(*user_json({"remove", "--user", "alice"}).json(), "changed"), true);
  EXPECT_TRUE(core::find_user(parsed(), "alice").empty());
  EXPECT_EQ(json_bool(*user_json({"remove", "--user", "alice"}).json(), "changed"), false);
}

TEST_F(UserTest, HashAlgorithmsAndCost) {
  ASSERT_EQ(
      user({"add", "--user", "b", "--password-stdin", "--bcrypt-cost", "11"}, "pw\n").exit_code, 0);
  ASSERT_EQ(user({"add", "--user", "a", "--password-stdin", "--hash", "apr1"}, "pw\n").exit_code,
            0);
  ASSERT_EQ(
      user({"add", "--user", "s", "--password-stdin", "--hash", "sha512crypt"}, "pw\n").exit_code,
      0);
  const core::PasswordFile file = parsed();
  EXPECT_EQ(file.lines[core::find_user(file, "b")[0]].hash.substr(0, 7), "$2y$11$");
  EXPECT_EQ(file.lines[core::find_user(file, "a")[0]].hash.substr(0, 6), "$apr1$");
  EXPECT_EQ(file.lines[core::find_user(file, "s")[0]].hash.substr(0, 3), "$6$");
  for (const char* name : {"a", "b", "s"}) {
    EXPECT_EQ(user({"verify", "--user", name, "--password-stdin"}, "pw\n").exit_code, 0) << name;
  }
  EXPECT_EQ(
      user({"add", "--user", "c", "--password-stdin", "--bcrypt-cost", "18"}, "pw\n").exit_code, 2);
  EXPECT_EQ(user({"add", "--user", "c", "--password-stdin"}, std::string(73, 'x') + "\n").exit_code,
            2);
  EXPECT_EQ(user({"add", "--user", "c", "--password-stdin", "--hash", "sha512crypt"},
                 std::string(73, 'x') + "\n")
                .exit_code,
            0);
}

TEST_F(UserTest, GeneratePrintsThePasswordOnceAndItVerifies) {
  const RunResult human = user({"add", "--user", "gen", "--generate"});
  ASSERT_EQ(human.exit_code, 0) << human.err;
  ASSERT_EQ(human.out.size(), 25U);  // 24 characters and a newline
  const std::string password = human.out.substr(0, 24);
  EXPECT_EQ(human.err.find(password), std::string::npos);  // not repeated on stderr
  EXPECT_EQ(user({"verify", "--user", "gen", "--password-stdin"}, password + "\n").exit_code, 0);
  const RunResult json = user_json({"set", "--user", "gen", "--generate"});
  const auto generated = json_string(*json.json(), "password");
  ASSERT_TRUE(generated);
  EXPECT_NE(*generated, password);
  EXPECT_EQ(user({"verify", "--user", "gen", "--password-stdin"}, *generated + "\n").exit_code, 0);
  // A generated password can never match an existing user.
  EXPECT_EQ(user({"add", "--user", "gen", "--generate"}).exit_code, 2);
}

TEST_F(UserTest, PasswordsOnlyFromStdinOrGenerate) {
  EXPECT_EQ(user({"add", "--user", "a"}).exit_code, 2);
  EXPECT_EQ(user({"add", "--user", "a", "--password-stdin", "--generate"}, "x\n").exit_code, 2);
  EXPECT_EQ(user({"add", "--user", "a", "--password-stdin"}, "").exit_code, 2);
  EXPECT_EQ(user({"add", "--user", "a", "--password-stdin"}, "\n").exit_code, 2);
  EXPECT_EQ(user({"add", "--user", "a", "--password", "x"}).exit_code, 2);
  EXPECT_EQ(user({"remove", "--user", "a", "--generate"}).exit_code, 2);
  EXPECT_EQ(user({"frob", "--user", "a"}).exit_code, 2);
  EXPECT_EQ(run({"user", "add", "--user", "a", "--generate"}).exit_code, 2);  // no --user-file
  EXPECT_FALSE(fs::exists(file()));
}

TEST_F(UserTest, InvalidUsernames) {
  for (const std::string& name :
       {std::string("a:b"), std::string("a b"), std::string("tab\tx"), std::string("ctl\x01"),
        std::string(256, 'u'), std::string(), std::string("#hidden")}) {
    EXPECT_EQ(user({"add", "--user", name, "--generate"}).exit_code, 6) << name.size();
  }
  EXPECT_EQ(user({"add", "--user", std::string(255, 'u'), "--generate"}).exit_code, 0);
}

TEST_F(UserTest, EditsKeepEveryOtherByte) {
  const std::string original = fixture("handwritten_crlf.htpasswd");
  write_bytes(file(), original, 0640);
  ASSERT_EQ(user({"add", "--user", "zed", "--password-stdin"}, "pw\n").exit_code, 0);
  const std::string added = read_bytes(file());
  // CRLF kept, and the file still ends without a newline.
  EXPECT_EQ(added.rfind(original + "\r\nzed:$2y$10$", 0), 0U);
  EXPECT_NE(added.back(), '\n');
  ASSERT_EQ(user({"remove", "--user", "zed"}).exit_code, 0);
  EXPECT_EQ(read_bytes(file()), original);
  // set on an existing user rewrites only its line.
  ASSERT_EQ(user({"set", "--user", "bob", "--password-stdin"}, "pw\n").exit_code, 0);
  const std::string set = read_bytes(file());
  EXPECT_EQ(set.substr(0, original.find("bob:")), original.substr(0, original.find("bob:")));
  const std::size_t after_bob = original.find("\r\n", original.find("bob:"));
  EXPECT_EQ(set.substr(set.find("\r\n", set.find("bob:"))), original.substr(after_bob));
}

TEST_F(UserTest, RefusesMalformedFiles) {
  write_bytes(file(), fixture("bom.htpasswd"));
  EXPECT_EQ(user({"add", "--user", "x", "--generate"}).exit_code, 7);
  write_bytes(file(), fixture("malformed.htpasswd"));
  EXPECT_EQ(user({"add", "--user", "x", "--generate"}).exit_code, 7);
  EXPECT_EQ(read_bytes(file()), fixture("malformed.htpasswd"));
}

TEST_F(UserTest, SymlinkedUserFileIsRefused) {
  write_bytes(scratch_.path() / "real", "alice:x\n");
  fs::create_symlink(scratch_.path() / "real", file());
  EXPECT_EQ(user({"add", "--user", "b", "--generate"}).exit_code, 14);
  EXPECT_EQ(user({"list"}).exit_code, 14);
  EXPECT_EQ(read_bytes(scratch_.path() / "real"), "alice:x\n");
}

TEST_F(UserTest, ListShowsUsersAndSchemes) {
  write_bytes(file(), fixture("webmin.htpasswd"));
  const RunResult human = user({"list"});
  ASSERT_EQ(human.exit_code, 0);
  EXPECT_EQ(human.out, "mallory\tmd5crypt\nerin\tsha1\nyuri\tyescrypt\n");
  const auto json = user_json({"list"}).json();
  ASSERT_TRUE(json);
  const core::JsonValue* users = json_find(*json, "users");
  ASSERT_TRUE(users != nullptr);
  ASSERT_EQ(users->items().size(), 3U);
  EXPECT_EQ(json_string(users->items()[1], "user"), "erin");
  EXPECT_EQ(users->items()[1].find("line")->as_int64(), 3);
  EXPECT_EQ(run({"user", "list", "--user-file", (scratch_.path() / "none").string()}).exit_code, 1);
}

TEST_F(UserTest, IfMatch) {
  ASSERT_EQ(user({"add", "--user", "a", "--password-stdin"}, "pw\n").exit_code, 0);
  EXPECT_EQ(user({"add", "--user", "b", "--password-stdin", "--if-match", sha256_of("x")}, "pw\n")
                .exit_code,
            12);
  EXPECT_EQ(
      user({"add", "--user", "b", "--password-stdin", "--if-match", sha256_of(read_bytes(file()))},
           "pw\n")
          .exit_code,
      0);
}

// Hashes as each panel writes them, verified the way httpd verifies them.
struct VerifyCase {
  const char* fixture;
  const char* user;
  const char* password;
  int exit_code;
};

class VerifyPanelHashes : public UserTest, public testing::WithParamInterface<VerifyCase> {};

TEST_P(VerifyPanelHashes, MatchesHttpd) {
  write_bytes(file(), fixture(GetParam().fixture));
  const RunResult result = user_json({"verify", "--user", GetParam().user, "--password-stdin"},
                                     std::string(GetParam().password) + "\n");
  EXPECT_EQ(result.exit_code, GetParam().exit_code) << result.err;
  EXPECT_EQ(exit_code_in_json(result), GetParam().exit_code);
}

INSTANTIATE_TEST_SUITE_P(
    Panels, VerifyPanelHashes,
    testing::Values(VerifyCase{"cpanel.passwd", "alice", "secret123", 0},  // $apr1$
                    VerifyCase{"cpanel.passwd", "frank", "other456", 0},   // no final LF
                    VerifyCase{"cpanel.passwd", "alice", "secret124", 3},
                    VerifyCase{"ispconfig.htpasswd", "alice", "secret123", 0},   // $6$rounds=
                    VerifyCase{"cyberpanel.htpasswd", "carol", "secret123", 0},  // $2b$ + :user
                    VerifyCase{"aapanel_des.pass", "dave", "secret123", 0},      // DES
                    VerifyCase{"aapanel_des.pass", "dave", "secret12XYZ", 0},    // 8-char cut
                    VerifyCase{"aapanel_bcrypt.pass", "dave", "secret123", 0},   // $2b$
                    VerifyCase{"hestia.htpasswd", "hestia", "secret123", 0},     // DES
                    VerifyCase{"webmin.htpasswd", "mallory", "secret123", 0},    // $1$
                    VerifyCase{"webmin.htpasswd", "erin", "secret123", 0},       // {SHA}
                    VerifyCase{"webmin.htpasswd", "yuri", "secret123", 0},       // $y$
                    VerifyCase{"webmin.htpasswd", "ghost", "secret123", 3},      // #disabled
                    VerifyCase{"handwritten_crlf.htpasswd", "plain", "secret123", 3},  // plaintext
                    VerifyCase{"handwritten_crlf.htpasswd", "des", "secret123", 0},
                    VerifyCase{"handwritten_crlf.htpasswd", "bob", "secret123", 0},  // $2y$
                    VerifyCase{"handwritten_crlf.htpasswd", "sha", "secret123", 0},
                    VerifyCase{"handwritten_crlf.htpasswd", "apr", "secret123", 0},
                    VerifyCase{"bom.htpasswd", "alice", "secret123", 3}));  // BOM eats it

}  // namespace
}  // namespace authdiag::clitest
