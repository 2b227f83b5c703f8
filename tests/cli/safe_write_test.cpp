// SPDX-License-Identifier: Apache-2.0
// The write protocol of cli/safe_write directly: names, path rules, retries on a writer that
// ignores the lock, removal.
#include "cli/safe_write.hpp"

#include "cli_test_support.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

namespace authdiag::cli {
namespace {

using clitest::read_bytes;
using clitest::ScratchDir;
using clitest::write_bytes;

WriteOptions options_for(const ScratchDir& dir) {
  WriteOptions options;
  options.root = dir.str();
  options.lock_timeout = std::chrono::milliseconds(2000);
  return options;
}

TEST(SafeWriteNames, LockAndTemporariesStartWithDotHt) {
  EXPECT_EQ(lock_file_name(".htaccess"), ".htaccess.authdiag-lock");
  EXPECT_EQ(lock_file_name("passwd"), ".ht.passwd.authdiag-lock");
  EXPECT_EQ(temp_file_prefix(".htpasswd"), ".htpasswd.authdiag-tmp.");
  EXPECT_EQ(temp_file_prefix("users"), ".ht.users.authdiag-tmp.");
}

TEST(SafeWritePaths, Normalization) {
  EXPECT_EQ(normalize_under_root("/srv//www/./site/", "/").path, "/srv/www/site");
  EXPECT_EQ(normalize_under_root("/srv/www/../etc", "/").error.code, ExitCode::UnsafePath);
  EXPECT_EQ(normalize_under_root("/srv/www2", "/srv/www").error.code, ExitCode::UnsafePath);
  EXPECT_FALSE(normalize_under_root("/srv/www", "/srv/www").error);
  EXPECT_FALSE(normalize_under_root("/srv/www/a", "/srv/www/").error);
  EXPECT_EQ(normalize_under_root("", "/").error.code, ExitCode::Usage);
  EXPECT_EQ(normalize_under_root("relative", "/").path.front(), '/');
}

TEST(SafeWrite, ReplaceCreatesWithTheRequestedModeAndLeavesNoTemporaries) {
  ScratchDir dir("safe-write");
  WriteOptions options = options_for(dir);
  options.new_file.mode = 0640;
  const std::string target = dir.str() + "/file";
  const WriteResult result = safe_update(target, options, [](const FileSnapshot& s) {
    EXPECT_FALSE(s.exists);
    return Decision{WriteKind::Replace, "hello\n", ExitCode::Success, {}};
  });
  ASSERT_EQ(result.code, ExitCode::Success) << result.message;
  EXPECT_TRUE(result.changed);
  EXPECT_EQ(read_bytes(target), "hello\n");
  struct stat st {};
  ASSERT_EQ(::stat(target.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640U);
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    const std::string name = entry.path().filename();
    EXPECT_TRUE(name == "file" || name == ".ht.file.authdiag-lock") << name;
  }
}

TEST(SafeWrite, RetriesWhenALockIgnoringWriterChangesTheFile) {
  ScratchDir dir("safe-write");
  const std::string target = dir.str() + "/file";
  write_bytes(target, "v1\n");
  int calls = 0;
  const WriteResult result = safe_update(target, options_for(dir), [&](const FileSnapshot& s) {
    ++calls;
    if (calls == 1) write_bytes(target, "v2 from another writer\n");  // after our read
    return Decision{WriteKind::Replace, s.content + "appended\n", ExitCode::Success, {}};
  });
  ASSERT_EQ(result.code, ExitCode::Success) << result.message;
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(read_bytes(target), "v2 from another writer\nappended\n");
}

TEST(SafeWrite, GivesUpWithConcurrentModificationAfterBoundedRetries) {
  ScratchDir dir("safe-write");
  const std::string target = dir.str() + "/file";
  write_bytes(target, "v0\n");
  int calls = 0;
  const WriteResult result = safe_update(target, options_for(dir), [&](const FileSnapshot&) {
    write_bytes(target, "v" + std::to_string(++calls) + " from another writer\n");
    return Decision{WriteKind::Replace, "mine\n", ExitCode::Success, {}};
  });
  EXPECT_EQ(result.code, ExitCode::ConcurrentModification);
  EXPECT_EQ(calls, options_for(dir).max_retries);
  EXPECT_EQ(read_bytes(target), "v" + std::to_string(calls) + " from another writer\n");
}

TEST(SafeWrite, RemoveAndKeep) {
  ScratchDir dir("safe-write");
  const std::string target = dir.str() + "/file";
  write_bytes(target, "x");
  WriteResult keep = safe_update(target, options_for(dir), [](const FileSnapshot&) {
    return Decision{WriteKind::Replace, "x", ExitCode::Success, {}};
  });
  EXPECT_EQ(keep.code, ExitCode::Success);
  EXPECT_FALSE(keep.changed);
  const WriteResult removed = safe_update(target, options_for(dir), [](const FileSnapshot&) {
    return Decision{WriteKind::Remove, {}, ExitCode::Success, {}};
  });
  EXPECT_TRUE(removed.changed);
  EXPECT_FALSE(std::filesystem::exists(target));
  const WriteResult again = safe_update(target, options_for(dir), [](const FileSnapshot&) {
    return Decision{WriteKind::Remove, {}, ExitCode::Success, {}};
  });
  EXPECT_FALSE(again.changed);
}

TEST(SafeWrite, ComputeErrorsWriteNothing) {
  ScratchDir dir("safe-write");
  const std::string target = dir.str() + "/file";
  write_bytes(target, "x");
  const WriteResult result = safe_update(target, options_for(dir), [](const FileSnapshot&) {
    return Decision{WriteKind::Replace, "y", ExitCode::ForeignAuth, "no"};
  });
  EXPECT_EQ(result.code, ExitCode::ForeignAuth);
  EXPECT_EQ(read_bytes(target), "x");
}

TEST(SafeWrite, DirectoriesAreOpenedWithoutFollowingSymlinks) {
  ScratchDir dir("safe-write");
  std::filesystem::create_directories(dir.path() / "real");
  std::filesystem::create_directory_symlink(dir.path() / "real", dir.path() / "link");
  EXPECT_EQ(open_directory(dir.str() + "/link", dir.str()).error.code, ExitCode::UnsafePath);
  EXPECT_FALSE(open_directory(dir.str() + "/real", dir.str()).error);
  EXPECT_EQ(open_directory(dir.str() + "/missing", dir.str()).error.code, ExitCode::FileAccess);
  const DirResult made = open_directory(dir.str() + "/a/b", dir.str(), mode_t{0750});
  EXPECT_FALSE(made.error) << made.error.message;
  struct stat st {};
  ASSERT_EQ(::stat((dir.path() / "a" / "b").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0750U);
}

}  // namespace
}  // namespace authdiag::cli
