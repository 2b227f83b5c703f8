// SPDX-License-Identifier: Apache-2.0
// Recursive-descent JSON parser; recursion is bounded by JsonLimits::max_depth.
#include "core/json_reader.hpp"

#include "core/utf8.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <utility>

namespace authdiag::core {

JsonValue JsonValue::make_null() { return JsonValue{}; }

JsonValue JsonValue::make_bool(bool value) {
  JsonValue v;
  v.kind_ = Kind::Bool;
  v.bool_ = value;
  return v;
}

JsonValue JsonValue::make_number(std::string lexeme) {
  JsonValue v;
  v.kind_ = Kind::Number;
  v.text_ = std::move(lexeme);
  return v;
}

JsonValue JsonValue::make_string(std::string value) {
  JsonValue v;
  v.kind_ = Kind::String;
  v.text_ = std::move(value);
  return v;
}

JsonValue JsonValue::make_array(std::vector<JsonValue> items) {
  JsonValue v;
  v.kind_ = Kind::Array;
  v.items_ = std::move(items);
  return v;
}

JsonValue JsonValue::make_object(std::vector<std::string> keys, std::vector<JsonValue> values) {
  JsonValue v;
  v.kind_ = Kind::Object;
  v.keys_ = std::move(keys);
  v.items_ = std::move(values);
  return v;
}

std::optional<bool> JsonValue::as_bool() const noexcept {
  if (kind_ != Kind::Bool) return std::nullopt;
  return bool_;
}

const std::string* JsonValue::as_string() const noexcept {
  return kind_ == Kind::String ? &text_ : nullptr;
}

std::string_view JsonValue::number_lexeme() const noexcept {
  return kind_ == Kind::Number ? std::string_view(text_) : std::string_view();
}

std::optional<double> JsonValue::as_double() const noexcept {
  if (kind_ != Kind::Number) return std::nullopt;
  double value = 0;
  auto [ptr, ec] = std::from_chars(text_.data(), text_.data() + text_.size(), value);
  if (ec != std::errc{} || ptr != text_.data() + text_.size() || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

std::optional<std::int64_t> JsonValue::as_int64() const noexcept {
  if (kind_ != Kind::Number) return std::nullopt;
  std::int64_t value = 0;
  auto [ptr, ec] = std::from_chars(text_.data(), text_.data() + text_.size(), value);
  if (ec != std::errc{} || ptr != text_.data() + text_.size()) return std::nullopt;
  return value;
}

const JsonValue* JsonValue::find(std::string_view key) const noexcept {
  if (kind_ != Kind::Object) return nullptr;
  for (std::size_t i = 0; i < keys_.size(); ++i) {
    if (keys_[i] == key) return &items_[i];
  }
  return nullptr;
}

namespace {

class Parser {
 public:
  Parser(std::string_view text, const JsonLimits& limits) : text_(text), limits_(limits) {}

  JsonParseResult run() {
    JsonParseResult result;
    skip_whitespace();
    auto value = parse_value(0);
    if (value) {
      skip_whitespace();
      if (pos_ != text_.size()) {
        fail("unexpected data after the JSON value");
        value.reset();
      }
    }
    if (value) {
      result.value = std::move(value);
    } else {
      result.error = error_;
      result.offset = error_offset_;
    }
    return result;
  }

 private:
  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return text_[pos_]; }

  void fail(std::string message) { fail_at(pos_, std::move(message)); }
  void fail_at(std::size_t offset, std::string message) {
    if (error_.empty()) {
      error_ = std::move(message);
      error_offset_ = offset;
    }
  }

  void skip_whitespace() {
    while (!at_end()) {
      char c = peek();
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
      ++pos_;
    }
  }

  bool consume_literal(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) {
      fail("invalid literal");
      return false;
    }
    pos_ += word.size();
    return true;
  }

  std::optional<JsonValue> parse_value(std::size_t depth) {
    if (at_end()) {
      fail("unexpected end of input, expected a value");
      return std::nullopt;
    }
    switch (peek()) {
      case '{':
        return parse_object(depth + 1);
      case '[':
        return parse_array(depth + 1);
      case '"': {
        auto s = parse_string();
        if (!s) return std::nullopt;
        return JsonValue::make_string(std::move(*s));
      }
      case 't':
        if (!consume_literal("true")) return std::nullopt;
        return JsonValue::make_bool(true);
      case 'f':
        if (!consume_literal("false")) return std::nullopt;
        return JsonValue::make_bool(false);
      case 'n':
        if (!consume_literal("null")) return std::nullopt;
        return JsonValue::make_null();
      default:
        if (peek() == '-' || (peek() >= '0' && peek() <= '9')) return parse_number();
        fail("unexpected character, expected a value");
        return std::nullopt;
    }
  }

  bool check_depth(std::size_t depth) {
    if (depth > limits_.max_depth) {
      fail("nesting deeper than " + std::to_string(limits_.max_depth) + " levels");
      return false;
    }
    return true;
  }

  std::optional<JsonValue> parse_object(std::size_t depth) {
    if (!check_depth(depth)) return std::nullopt;
    ++pos_;  // '{'
    std::vector<std::string> keys;
    std::vector<JsonValue> values;
    skip_whitespace();
    if (!at_end() && peek() == '}') {
      ++pos_;
      return JsonValue::make_object(std::move(keys), std::move(values));
    }
    for (;;) {
      skip_whitespace();
      if (at_end() || peek() != '"') {
        fail("expected a string as object member name");
        return std::nullopt;
      }
      std::size_t key_offset = pos_;
      auto key = parse_string();
      if (!key) return std::nullopt;
      if (std::find(keys.begin(), keys.end(), *key) != keys.end()) {
        fail_at(key_offset, "duplicate object member name");
        return std::nullopt;
      }
      skip_whitespace();
      if (at_end() || peek() != ':') {
        fail("expected ':' after object member name");
        return std::nullopt;
      }
      ++pos_;
      skip_whitespace();
      auto value = parse_value(depth);
      if (!value) return std::nullopt;
      keys.push_back(std::move(*key));
      values.push_back(std::move(*value));
      skip_whitespace();
      if (at_end()) {
        fail("unexpected end of input in object");
        return std::nullopt;
      }
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      if (peek() == '}') {
        ++pos_;
        return JsonValue::make_object(std::move(keys), std::move(values));
      }
      fail("expected ',' or '}' in object");
      return std::nullopt;
    }
  }

  std::optional<JsonValue> parse_array(std::size_t depth) {
    if (!check_depth(depth)) return std::nullopt;
    ++pos_;  // '['
    std::vector<JsonValue> items;
    skip_whitespace();
    if (!at_end() && peek() == ']') {
      ++pos_;
      return JsonValue::make_array(std::move(items));
    }
    for (;;) {
      skip_whitespace();
      auto value = parse_value(depth);
      if (!value) return std::nullopt;
      items.push_back(std::move(*value));
      skip_whitespace();
      if (at_end()) {
        fail("unexpected end of input in array");
        return std::nullopt;
      }
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      if (peek() == ']') {
        ++pos_;
        return JsonValue::make_array(std::move(items));
      }
      fail("expected ',' or ']' in array");
      return std::nullopt;
    }
  }

  std::optional<JsonValue> parse_number() {
    std::size_t start = pos_;
    if (peek() == '-') ++pos_;
    if (at_end() || peek() < '0' || peek() > '9') {
      fail("expected a digit in number");
      return std::nullopt;
    }
    if (peek() == '0') {
      ++pos_;
      if (!at_end() && peek() >= '0' && peek() <= '9') {
        fail("leading zero in number");
        return std::nullopt;
      }
    } else {
      skip_digits();
    }
    if (!at_end() && peek() == '.') {
      ++pos_;
      if (at_end() || peek() < '0' || peek() > '9') {
        fail("expected a digit after the decimal point");
        return std::nullopt;
      }
      skip_digits();
    }
    if (!at_end() && (peek() == 'e' || peek() == 'E')) {
      ++pos_;
      if (!at_end() && (peek() == '+' || peek() == '-')) ++pos_;
      if (at_end() || peek() < '0' || peek() > '9') {
        fail("expected a digit in exponent");
        return std::nullopt;
      }
      skip_digits();
    }
    return JsonValue::make_number(std::string(text_.substr(start, pos_ - start)));
  }

  void skip_digits() {
    while (!at_end() && peek() >= '0' && peek() <= '9') ++pos_;
  }

  static int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  // Four hex digits after "\u".
  std::optional<std::uint32_t> parse_hex4() {
    std::uint32_t value = 0;
    for (std::size_t i = 0; i < 4; ++i) {
      if (pos_ + i >= text_.size()) {
        fail_at(text_.size(), "truncated \\u escape");
        return std::nullopt;
      }
      int digit = hex_value(text_[pos_ + i]);
      if (digit < 0) {
        fail_at(pos_ + i, "invalid hex digit in \\u escape");
        return std::nullopt;
      }
      value = value * 16 + static_cast<std::uint32_t>(digit);
    }
    pos_ += 4;
    return value;
  }

  static void append_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  std::optional<std::string> parse_string() {
    ++pos_;  // opening quote
    std::string out;
    for (;;) {
      if (at_end()) {
        fail("unterminated string");
        return std::nullopt;
      }
      auto c = static_cast<unsigned char>(peek());
      if (c == '"') {
        ++pos_;
        return out;
      }
      if (c < 0x20) {
        fail("unescaped control character in string");
        return std::nullopt;
      }
      if (c == '\\') {
        if (!parse_escape(out)) return std::nullopt;
        continue;
      }
      if (c < 0x80) {
        out += static_cast<char>(c);
        ++pos_;
        continue;
      }
      std::size_t length = decode_utf8(text_, pos_).length;
      if (length == 0) {
        fail("invalid UTF-8 in string");
        return std::nullopt;
      }
      out.append(text_.substr(pos_, length));
      pos_ += length;
    }
  }

  bool parse_escape(std::string& out) {
    std::size_t escape_offset = pos_;
    ++pos_;  // backslash
    if (at_end()) {
      fail("unterminated escape");
      return false;
    }
    char e = peek();
    ++pos_;
    switch (e) {
      case '"':
        out += '"';
        return true;
      case '\\':
        out += '\\';
        return true;
      case '/':
        out += '/';
        return true;
      case 'b':
        out += '\b';
        return true;
      case 'f':
        out += '\f';
        return true;
      case 'n':
        out += '\n';
        return true;
      case 'r':
        out += '\r';
        return true;
      case 't':
        out += '\t';
        return true;
      case 'u':
        break;
      default:
        fail_at(escape_offset, "invalid escape sequence");
        return false;
    }
    auto unit = parse_hex4();
    if (!unit) return false;
    std::uint32_t cp = *unit;
    if (cp >= 0xDC00 && cp <= 0xDFFF) {
      fail_at(escape_offset, "lone low surrogate in \\u escape");
      return false;
    }
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      if (text_.substr(pos_, 2) != "\\u") {
        fail_at(escape_offset, "high surrogate not followed by a low surrogate");
        return false;
      }
      pos_ += 2;
      auto low = parse_hex4();
      if (!low) return false;
      if (*low < 0xDC00 || *low > 0xDFFF) {
        fail_at(escape_offset, "high surrogate not followed by a low surrogate");
        return false;
      }
      cp = 0x10000 + ((cp - 0xD800) << 10) + (*low - 0xDC00);
    }
    append_utf8(out, cp);
    return true;
  }

  std::string_view text_;
  const JsonLimits& limits_;
  std::size_t pos_ = 0;
  std::string error_;
  std::size_t error_offset_ = 0;
};

}  // namespace

JsonParseResult parse_json(std::string_view text, const JsonLimits& limits) {
  return Parser(text, limits).run();
}

}  // namespace authdiag::core
