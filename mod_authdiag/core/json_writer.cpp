// SPDX-License-Identifier: Apache-2.0
// JSON string escaping (RFC 8259 §7) that always yields valid JSON, whatever bytes come in.
#include "core/json_writer.hpp"

#include "core/utf8.hpp"

#include <utility>

namespace authdiag::core {

namespace {

constexpr std::string_view kHexDigits = "0123456789abcdef";

// Writes the escape of one character (or of one invalid byte) into `unit`; returns the number of
// bytes of `text` it consumed.
std::size_t escape_unit(std::string_view text, std::size_t pos, std::string& unit) {
  unit.clear();
  const auto append_u = [&unit](char32_t value) {
    unit += "\\u";
    for (int shift = 12; shift >= 0; shift -= 4) {
      unit += kHexDigits[(value >> shift) & 0xfU];
    }
  };
  const auto byte = static_cast<std::uint8_t>(text[pos]);
  switch (byte) {
    case '"':
      unit = "\\\"";
      return 1;
    case '\\':
      unit = "\\\\";
      return 1;
    case '\b':
      unit = "\\b";
      return 1;
    case '\f':
      unit = "\\f";
      return 1;
    case '\n':
      unit = "\\n";
      return 1;
    case '\r':
      unit = "\\r";
      return 1;
    case '\t':
      unit = "\\t";
      return 1;
    default:
      break;
  }
  if (byte < 0x20 || byte == 0x7f) {
    append_u(byte);
    return 1;
  }
  if (byte < 0x80) {
    unit += static_cast<char>(byte);
    return 1;
  }
  const Utf8Char decoded = decode_utf8(text, pos);
  if (decoded.length == 0) {
    append_u(byte);
    return 1;
  }
  const char32_t cp = decoded.code_point;
  if (cp <= 0x9f || cp == 0x2028 || cp == 0x2029) {
    append_u(cp);
  } else {
    unit.append(text.substr(pos, decoded.length));
  }
  return decoded.length;
}

}  // namespace

bool append_json_escaped(std::string& out, std::string_view text, std::size_t limit) {
  std::string unit;
  std::size_t written = 0;
  for (std::size_t pos = 0; pos < text.size();) {
    const std::size_t consumed = escape_unit(text, pos, unit);
    if (unit.size() > limit - written) return false;
    out += unit;
    written += unit.size();
    pos += consumed;
  }
  return true;
}

std::size_t json_escaped_size(std::string_view text) {
  std::string unit;
  std::size_t size = 0;
  for (std::size_t pos = 0; pos < text.size();) {
    pos += escape_unit(text, pos, unit);
    size += unit.size();
  }
  return size;
}

void JsonObjectWriter::add_key(std::string_view key) {
  if (out_.size() > 1) out_ += ',';
  out_ += '"';
  append_json_escaped(out_, key);
  out_ += "\":";
}

void JsonObjectWriter::add_string(std::string_view key, std::string_view value) {
  add_string(key, value, std::numeric_limits<std::size_t>::max());
}

bool JsonObjectWriter::add_string(std::string_view key, std::string_view value, std::size_t limit) {
  add_key(key);
  out_ += '"';
  const bool complete = append_json_escaped(out_, value, limit);
  out_ += '"';
  return complete;
}

void JsonObjectWriter::add_number(std::string_view key, std::int64_t value) {
  add_key(key);
  out_ += std::to_string(value);
}

void JsonObjectWriter::add_unsigned(std::string_view key, std::uint64_t value) {
  add_key(key);
  out_ += std::to_string(value);
}

void JsonObjectWriter::add_bool(std::string_view key, bool value) {
  add_key(key);
  out_ += value ? "true" : "false";
}

void JsonObjectWriter::add_string_array(std::string_view key,
                                        std::span<const std::string_view> values) {
  add_key(key);
  out_ += '[';
  bool first = true;
  for (const std::string_view value : values) {
    if (!first) out_ += ',';
    first = false;
    out_ += '"';
    append_json_escaped(out_, value);
    out_ += '"';
  }
  out_ += ']';
}

std::string JsonObjectWriter::finish() && {
  out_ += '}';
  return std::move(out_);
}

}  // namespace authdiag::core
