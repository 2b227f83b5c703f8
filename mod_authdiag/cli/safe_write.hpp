// SPDX-License-Identifier: Apache-2.0
// The write protocol for every file authdiag changes: resolve the path under the allowed root
// without following symlinks, take an exclusive lock (.ht-prefixed lock file, bounded wait), read,
// compare-and-swap against --if-match, write a .ht-prefixed temporary file in the same
// directory, fsync, re-check the target did not change, rename over it, fsync the directory.
// Mode and owner are kept; nothing is ever truncated in place or unlinked and re-created.
#pragma once

#include "cli/output.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

namespace authdiag::cli {

// Files next to `name` that belong to the protocol; both start with ".ht" so httpd's default
// <Files ".ht*"> denial covers them: ".htaccess" → ".htaccess.authdiag-lock",
// "passwd" → ".ht.passwd.authdiag-lock"; temporaries add ".authdiag-tmp.<random>".
std::string lock_file_name(std::string_view name);
std::string temp_file_prefix(std::string_view name);

// AUTHDIAG_ROOT (default "/"), made absolute and canonical.
std::string allowed_root();
// AUTHDIAG_LOCK_TIMEOUT seconds (default 10).
std::chrono::milliseconds lock_timeout();

struct PathError {
  ExitCode code = ExitCode::Success;
  std::string message;
  explicit operator bool() const noexcept { return code != ExitCode::Success; }
};

// `path` made absolute (against the working directory) and lexically normalised; ".."
// components are refused (UnsafePath), as is anything outside `root`.
struct NormalizedPath {
  std::string path;
  PathError error;
};
NormalizedPath normalize_under_root(std::string_view path, std::string_view root);

// An open directory reached from the root one component at a time with O_NOFOLLOW.
class DirHandle {
 public:
  DirHandle() = default;
  explicit DirHandle(int fd) : fd_(fd) {}
  DirHandle(DirHandle&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  DirHandle& operator=(DirHandle&& other) noexcept;
  DirHandle(const DirHandle&) = delete;
  DirHandle& operator=(const DirHandle&) = delete;
  ~DirHandle();
  int fd() const noexcept { return fd_; }

 private:
  int fd_ = -1;
};

struct DirResult {
  DirHandle dir;
  PathError error;
};

// Opens the directory `dir` (absolute, under `root`). With `create_mode` set, missing components
// are created with that mode (and group `create_gid` when given) for the last one, 0755 above.
DirResult open_directory(std::string_view dir, std::string_view root,
                         std::optional<mode_t> create_mode = std::nullopt,
                         std::optional<gid_t> create_gid = std::nullopt);

struct FileSnapshot {
  bool exists = false;
  std::string content;
  std::string sha256;  // of content; the SHA-256 of "" when the file does not exist
  mode_t mode = 0;
  uid_t uid = 0;
  gid_t gid = 0;
  // Identity for the re-check before rename.
  std::uint64_t device = 0;
  std::uint64_t inode = 0;
  std::int64_t size = 0;
  std::int64_t mtime_ns = 0;
  std::int64_t ctime_ns = 0;
};

enum class WriteKind : std::uint8_t { Keep, Replace, Remove };

struct Decision {
  WriteKind kind = WriteKind::Keep;
  std::string content;                 // Replace
  ExitCode error = ExitCode::Success;  // anything else: abort, write nothing
  std::string message;
};

struct NewFileAttributes {
  mode_t mode = 0644;
  std::optional<uid_t> uid;  // default: the owner of the directory when running as root
  std::optional<gid_t> gid;  // default: the group of the directory
};

struct WriteOptions {
  std::optional<std::string> if_match;  // SHA-256 hex of the content the caller last saw
  bool dry_run = false;
  std::chrono::milliseconds lock_timeout{10000};
  int max_retries = 5;
  NewFileAttributes new_file;
  std::string root = "/";
};

struct WriteResult {
  ExitCode code = ExitCode::Success;
  std::string message;   // set with a non-success code
  std::string path;      // normalised target path
  bool changed = false;  // written (or, with dry_run, would be written)
  WriteKind kind = WriteKind::Keep;
  FileSnapshot before;
  bool exists_after = false;
  std::string content_after;  // equals before.content when nothing changed
  std::string sha256_after;
  std::vector<std::string> warnings;  // e.g. the httpd group could not be set on a new file
};

// Runs the protocol for `path`. `compute` sees the current content under the lock and may run
// again (after a concurrent change by a writer that ignores the lock) up to max_retries times.
WriteResult safe_update(std::string_view path, const WriteOptions& options,
                        const std::function<Decision(const FileSnapshot&)>& compute);

struct ReadResult {
  FileSnapshot snapshot;
  PathError error;
};

// Reads `path` the same careful way (no symlinks, under `root`, regular file), without a lock.
ReadResult read_file_safely(std::string_view path, std::string_view root);

// Everything the regular file `fd` has until its end, retrying on EINTR; nullopt with errno set
// when a read fails. `expected_size` (from fstat) sizes the buffer; a file that grew meanwhile
// is read to its new end.
std::optional<std::string> read_to_end(int fd, std::size_t expected_size);

// The group httpd's children run as: APACHE_RUN_GROUP from the environment or
// /etc/apache2/envvars, else "www-data"; nullopt when no such group exists.
std::optional<gid_t> httpd_group();

}  // namespace authdiag::cli
