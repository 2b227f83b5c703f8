// SPDX-License-Identifier: Apache-2.0
// Why httpd cannot use an AuthUserFile/AuthGroupFile, seen from the child's own uid.
#pragma once

#include "core/classifier.hpp"

namespace authdiag::httpd {

// None when the file opens for reading and is a regular file; UserFileMissing when the path
// does not exist; UserFileUnreadable for anything else (permissions, a directory, ...).
core::ConfigFault diagnose_file(const char* path) noexcept;

}  // namespace authdiag::httpd
