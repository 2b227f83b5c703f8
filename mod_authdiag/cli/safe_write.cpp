// SPDX-License-Identifier: Apache-2.0
// Lock, read, compare-and-swap, temp file, fsync, rename, fsync directory (see safe_write.hpp).
#include "cli/safe_write.hpp"

#include "core/denial_record.hpp"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <fstream>
#include <grp.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace authdiag::cli {
namespace {

constexpr std::string_view kLockSuffix = ".authdiag-lock";
constexpr std::string_view kTempInfix = ".authdiag-tmp.";

std::string errno_text(int error) { return std::strerror(error); }

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  Fd& operator=(Fd&& other) noexcept {
    std::swap(fd_, other.fd_);
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const noexcept { return fd_; }
  explicit operator bool() const noexcept { return fd_ >= 0; }

 private:
  int fd_;
};

std::vector<std::string> split_components(std::string_view path) {
  std::vector<std::string> parts;
  std::size_t pos = 0;
  while (pos < path.size()) {
    const std::size_t slash = path.find('/', pos);
    const std::size_t end = slash == std::string_view::npos ? path.size() : slash;
    if (end > pos) parts.emplace_back(path.substr(pos, end - pos));
    pos = end + 1;
  }
  return parts;
}

std::string join_components(const std::vector<std::string>& parts, std::size_t count) {
  std::string out;
  for (std::size_t i = 0; i < count; ++i) out += "/" + parts[i];
  return out.empty() ? "/" : out;
}

std::int64_t to_ns(const timespec& ts) {
  return static_cast<std::int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

void fill_identity(FileSnapshot& snapshot, const struct stat& st) {
  snapshot.mode = st.st_mode & 07777;
  snapshot.uid = st.st_uid;
  snapshot.gid = st.st_gid;
  snapshot.device = static_cast<std::uint64_t>(st.st_dev);
  snapshot.inode = static_cast<std::uint64_t>(st.st_ino);
  snapshot.size = static_cast<std::int64_t>(st.st_size);
  snapshot.mtime_ns = to_ns(st.st_mtim);
  snapshot.ctime_ns = to_ns(st.st_ctim);
}

bool same_identity(const FileSnapshot& a, const FileSnapshot& b) {
  return a.exists == b.exists &&
         (!a.exists ||
          (a.device == b.device && a.inode == b.inode && a.size == b.size &&
           a.mtime_ns == b.mtime_ns && a.ctime_ns == b.ctime_ns && a.content == b.content));
}

PathError path_error(ExitCode code, std::string message) { return {code, std::move(message)}; }

// Reads `name` in `dir` without following a symlink. Absent is not an error.
ReadResult read_at(int dir, const std::string& name, const std::string& display) {
  ReadResult result;
  Fd fd(::openat(dir, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
  if (!fd) {
    const int error = errno;
    if (error == ENOENT) {
      result.snapshot.sha256 = core::sha256_hex("");
      return result;
    }
    if (error == ELOOP) {
      result.error = path_error(ExitCode::UnsafePath, display + " is a symbolic link; refused");
    } else {
      result.error =
          path_error(ExitCode::FileAccess, "cannot open " + display + ": " + errno_text(error));
    }
    return result;
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) {
    result.error =
        path_error(ExitCode::FileAccess, "cannot stat " + display + ": " + errno_text(errno));
    return result;
  }
  if (!S_ISREG(st.st_mode)) {
    result.error = path_error(ExitCode::UnsafePath, display + " is not a regular file; refused");
    return result;
  }
  if (st.st_nlink > 1) {
    result.error =
        path_error(ExitCode::UnsafePath, display + " has more than one hard link; refused");
    return result;
  }
  std::optional<std::string> content = read_to_end(fd.get(), static_cast<std::size_t>(st.st_size));
  if (!content) {
    result.error =
        path_error(ExitCode::FileAccess, "cannot read " + display + ": " + errno_text(errno));
    return result;
  }
  result.snapshot.exists = true;
  fill_identity(result.snapshot, st);
  result.snapshot.sha256 = core::sha256_hex(*content);
  result.snapshot.content = std::move(*content);
  return result;
}

bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

std::string random_suffix() {
  unsigned char bytes[8];
  std::size_t got = 0;
  while (got < sizeof bytes) {
    const ssize_t n = ::getrandom(bytes + got, sizeof bytes - got, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    got += static_cast<std::size_t>(n);
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (const unsigned char b : bytes) {
    out += kHex[b >> 4];
    out += kHex[b & 0x0f];
  }
  return out;
}

// Removes temporaries left by a writer killed before its rename; only called under the lock.
void remove_stale_temporaries(int dir, std::string_view prefix) {
  const int copy = ::dup(dir);
  if (copy < 0) return;
  DIR* stream = ::fdopendir(copy);
  if (stream == nullptr) {
    ::close(copy);
    return;
  }
  ::rewinddir(stream);
  std::vector<std::string> stale;
  while (const dirent* entry = ::readdir(stream)) {
    const std::string_view entry_name(entry->d_name);
    if (entry_name.substr(0, prefix.size()) == prefix) stale.emplace_back(entry_name);
  }
  ::closedir(stream);
  for (const auto& name : stale) ::unlinkat(dir, name.c_str(), 0);
}

bool take_lock(int fd, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto pause = std::chrono::milliseconds(1);
  while (true) {
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0) return true;
    if (errno != EWOULDBLOCK && errno != EINTR) return false;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(20));
  }
}

std::string lowercase(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; });
  return out;
}

}  // namespace

std::string lock_file_name(std::string_view name) {
  const std::string stem =
      name.substr(0, 3) == ".ht" ? std::string(name) : ".ht." + std::string(name);
  return stem + std::string(kLockSuffix);
}

std::string temp_file_prefix(std::string_view name) {
  const std::string stem =
      name.substr(0, 3) == ".ht" ? std::string(name) : ".ht." + std::string(name);
  return stem + std::string(kTempInfix);
}

std::string allowed_root() {
  const char* value = std::getenv("AUTHDIAG_ROOT");
  if (value == nullptr || *value == '\0') return "/";
  const NormalizedPath normalized = normalize_under_root(value, "/");
  return normalized.error ? std::string("/") : normalized.path;
}

std::chrono::milliseconds lock_timeout() {
  const char* value = std::getenv("AUTHDIAG_LOCK_TIMEOUT");
  if (value == nullptr || *value == '\0') return std::chrono::milliseconds(10000);
  char* end = nullptr;
  const double seconds = std::strtod(value, &end);
  if (end == value || *end != '\0' || !(seconds >= 0) || seconds > 86400) {
    return std::chrono::milliseconds(10000);
  }
  return std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000));
}

