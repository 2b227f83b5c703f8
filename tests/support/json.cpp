// SPDX-License-Identifier: Apache-2.0
// Recursive-descent JSON parser (RFC 8259), strict on purpose: the denial log must be valid for
// any consumer, so anything a lenient parser would forgive is an error here.
#include "support/json.hpp"

#include <cmath>
#include <cstdlib>
#include <stdexcept>

namespace authdiag::test_json {

namespace {

constexpr int kMaxDepth = 64;

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  Json parse_document() {
    skip_ws();
    Json value = parse_value(0);
    skip_ws();
    if (pos_ != text_.size()) fail("trailing data");
    return value;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw std::runtime_error("invalid JSON at byte " + std::to_string(pos_) + ": " + what);
  }

  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return at_end() ? '\0' : text_[pos_]; }

  void skip_ws() {
    while (!at_end() && (peek() == ' ' || peek() == '\t' || peek() == '\n' || peek() == '\r')) {
      ++pos_;
    }
  }

  void expect(char c) {
    if (peek() != c || at_end()) fail(std::string("expected '") + c + "'");
    ++pos_;
  }

  void literal(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) fail("bad literal");
    pos_ += word.size();
  }

  Json parse_value(int depth) {
    if (depth > kMaxDepth) fail("nesting too deep");
    switch (peek()) {
      case '{':
        return parse_object(depth);
      case '[':
        return parse_array(depth);
      case '"':
        return Json::make_string(parse_string());
      case 't':
        literal("true");
        return Json::make_bool(true);
      case 'f':
        literal("false");
        return Json::make_bool(false);
      case 'n':
        literal("null");
        return Json();
      default:
        return parse_number();
    }
  }

  Json parse_object(int depth) {
    expect('{');
    Json::Object members;
    skip_ws();
    if (peek() == '}') {
      ++pos_;
      return Json::make_object(std::move(members));
    }
    for (;;) {
      skip_ws();
      if (peek() != '"') fail("expected a member name");
      std::string key = parse_string();
      for (const auto& [k, v] : members) {
        if (k == key) fail("duplicate member \"" + key + "\"");
      }
      skip_ws();
      expect(':');
      skip_ws();
      Json value = parse_value(depth + 1);
      members.emplace_back(std::move(key), std::move(value));
      skip_ws();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      expect('}');
      return Json::make_object(std::move(members));
    }
  }

  Json parse_array(int depth) {
    expect('[');
    Json::Array items;
    skip_ws();
    if (peek() == ']') {
      ++pos_;
      return Json::make_array(std::move(items));
    }
    for (;;) {
      skip_ws();
      items.push_back(parse_value(depth + 1));
      skip_ws();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      expect(']');
      return Json::make_array(std::move(items));
    }
  }

  static bool is_digit(char c) { return c >= '0' && c <= '9'; }

  Json parse_number() {
    const std::size_t start = pos_;
    if (peek() == '-') ++pos_;
    if (peek() == '0') {
      ++pos_;
    } else if (is_digit(peek()) && !at_end()) {
      while (!at_end() && is_digit(peek())) ++pos_;
    } else {
      fail("unexpected character");
    }
    if (peek() == '.' && !at_end()) {
      ++pos_;
      if (!is_digit(peek()) || at_end()) fail("digit expected after '.'");
      while (!at_end() && is_digit(peek())) ++pos_;
    }
    if ((peek() == 'e' || peek() == 'E') && !at_end()) {
      ++pos_;
      if (peek() == '+' || peek() == '-') ++pos_;
      if (!is_digit(peek()) || at_end()) fail("digit expected in exponent");
      while (!at_end() && is_digit(peek())) ++pos_;
    }
    std::string text(text_.substr(start, pos_ - start));
    const double value = std::strtod(text.c_str(), nullptr);
    return Json::make_number(value, std::move(text));
  }

  unsigned hex4() {
    if (pos_ + 4 > text_.size()) fail("short \\u escape");
    unsigned v = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = text_[pos_++];
      v <<= 4;
      if (c >= '0' && c <= '9') {
        v |= static_cast<unsigned>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        v |= static_cast<unsigned>(c - 'a' + 10);
      } else if (c >= 'A' && c <= 'F') {
        v |= static_cast<unsigned>(c - 'A' + 10);
      } else {
        fail("bad hex digit in \\u escape");
      }
    }
    return v;
  }

  static void append_utf8(std::string& out, unsigned cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xc0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xe0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
      out += static_cast<char>(0x80 | (cp & 0x3f));
    } else {
      out += static_cast<char>(0xf0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
      out += static_cast<char>(0x80 | (cp & 0x3f));
    }
  }

  // Copies one well-formed UTF-8 sequence (RFC 3629) starting at pos_.
  void copy_utf8(std::string& out) {
    const auto b0 = static_cast<unsigned char>(text_[pos_]);
    std::size_t len = 0;
    unsigned min = 0;
    unsigned cp = 0;
    if (b0 >= 0xc2 && b0 <= 0xdf) {
      len = 2;
      cp = b0 & 0x1fU;
      min = 0x80;
    } else if (b0 >= 0xe0 && b0 <= 0xef) {
      len = 3;
      cp = b0 & 0x0fU;
      min = 0x800;
    } else if (b0 >= 0xf0 && b0 <= 0xf4) {
      len = 4;
      cp = b0 & 0x07U;
      min = 0x10000;
    } else {
      fail("invalid UTF-8 lead byte");
    }
    if (pos_ + len > text_.size()) fail("truncated UTF-8 sequence");
    for (std::size_t i = 1; i < len; ++i) {
      const auto b = static_cast<unsigned char>(text_[pos_ + i]);
      if ((b & 0xc0U) != 0x80U) fail("invalid UTF-8 continuation byte");
      cp = (cp << 6) | (b & 0x3fU);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) fail("invalid UTF-8 value");
    out.append(text_.substr(pos_, len));
    pos_ += len;
  }

  std::string parse_string() {
    expect('"');
    std::string out;
    for (;;) {
      if (at_end()) fail("unterminated string");
      const char c = text_[pos_];
      const auto u = static_cast<unsigned char>(c);
      if (c == '"') {
        ++pos_;
        return out;
      }
      if (u < 0x20) fail("raw control character in string");
      if (u >= 0x80) {
        copy_utf8(out);
        continue;
      }
      ++pos_;
      if (c != '\\') {
        out += c;
        continue;
      }
      if (at_end()) fail("unterminated escape");
      const char e = text_[pos_++];
      switch (e) {
        case '"':
          out += '"';
          break;
        case '\\':
          out += '\\';
          break;
        case '/':
          out += '/';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          unsigned cp = hex4();
          if (cp >= 0xd800 && cp <= 0xdbff) {
            if (text_.substr(pos_, 2) != "\\u") fail("unpaired high surrogate");
            pos_ += 2;
            const unsigned low = hex4();
            if (low < 0xdc00 || low > 0xdfff) fail("bad low surrogate");
            cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
          } else if (cp >= 0xdc00 && cp <= 0xdfff) {
            fail("unpaired low surrogate");
          }
          append_utf8(out, cp);
          break;
        }
        default:
          fail("bad escape");
      }
    }
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

