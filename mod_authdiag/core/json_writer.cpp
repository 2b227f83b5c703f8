// SPDX-License-Identifier: Apache-2.0
// JSON string escaping (RFC 8259 §7) that always yields valid JSON, whatever bytes come in.
#include "core/json_writer.hpp"

#include "core/utf8.hpp"

#include <array>
#include <cstddef>
#include <utility>

namespace authdiag::core {

namespace {

constexpr std::string_view kHexDigits = "0123456789abcdef";

constexpr bool is_plain(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return byte >= 0x20 && byte < 0x7f && c != '"' && c != '\\';
}

// The escape of one character (or of one invalid byte) and the bytes of the input it stands for.
struct EscapeUnit {
  std::array<char, 6> bytes{};
  std::size_t size = 0;
  std::size_t consumed = 1;
};

EscapeUnit escape_unit(std::string_view text, std::size_t pos) {
  EscapeUnit unit;
  const auto put = [&unit](char c) { unit.bytes[unit.size++] = c; };
  const auto put_u = [&put](char32_t value) {
    put('\\');
    put('u');
    for (int shift = 12; shift >= 0; shift -= 4) put(kHexDigits[(value >> shift) & 0xfU]);
  };
  const auto byte = static_cast<std::uint8_t>(text[pos]);
  switch (byte) {
    case '"':
      put('\\');
      put('"');
      return unit;
    case '\\':
      put('\\');
      put('\\');
      return unit;
    case '\b':
      put('\\');
      put('b');
      return unit;
    case '\f':
      put('\\');
      put('f');
      return unit;
    case '\n':
      put('\\');
      put('n');
      return unit;
    case '\r':
      put('\\');
      put('r');
      return unit;
    case '\t':
      put('\\');
      put('t');
      return unit;
    default:
      break;
  }
  if (byte < 0x80) {
    if (byte < 0x20 || byte == 0x7f) {
      put_u(byte);
    } else {
      put(static_cast<char>(byte));
    }
    return unit;
  }
  const Utf8Char decoded = decode_utf8(text, pos);
  if (decoded.length == 0) {
    put_u(byte);
    return unit;
  }
  unit.consumed = decoded.length;
  const char32_t cp = decoded.code_point;
  if (cp <= 0x9f || cp == 0x2028 || cp == 0x2029) {
    put_u(cp);
  } else {
    for (std::size_t i = 0; i < decoded.length; ++i) put(text[pos + i]);
  }
  return unit;
}

// Calls `emit` with consecutive pieces of the escape of `text`: runs of plain ASCII (which may be
// cut anywhere) and single escape units (which may not). Stops when `emit` returns false.
template <typename Emit>
void escape_pieces(std::string_view text, Emit emit) {
  for (std::size_t pos = 0; pos < text.size();) {
    std::size_t run_end = pos;
    while (run_end < text.size() && is_plain(text[run_end])) ++run_end;
    if (run_end > pos) {
      if (!emit(text.substr(pos, run_end - pos), true)) return;
      pos = run_end;
      continue;
    }
    const EscapeUnit unit = escape_unit(text, pos);
    if (!emit(std::string_view(unit.bytes.data(), unit.size), false)) return;
    pos += unit.consumed;
  }
}

}  // namespace

bool append_json_escaped(std::string& out, std::string_view text, std::size_t limit) {
  std::size_t room = limit;
  bool complete = true;
  escape_pieces(text, [&](std::string_view piece, bool divisible) {
    if (piece.size() > room) {
      if (divisible) out.append(piece.substr(0, room));
      complete = false;
      return false;
    }
    out.append(piece);
    room -= piece.size();
    return true;
  });
  return complete;
}

std::size_t json_escaped_size(std::string_view text) {
  std::size_t size = 0;
  escape_pieces(text, [&size](std::string_view piece, bool) {
    size += piece.size();
    return true;
  });
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
