// SPDX-License-Identifier: Apache-2.0
// A small strict JSON parser (RFC 8259) for reading the module's JSON-lines denial log: no
// extensions, valid UTF-8 only, duplicate object keys and lone surrogates rejected, bounded depth.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace authdiag::core {

class JsonValue {
 public:
  enum class Kind : std::uint8_t { Null, Bool, Number, String, Array, Object };

  JsonValue() = default;
  static JsonValue make_null();
  static JsonValue make_bool(bool value);
  static JsonValue make_number(std::string lexeme);  // lexeme must already be valid JSON
  static JsonValue make_string(std::string value);
  static JsonValue make_array(std::vector<JsonValue> items);
  static JsonValue make_object(std::vector<std::string> keys, std::vector<JsonValue> values);

  Kind kind() const noexcept { return kind_; }
  bool is_null() const noexcept { return kind_ == Kind::Null; }

  std::optional<bool> as_bool() const noexcept;
  // The decoded string, or nullptr when this is not a string.
  const std::string* as_string() const noexcept;
  // The number exactly as written ("401.1", "-0", "1e3"); empty when this is not a number.
  std::string_view number_lexeme() const noexcept;
  std::optional<double> as_double() const noexcept;
  // Only for numbers written as integers that fit.
  std::optional<std::int64_t> as_int64() const noexcept;

  // Arrays: the elements. Objects: the member values, in document order.
  const std::vector<JsonValue>& items() const noexcept { return items_; }
  // Objects: the member names, parallel to items().
  const std::vector<std::string>& keys() const noexcept { return keys_; }
  // Objects: the member called `key`, or nullptr.
  const JsonValue* find(std::string_view key) const noexcept;

 private:
  Kind kind_ = Kind::Null;
  bool bool_ = false;
  std::string text_;  // string value or number lexeme
  std::vector<JsonValue> items_;
  std::vector<std::string> keys_;
};

struct JsonLimits {
  std::size_t max_depth = 64;  // nesting of arrays and objects
};

struct JsonParseResult {
  std::optional<JsonValue> value;
  std::string error;       // empty on success
  std::size_t offset = 0;  // byte offset of the error in the input
  bool ok() const noexcept { return value.has_value(); }
};

// Parses exactly one JSON value; whitespace around it is allowed, anything else is an error.
JsonParseResult parse_json(std::string_view text, const JsonLimits& limits = {});

}  // namespace authdiag::core
