// SPDX-License-Identifier: Apache-2.0
// What a command tells its caller: the stable exit codes of the spec, human text on stderr and,
// with --json, exactly one JSON object on stdout.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace authdiag::cli {

// Stable and documented (docs/cli.md); never renumber.
enum class ExitCode : std::uint8_t {
  Success = 0,                  // changed or not
  FileAccess = 1,               // cannot read/write/create a file or directory
  Usage = 2,                    // bad command line or option value
  VerificationFailed = 3,       // password does not verify, or read-back after write failed
  InvalidUsername = 6,          // ':', whitespace, control characters, empty or > 255 bytes
  MalformedFile = 7,            // existing file we will not rewrite (BOM, broken block, bad line)
  ForeignAuth = 10,             // another panel's or hand-written auth lines; needs --adopt
  LockTimeout = 11,             // could not take the exclusive lock in time
  ConcurrentModification = 12,  // --if-match mismatch, or the file kept changing under us
  UnsafePath = 14,              // symlink, hard link, or outside the allowed root
  HtaccessIgnored = 15,         // httpd will not read this .htaccess (AllowOverride)
  ProblemsFound = 20,           // lint/check found problems at the --fail-on level
};

constexpr int to_int(ExitCode code) noexcept { return static_cast<int>(code); }

// "success", "file_access", "usage", ... as used in JSON "errors" entries.
std::string_view exit_code_name(ExitCode code) noexcept;

// A JSON value for building the --json object. Objects keep insertion order.
class JsonValue {
 public:
  using Array = std::vector<JsonValue>;
  using Object = std::vector<std::pair<std::string, JsonValue>>;

  JsonValue() = default;  // null
  JsonValue(std::nullptr_t) {}
  JsonValue(bool value) : value_(value) {}
  JsonValue(int value) : value_(static_cast<std::int64_t>(value)) {}
  JsonValue(std::int64_t value) : value_(value) {}
  JsonValue(std::uint64_t value) : value_(value) {}
  JsonValue(double value) : value_(value) {}
  JsonValue(const char* value) : value_(std::string(value)) {}
  JsonValue(std::string value) : value_(std::move(value)) {}
  JsonValue(std::string_view value) : value_(std::string(value)) {}
  JsonValue(Array value) : value_(std::move(value)) {}
  JsonValue(Object value) : value_(std::move(value)) {}

  static JsonValue object() { return JsonValue(Object{}); }
  static JsonValue array() { return JsonValue(Array{}); }

  bool is_null() const noexcept { return std::holds_alternative<std::nullptr_t>(value_); }
  bool is_object() const noexcept { return std::holds_alternative<Object>(value_); }
  bool is_array() const noexcept { return std::holds_alternative<Array>(value_); }

  // Object only: replaces the value of `key` or appends it; returns the stored value.
  JsonValue& set(std::string_view key, JsonValue value);
  // Object only: the value of `key`, or nullptr.
  const JsonValue* find(std::string_view key) const;
  JsonValue* find(std::string_view key);
  // Array only: appends; returns the stored value.
  JsonValue& push(JsonValue value);
  std::size_t size() const noexcept;  // elements of an array or members of an object
  const Object& members() const { return std::get<Object>(value_); }  // object only
  const Array& elements() const { return std::get<Array>(value_); }   // array only

  // Compact JSON. Strings are written as UTF-8; bytes that are not valid UTF-8 and control
  // characters are escaped as \u00XX, so the output is always valid JSON.
  std::string dump() const;
  void dump_to(std::string& out) const;

 private:
  std::variant<std::nullptr_t, bool, std::int64_t, std::uint64_t, double, std::string, Array,
               Object>
      value_;
};

// One lint/check finding; also used by protect for warnings.
struct Finding {
  std::string id;        // stable, e.g. "PW-EMPTY"
  std::string level;     // "error", "warning" or "info"
  std::string file;      // may be empty
  std::size_t line = 0;  // 1-based; 0 when not about a line
  std::string message;
  std::string fix;  // may be empty
};

JsonValue to_json(const Finding& finding);

// Collects the result of one command run. Human-readable text goes to `err` as it happens; with
// JSON on, finish() writes the object to `out`. The object always carries "ok", "changed",
// "action", "exit_code", "findings" and "errors"; commands add their own members with root().
class Output {
 public:
  Output(bool json, std::ostream& out, std::ostream& err);

  bool json() const noexcept { return json_; }

  void set_action(std::string_view action);
  void set_changed(bool changed);
  bool changed() const noexcept { return changed_; }

  // The object printed by finish(); members set here appear after "action".
  JsonValue& root() noexcept { return root_; }

  // Human text, one line per call, to stderr.
  void note(std::string_view line);
  // Records a finding (JSON "findings") and prints it as a line to stderr.
  void add_finding(const Finding& finding);
  std::size_t finding_count() const noexcept { return findings_.size(); }
  // Records an error (JSON "errors": {"code","name","message"}) and prints "authdiag: <message>"
  // to stderr. Returns to_int(code) so a command can `return output.error(...)`.
  int error(ExitCode code, std::string_view message);

  // Text meant for stdout in human mode (a generated password, a diff, a user list). In JSON
  // mode it is not printed; the command puts the same data into root() instead.
  void print(std::string_view text);

  // Writes the JSON object (JSON mode) and returns `exit_code`. Call once.
  int finish(int exit_code);

 private:
  bool json_;
  std::ostream& out_;
  std::ostream& err_;
  bool changed_ = false;
  std::string action_;
  JsonValue root_ = JsonValue::object();
  JsonValue findings_ = JsonValue::array();
  JsonValue errors_ = JsonValue::array();
};

}  // namespace authdiag::cli
