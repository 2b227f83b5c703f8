// SPDX-License-Identifier: Apache-2.0
// Why httpd cannot use an AuthUserFile/AuthGroupFile, seen from the child's own uid.
#pragma once

#include "core/classifier.hpp"

#include <string>

namespace authdiag::httpd {

struct FileDiagnosis {
  // None when the file opens for reading and is a regular file; UserFileMissing when the path
  // does not exist; UserFileUnreadable for anything else (permissions, a directory, ...).
  core::ConfigFault fault = core::ConfigFault::None;
  int error_number = 0;  // open()'s errno; 0 when the file opened but is not a regular file
};

FileDiagnosis diagnose_file(const char* path) noexcept;

// diagnose_file, answered from this thread's recent results for up to a second: for the hot
// paths (every anonymous 401 reports a broken user file), where three system calls a request
// would cost several percent of throughput. A fix shows within a second.
FileDiagnosis diagnose_file_recently(const char* path) noexcept;

// "open() as uid 33 failed: Permission denied (errno 13)": the facts an admin needs to fix it.
std::string describe_file_problem(const FileDiagnosis& diagnosis);

}  // namespace authdiag::httpd
