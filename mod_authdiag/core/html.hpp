// SPDX-License-Identifier: Apache-2.0
// HTML escaping for text a client or a log line supplied, shared by the detail page and the
// denial report.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace authdiag::core {

// Appends `text` escaped for element content and quoted attributes, as pure ASCII (so the page
// is safe whatever charset a proxy claims): markup characters as entities, other non-ASCII as
// numeric references; C0/C1 controls, DEL and bidirectional overrides as visible \xNN / \uNNNN
// so a crafted user name can neither hide nor reorder text; invalid UTF-8 as U+FFFD. At most
// `max_chars` characters are kept, then an ellipsis.
void append_html(std::string& out, std::string_view text,
                 std::size_t max_chars = std::string_view::npos);

inline std::string html_escape(std::string_view text,
                               std::size_t max_chars = std::string_view::npos) {
  std::string out;
  out.reserve(text.size() + 16);
  append_html(out, text, max_chars);
  return out;
}

}  // namespace authdiag::core