NormalizedPath normalize_under_root(std::string_view path, std::string_view root) {
  if (path.empty()) return {{}, path_error(ExitCode::Usage, "empty path")};
  if (path.find('\0') != std::string_view::npos) {
    return {{}, path_error(ExitCode::UnsafePath, "path contains a NUL byte")};
  }
  std::string absolute;
  if (path.front() != '/') {
    char cwd[PATH_MAX];
    if (::getcwd(cwd, sizeof cwd) == nullptr) {
      return {{}, path_error(ExitCode::FileAccess, "cannot determine the working directory")};
    }
    absolute = std::string(cwd) + "/";
  }
  absolute += path;
  std::vector<std::string> parts;
  for (auto& part : split_components(absolute)) {
    if (part == ".") continue;
    if (part == "..") {
      return {{},
              path_error(ExitCode::UnsafePath,
                         "path '" + std::string(path) + "' contains '..'; refused")};
    }
    parts.push_back(std::move(part));
  }
  std::string normalized = join_components(parts, parts.size());
  const std::vector<std::string> root_parts = split_components(root);
  const bool inside = root_parts.size() <= parts.size() &&
                      std::equal(root_parts.begin(), root_parts.end(), parts.begin());
  if (!inside) {
    return {{},
            path_error(ExitCode::UnsafePath, "'" + normalized + "' is outside the allowed root " +
                                                 std::string(root) + " (AUTHDIAG_ROOT)")};
  }
  return {std::move(normalized), {}};
}

