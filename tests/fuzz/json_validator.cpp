// SPDX-License-Identifier: Apache-2.0
// Recursive-descent JSON validator (RFC 8259) with a depth limit, independent of the writer.
#include "json_validator.hpp"

#include <cstddef>
#include <cstdint>
#include <set>
#include <string>

namespace authdiag::fuzz {

namespace {

class Validator {
 public:
  explicit Validator(std::string_view text) : text_(text) {}

  bool document(bool object_only) {
    skip_whitespace();
    if (object_only && (at_end() || peek() != '{')) return false;
    if (!value(0)) return false;
    skip_whitespace();
    return at_end();
  }

  bool has_duplicate_name() const { return duplicate_name_; }

 private:
  static constexpr int kMaxDepth = 64;

  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return text_[pos_]; }
  std::uint8_t byte_at(std::size_t i) const { return static_cast<std::uint8_t>(text_[i]); }

  void skip_whitespace() {
    while (!at_end() && (peek() == ' ' || peek() == '\t' || peek() == '\n' || peek() == '\r')) {
      ++pos_;
    }
  }

  bool literal(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  bool value(int depth) {
    if (depth > kMaxDepth || at_end()) return false;
    switch (peek()) {
      case '{':
        return object(depth);
      case '[':
        return array(depth);
      case '"':
        return string(nullptr);
      case 't':
        return literal("true");
      case 'f':
        return literal("false");
      case 'n':
        return literal("null");
      default:
        return number();
    }
  }

  bool object(int depth) {
    ++pos_;
    std::set<std::string> names;
    skip_whitespace();
    if (!at_end() && peek() == '}') {
      ++pos_;
      return true;
    }
    while (true) {
      skip_whitespace();
      std::string name;
      if (at_end() || peek() != '"' || !string(&name)) return false;
      if (!names.insert(name).second) duplicate_name_ = true;
      skip_whitespace();
      if (at_end() || peek() != ':') return false;
      ++pos_;
      skip_whitespace();
      if (!value(depth + 1)) return false;
      skip_whitespace();
      if (at_end()) return false;
      if (peek() == '}') {
        ++pos_;
        return true;
      }
      if (peek() != ',') return false;
      ++pos_;
    }
  }

  bool array(int depth) {
    ++pos_;
    skip_whitespace();
    if (!at_end() && peek() == ']') {
      ++pos_;
      return true;
    }
    while (true) {
      skip_whitespace();
      if (!value(depth + 1)) return false;
      skip_whitespace();
      if (at_end()) return false;
      if (peek() == ']') {
        ++pos_;
        return true;
      }
      if (peek() != ',') return false;
      ++pos_;
    }
  }

  bool hex4(unsigned& out) {
    if (text_.size() - pos_ < 4) return false;
    out = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = text_[pos_++];
      unsigned digit = 0;
      if (c >= '0' && c <= '9') {
        digit = static_cast<unsigned>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        digit = static_cast<unsigned>(c - 'a' + 10);
      } else if (c >= 'A' && c <= 'F') {
        digit = static_cast<unsigned>(c - 'A' + 10);
      } else {
        return false;
      }
      out = out << 4 | digit;
    }
    return true;
  }

  // Strict UTF-8 of one character starting at pos_ (a byte >= 0x80).
  bool utf8_sequence() {
    const std::uint8_t lead = byte_at(pos_);
    std::size_t length = 0;
    std::uint32_t cp = 0;
    if (lead >= 0xc2 && lead <= 0xdf) {
      length = 2;
      cp = lead & 0x1fU;
    } else if (lead >= 0xe0 && lead <= 0xef) {
      length = 3;
      cp = lead & 0x0fU;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      length = 4;
      cp = lead & 0x07U;
    } else {
      return false;
    }
    if (text_.size() - pos_ < length) return false;
    for (std::size_t i = 1; i < length; ++i) {
      const std::uint8_t b = byte_at(pos_ + i);
      if ((b & 0xc0U) != 0x80U) return false;
      cp = cp << 6 | (b & 0x3fU);
    }
    const std::uint32_t minimum = length == 2 ? 0x80 : length == 3 ? 0x800 : 0x10000;
    if (cp < minimum || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    pos_ += length;
    return true;
  }

  // Validates a string; collects its raw text (escapes undecoded) into `name` when given.
  bool string(std::string* name) {
    const std::size_t start = ++pos_;
    while (true) {
      if (at_end()) return false;
      const std::uint8_t c = byte_at(pos_);
      if (c == '"') break;
      if (c < 0x20) return false;
      if (c == '\\') {
        ++pos_;
        if (at_end()) return false;
        const char e = peek();
        if (e == 'u') {
          ++pos_;
          unsigned unit = 0;
          if (!hex4(unit)) return false;
          if (unit >= 0xdc00 && unit <= 0xdfff) return false;  // lone low surrogate
          if (unit >= 0xd800 && unit <= 0xdbff) {
            unsigned low = 0;
            if (!literal("\\u") || !hex4(low) || low < 0xdc00 || low > 0xdfff) return false;
          }
          continue;
        }
        if (std::string_view("\"\\/bfnrt").find(e) == std::string_view::npos) return false;
        ++pos_;
        continue;
      }
      if (c >= 0x80) {
        if (!utf8_sequence()) return false;
        continue;
      }
      ++pos_;
    }
    if (name != nullptr) name->assign(text_.substr(start, pos_ - start));
    ++pos_;
    return true;
  }

  bool digits() {
    const std::size_t start = pos_;
    while (!at_end() && peek() >= '0' && peek() <= '9') ++pos_;
    return pos_ > start;
  }

  bool number() {
    if (!at_end() && peek() == '-') ++pos_;
    if (at_end()) return false;
    if (peek() == '0') {
      ++pos_;
    } else if (!digits()) {
      return false;
    }
    if (!at_end() && peek() == '.') {
      ++pos_;
      if (!digits()) return false;
    }
    if (!at_end() && (peek() == 'e' || peek() == 'E')) {
      ++pos_;
      if (!at_end() && (peek() == '+' || peek() == '-')) ++pos_;
      if (!digits()) return false;
    }
    return true;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  bool duplicate_name_ = false;
};

}  // namespace

bool is_valid_json(std::string_view text) { return Validator(text).document(false); }

bool is_valid_json_object(std::string_view text) {
  Validator validator(text);
  return validator.document(true) && !validator.has_duplicate_name();
}

}  // namespace authdiag::fuzz
