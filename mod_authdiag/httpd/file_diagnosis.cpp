// SPDX-License-Identifier: Apache-2.0
#include "httpd/file_diagnosis.hpp"

#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "httpd/httpd_api.hpp"

namespace authdiag::httpd {

FileDiagnosis diagnose_file(const char* path) noexcept {
  const int fd = ::open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    const int error_number = errno;
    return {error_number == ENOENT || error_number == ENOTDIR
                ? core::ConfigFault::UserFileMissing
                : core::ConfigFault::UserFileUnreadable,
            error_number};
  }
  struct stat info {};
  const bool regular = ::fstat(fd, &info) == 0 && S_ISREG(info.st_mode);
  ::close(fd);
  return {regular ? core::ConfigFault::None : core::ConfigFault::UserFileUnreadable, 0};
}

namespace {

struct RecentDiagnosis {
  std::array<char, 256> path{};  // longer paths are not remembered
  std::chrono::steady_clock::time_point checked{};
  FileDiagnosis result;
};

constexpr std::size_t kRecentPaths = 8;
constexpr auto kReuseFor = std::chrono::seconds(1);

// Trivially destructible, so no thread-exit destructor is registered for it.
thread_local std::array<RecentDiagnosis, kRecentPaths> recent_diagnoses{};
thread_local std::size_t next_replaced = 0;

}  // namespace

FileDiagnosis diagnose_file_recently(const char* path) noexcept {
  const auto now = std::chrono::steady_clock::now();
  const std::size_t length = std::strlen(path);
  if (length >= RecentDiagnosis{}.path.size()) return diagnose_file(path);
  for (const auto& entry : recent_diagnoses) {
    if (now - entry.checked < kReuseFor && std::strcmp(entry.path.data(), path) == 0) {
      return entry.result;
    }
  }
  auto& entry = recent_diagnoses[next_replaced];
  next_replaced = (next_replaced + 1) % kRecentPaths;
  std::memcpy(entry.path.data(), path, length + 1);
  entry.result = diagnose_file(path);
  entry.checked = now;
  return entry.result;
}

std::string describe_file_problem(const FileDiagnosis& diagnosis) {
  const std::string uid = std::to_string(::geteuid());
  if (diagnosis.error_number == 0) return "uid " + uid + " opened it, but it is not a regular file";
  std::array<char, 128> text{};
  apr_strerror(diagnosis.error_number, text.data(), text.size());
  return "open() as uid " + uid + " failed: " + text.data() + " (errno " +
         std::to_string(diagnosis.error_number) + ")";
}

}  // namespace authdiag::httpd
