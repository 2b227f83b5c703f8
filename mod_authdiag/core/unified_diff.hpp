// SPDX-License-Identifier: Apache-2.0
// Line-based unified diff (as `diff -u` prints it) for --dry-run: line endings are part of the
// compared lines, and a last line without a newline is marked "\ No newline at end of file".
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace authdiag::core {

// Empty when the texts are equal. `context` lines around each change.
std::string unified_diff(std::string_view before, std::string_view after,
                         std::string_view before_label, std::string_view after_label,
                         std::size_t context = 3);

}  // namespace authdiag::core