DirHandle& DirHandle::operator=(DirHandle&& other) noexcept {
  std::swap(fd_, other.fd_);
  return *this;
}

DirHandle::~DirHandle() {
  if (fd_ >= 0) ::close(fd_);
}

DirResult open_directory(std::string_view dir, std::string_view root,
                         std::optional<mode_t> create_mode, std::optional<gid_t> create_gid) {
  DirResult result;
  const NormalizedPath normalized = normalize_under_root(dir, root);
  if (normalized.error) {
    result.error = normalized.error;
    return result;
  }
  const std::vector<std::string> root_parts = split_components(root);
  const std::vector<std::string> parts = split_components(normalized.path);
  const std::string root_path = join_components(root_parts, root_parts.size());
  Fd current(::open(root_path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!current) {
    result.error = path_error(ExitCode::FileAccess, "cannot open the allowed root " + root_path +
                                                        ": " + errno_text(errno));
    return result;
  }
  for (std::size_t i = root_parts.size(); i < parts.size(); ++i) {
    const std::string so_far = join_components(parts, i + 1);
    const bool last = i + 1 == parts.size();
    int fd =
        ::openat(current.get(), parts[i].c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT && create_mode) {
      const mode_t mode = last ? *create_mode : 0755;
      if (::mkdirat(current.get(), parts[i].c_str(), mode) != 0 && errno != EEXIST) {
        result.error = path_error(ExitCode::FileAccess,
                                  "cannot create directory " + so_far + ": " + errno_text(errno));
        return result;
      }
      fd = ::openat(current.get(), parts[i].c_str(),
                    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (fd >= 0) {
        // mkdir applies the umask; the group must be able to traverse the last directory.
        if (last && create_gid) (void)::fchown(fd, static_cast<uid_t>(-1), *create_gid);
        (void)::fchmod(fd, mode);
      }
    }
    if (fd < 0) {
      const int error = errno;
      struct stat st {};
      if (::fstatat(current.get(), parts[i].c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 &&
          S_ISLNK(st.st_mode)) {
        result.error = path_error(ExitCode::UnsafePath, so_far + " is a symbolic link; refused");
      } else if (error == ENOENT) {
        result.error = path_error(ExitCode::FileAccess, "directory " + so_far + " does not exist");
      } else if (error == ENOTDIR) {
        result.error = path_error(ExitCode::FileAccess, so_far + " is not a directory");
      } else {
        result.error =
            path_error(ExitCode::FileAccess, "cannot open " + so_far + ": " + errno_text(error));
      }
      return result;
    }
    current = Fd(fd);
  }
  result.dir = DirHandle(::dup(current.get()));
  return result;
}

std::optional<std::string> read_to_end(int fd, std::size_t expected_size) {
  // One byte more than expected, so a file of the expected size ends without a second call.
  std::string content(expected_size + 1, '\0');
  std::size_t used = 0;
  while (true) {
    if (used == content.size()) content.resize(content.size() + 65536);
    const ssize_t n = ::read(fd, content.data() + used, content.size() - used);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return std::nullopt;
    used += static_cast<std::size_t>(n);
    // A regular file reads short only at its end: past the size fstat gave, a short read ends
    // the file without one more call.
    if (n == 0 || (used >= expected_size && used < content.size())) {
      content.resize(used);
      return content;
    }
  }
}

ReadResult read_file_safely(std::string_view path, std::string_view root) {
  ReadResult result;
  const NormalizedPath normalized = normalize_under_root(path, root);
  if (normalized.error) {
    result.error = normalized.error;
    return result;
  }
  const std::size_t slash = normalized.path.rfind('/');
  const std::string parent = slash == 0 ? "/" : normalized.path.substr(0, slash);
  const std::string name = normalized.path.substr(slash + 1);
  DirResult dir = open_directory(parent, root);
  if (dir.error) {
    result.error = dir.error;
    return result;
  }
  return read_at(dir.dir.fd(), name, normalized.path);
}

WriteResult safe_update(std::string_view path, const WriteOptions& options,
                        const std::function<Decision(const FileSnapshot&)>& compute) {
  WriteResult result;
  const auto fail = [&result](const PathError& error) {
    result.code = error.code;
    result.message = error.message;
    return result;
  };
  const NormalizedPath normalized = normalize_under_root(path, options.root);
  if (normalized.error) return fail(normalized.error);
  result.path = normalized.path;
  const std::size_t slash = normalized.path.rfind('/');
  const std::string parent = slash == 0 ? "/" : normalized.path.substr(0, slash);
  const std::string name = normalized.path.substr(slash + 1);
  if (name.empty()) return fail(path_error(ExitCode::Usage, "no file name in " + result.path));

  DirResult dir = open_directory(parent, options.root);
  if (dir.error) return fail(dir.error);
  const int dirfd = dir.dir.fd();

  Fd lock;
  if (!options.dry_run) {
    const std::string lock_name = lock_file_name(name);
    lock =
        Fd(::openat(dirfd, lock_name.c_str(), O_RDONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644));
    if (!lock) {
      return fail(path_error(
          errno == ELOOP ? ExitCode::UnsafePath : ExitCode::FileAccess,
          "cannot open lock file " + parent + "/" + lock_name + ": " + errno_text(errno)));
    }
    if (!take_lock(lock.get(), options.lock_timeout)) {
      return fail(path_error(ExitCode::LockTimeout,
                             "timed out waiting for the lock on " + result.path + " (" +
                                 std::to_string(options.lock_timeout.count()) + " ms)"));
    }
    remove_stale_temporaries(dirfd, temp_file_prefix(name));
  }

  for (int attempt = 0;; ++attempt) {
    ReadResult read = read_at(dirfd, name, result.path);
    if (read.error) return fail(read.error);
    result.before = read.snapshot;
    if (options.if_match && lowercase(*options.if_match) != read.snapshot.sha256) {
      return fail(path_error(ExitCode::ConcurrentModification,
                             result.path + " has SHA-256 " + read.snapshot.sha256 +
                                 ", not the --if-match value " + *options.if_match));
    }
    Decision decision = compute(read.snapshot);
    if (decision.error != ExitCode::Success) {
      return fail(path_error(decision.error, decision.message));
    }
    result.kind = decision.kind;
    if (decision.kind == WriteKind::Remove && !read.snapshot.exists) result.kind = WriteKind::Keep;
    if (decision.kind == WriteKind::Replace && read.snapshot.exists &&
        decision.content == read.snapshot.content) {
      result.kind = WriteKind::Keep;
    }
    result.exists_after = result.kind == WriteKind::Replace ||
                          (result.kind == WriteKind::Keep && read.snapshot.exists);
    result.content_after = result.kind == WriteKind::Replace  ? std::move(decision.content)
                           : result.kind == WriteKind::Remove ? std::string()
                                                              : read.snapshot.content;
    result.sha256_after = core::sha256_hex(result.content_after);
    result.changed = result.kind != WriteKind::Keep;
    if (!result.changed || options.dry_run) return result;

    std::string temp_name;
    if (result.kind == WriteKind::Replace) {
      Fd temp;
      for (int tries = 0; tries < 16 && !temp; ++tries) {
        temp_name = temp_file_prefix(name) + random_suffix();
        temp = Fd(::openat(dirfd, temp_name.c_str(),
                           O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
        if (!temp && errno != EEXIST) break;
      }
      if (!temp) {
        return fail(path_error(ExitCode::FileAccess, "cannot create a temporary file in " + parent +
                                                         ": " + errno_text(errno)));
      }
      const auto discard = [&](ExitCode code, const std::string& message) {
        ::unlinkat(dirfd, temp_name.c_str(), 0);
        return fail(path_error(code, message));
      };
      if (!write_all(temp.get(), result.content_after)) {
        return discard(ExitCode::FileAccess,
                       "cannot write a temporary file in " + parent + ": " + errno_text(errno));
      }
      struct stat dir_stat {};
      ::fstat(dirfd, &dir_stat);
      const bool root = ::geteuid() == 0;
      uid_t uid = read.snapshot.uid;
      gid_t gid = read.snapshot.gid;
      mode_t mode = read.snapshot.mode;
      if (!read.snapshot.exists) {
        uid = options.new_file.uid.value_or(root ? dir_stat.st_uid : ::geteuid());
        gid = options.new_file.gid.value_or(dir_stat.st_gid);
        mode = options.new_file.mode;
      }
      struct stat temp_stat {};
      ::fstat(temp.get(), &temp_stat);
      if (read.snapshot.exists && !root && uid != temp_stat.st_uid) {
        return discard(ExitCode::FileAccess, "cannot keep the owner of " + result.path + " (uid " +
                                                 std::to_string(uid) +
                                                 "); run as that user or as root");
      }
      if ((temp_stat.st_uid != uid || temp_stat.st_gid != gid) &&
          ::fchown(temp.get(), root ? uid : static_cast<uid_t>(-1), gid) != 0) {
        if (read.snapshot.exists) {
          return discard(ExitCode::FileAccess,
                         "cannot keep the group of " + result.path + ": " + errno_text(errno));
        }
        result.warnings.push_back("could not give " + result.path + " group id " +
                                  std::to_string(gid) + ": " + errno_text(errno));
      }
      if (::fchmod(temp.get(), mode) != 0) {
        return discard(ExitCode::FileAccess,
                       "cannot set the mode of a temporary file: " + errno_text(errno));
      }
      if (::fsync(temp.get()) != 0) {
        return discard(ExitCode::FileAccess,
                       "fsync failed in " + parent + ": " + errno_text(errno));
      }
    }

    // A writer that ignores our lock may have changed the file since we read it.
    const ReadResult again = read_at(dirfd, name, result.path);
    if (again.error || !same_identity(again.snapshot, read.snapshot)) {
      if (!temp_name.empty()) ::unlinkat(dirfd, temp_name.c_str(), 0);
      if (attempt + 1 >= options.max_retries) {
        return fail(path_error(ExitCode::ConcurrentModification,
                               result.path + " kept changing while it was being updated"));
      }
      continue;
    }
    if (result.kind == WriteKind::Replace) {
      if (::renameat(dirfd, temp_name.c_str(), dirfd, name.c_str()) != 0) {
        const int error = errno;
        ::unlinkat(dirfd, temp_name.c_str(), 0);
        return fail(path_error(ExitCode::FileAccess,
                               "cannot rename over " + result.path + ": " + errno_text(error)));
      }
    } else if (::unlinkat(dirfd, name.c_str(), 0) != 0) {
      return fail(path_error(ExitCode::FileAccess,
                             "cannot remove " + result.path + ": " + errno_text(errno)));
    }
    if (::fsync(dirfd) != 0) {
      return fail(path_error(ExitCode::FileAccess,
                             "fsync of directory " + parent + " failed: " + errno_text(errno)));
    }
    return result;
  }
}

std::optional<gid_t> httpd_group() {
  std::string name;
  if (const char* value = std::getenv("APACHE_RUN_GROUP"); value != nullptr && *value != '\0') {
    name = value;
  } else {
    std::ifstream envvars("/etc/apache2/envvars");
    std::string line;
    constexpr std::string_view kKey = "export APACHE_RUN_GROUP=";
    while (std::getline(envvars, line)) {
      if (line.rfind(kKey, 0) == 0) name = line.substr(kKey.size());
    }
    if (name.empty() || name.find('$') != std::string::npos) name = "www-data";
  }
  struct group entry {};
  struct group* found = nullptr;
  std::vector<char> buffer(16384);
  if (::getgrnam_r(name.c_str(), &entry, buffer.data(), buffer.size(), &found) != 0 ||
      found == nullptr) {
    return std::nullopt;
  }
  return found->gr_gid;
}

}  // namespace authdiag::cli
