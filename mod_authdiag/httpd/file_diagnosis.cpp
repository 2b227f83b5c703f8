// SPDX-License-Identifier: Apache-2.0
#include "httpd/file_diagnosis.hpp"

#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace authdiag::httpd {

core::ConfigFault diagnose_file(const char* path) noexcept {
  const int fd = ::open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    return errno == ENOENT || errno == ENOTDIR ? core::ConfigFault::UserFileMissing
                                               : core::ConfigFault::UserFileUnreadable;
  }
  struct stat info {};
  const bool regular = ::fstat(fd, &info) == 0 && S_ISREG(info.st_mode);
  ::close(fd);
  return regular ? core::ConfigFault::None : core::ConfigFault::UserFileUnreadable;
}

}  // namespace authdiag::httpd
