// SPDX-License-Identifier: Apache-2.0
#include "httpd/file_diagnosis.hpp"

#include <array>
#include <cerrno>
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

std::string describe_file_problem(const FileDiagnosis& diagnosis) {
  const std::string uid = std::to_string(::geteuid());
  if (diagnosis.error_number == 0) return "uid " + uid + " opened it, but it is not a regular file";
  std::array<char, 128> text{};
  apr_strerror(diagnosis.error_number, text.data(), text.size());
  return "open() as uid " + uid + " failed: " + text.data() + " (errno " +
         std::to_string(diagnosis.error_number) + ")";
}

}  // namespace authdiag::httpd