void dump_string(std::string& out, const std::string& s) {
  out += '"';
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\u00";
      out += kHex[u >> 4];
      out += kHex[u & 15];
    } else {
      out += c;
    }
  }
  out += '"';
}

}  // namespace

Json Json::make_bool(bool b) {
  Json j;
  j.value_ = b;
  return j;
}

Json Json::make_number(double d, std::string text) {
  Json j;
  j.value_ = Number{d, std::move(text)};
  return j;
}

Json Json::make_string(std::string s) {
  Json j;
  j.value_ = std::move(s);
  return j;
}

Json Json::make_array(Array a) {
  Json j;
  j.value_ = std::move(a);
  return j;
}

Json Json::make_object(Object o) {
  Json j;
  j.value_ = std::move(o);
  return j;
}

const Json* Json::find(std::string_view key) const {
  if (!is_object()) return nullptr;
  for (const auto& [k, v] : as_object()) {
    if (k == key) return &v;
  }
  return nullptr;
}

std::optional<std::string> Json::string_member(std::string_view key) const {
  const Json* member = find(key);
  if (member == nullptr || !member->is_string()) return std::nullopt;
  return member->as_string();
}

std::string Json::dump() const {
  std::string out;
  if (is_null()) {
    out = "null";
  } else if (is_bool()) {
    out = as_bool() ? "true" : "false";
  } else if (is_number()) {
    out = number_text();
  } else if (is_string()) {
    dump_string(out, as_string());
  } else if (is_array()) {
    out = "[";
    for (std::size_t i = 0; i < as_array().size(); ++i) {
      if (i > 0) out += ',';
      out += as_array()[i].dump();
    }
    out += ']';
  } else {
    out = "{";
    bool first = true;
    for (const auto& [k, v] : as_object()) {
      if (!first) out += ',';
      first = false;
      dump_string(out, k);
      out += ':';
      out += v.dump();
    }
    out += '}';
  }
  return out;
}

Json parse_json(std::string_view text) { return Parser(text).parse_document(); }

bool is_valid_json(std::string_view text) {
  try {
    parse_json(text);
    return true;
  } catch (const std::runtime_error&) {
    return false;
  }
}

bool is_valid_json_object(std::string_view text) {
  try {
    return parse_json(text).is_object();
  } catch (const std::runtime_error&) {
    return false;
  }
}

}  // namespace authdiag::test_json
