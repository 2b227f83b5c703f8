// SPDX-License-Identifier: Apache-2.0
// The one JSON string escaper of the project (RFC 8259) and a small writer for flat objects,
// used by the denial log and the problem+json view.
#pragma once

#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>

namespace authdiag::core {

// Appends the JSON escape of `text` (without the surrounding quotes). Valid UTF-8 is copied,
// except U+2028/U+2029 and C1 controls, which become \uXXXX; `"` and `\` are escaped; C0
// controls become \b \f \n \r \t or \u00XX, DEL \u007f; each byte that is not part of a valid
// UTF-8 sequence is written as \u00XX of that byte. Writes at most `limit` bytes and never
// splits a character or an escape; returns false when `text` had to be cut.
bool append_json_escaped(std::string& out, std::string_view text,
                         std::size_t limit = std::numeric_limits<std::size_t>::max());

// Size of the full escape of `text`, i.e. what append_json_escaped writes without a limit.
std::size_t json_escaped_size(std::string_view text);

// Builds one JSON object member by member: {"a":"x","b":1}.
class JsonObjectWriter {
 public:
  JsonObjectWriter() : out_("{") {}

  void add_string(std::string_view key, std::string_view value);
  // A string member whose escaped value is cut to `limit` bytes; returns false when cut.
  bool add_string(std::string_view key, std::string_view value, std::size_t limit);
  void add_number(std::string_view key, std::int64_t value);
  void add_unsigned(std::string_view key, std::uint64_t value);
  void add_bool(std::string_view key, bool value);
  void add_string_array(std::string_view key, std::span<const std::string_view> values);

  // Closes the object and returns it; the writer must not be used afterwards.
  std::string finish() &&;

 private:
  void add_key(std::string_view key);
  std::string out_;
};

}  // namespace authdiag::core
