// SPDX-License-Identifier: Apache-2.0
// A strict RFC 8259 JSON parser for the tests (denial log lines, problem+json bodies, the fuzz
// targets' output): rejects invalid UTF-8, raw control characters, bad escapes, unpaired
// surrogates, duplicate keys and trailing data. Written apart from the module's own reader, so
// a bug in one cannot hide a bug in the other.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace authdiag::test_json {

class Json {
 public:
  using Array = std::vector<Json>;
  using Object = std::vector<std::pair<std::string, Json>>;  // in document order

  Json() = default;  // null

  static Json make_bool(bool b);
  static Json make_number(double d, std::string text);
  static Json make_string(std::string s);
  static Json make_array(Array a);
  static Json make_object(Object o);

  bool is_null() const { return std::holds_alternative<std::monostate>(value_); }
  bool is_bool() const { return std::holds_alternative<bool>(value_); }
  bool is_number() const { return std::holds_alternative<Number>(value_); }
  bool is_string() const { return std::holds_alternative<std::string>(value_); }
  bool is_array() const { return std::holds_alternative<Array>(value_); }
  bool is_object() const { return std::holds_alternative<Object>(value_); }

  bool as_bool() const { return std::get<bool>(value_); }
  double as_number() const { return std::get<Number>(value_).value; }
  const std::string& number_text() const { return std::get<Number>(value_).text; }
  const std::string& as_string() const { return std::get<std::string>(value_); }
  const Array& as_array() const { return std::get<Array>(value_); }
  const Object& as_object() const { return std::get<Object>(value_); }

  // Member `key` of an object; nullptr when absent or not an object.
  const Json* find(std::string_view key) const;
  bool has(std::string_view key) const { return find(key) != nullptr; }
  // The member as a string, when it is one.
  std::optional<std::string> string_member(std::string_view key) const;

  std::string dump() const;  // compact re-serialisation for failure messages

 private:
  struct Number {
    double value;
    std::string text;
  };
  std::variant<std::monostate, bool, Number, std::string, Array, Object> value_;
};

// Parses exactly one JSON value spanning `text` (surrounding whitespace allowed); throws
// std::runtime_error with the offset on any violation.
Json parse_json(std::string_view text);

// True when `text` is exactly one JSON value (parse_json accepts it).
bool is_valid_json(std::string_view text);
// True when `text` is one JSON object.
bool is_valid_json_object(std::string_view text);

}  // namespace authdiag::test_json
