// SPDX-License-Identifier: Apache-2.0
// JSON building and the human/JSON reporting of one command run.
#include "cli/output.hpp"

#include "core/json_writer.hpp"

#include <cmath>
#include <cstdio>
#include <ostream>

namespace authdiag::cli {
namespace {

void append_string(std::string& out, std::string_view s) {
  out += '"';
  core::append_json_escaped(out, s);
  out += '"';
}

}  // namespace

std::string_view exit_code_name(ExitCode code) noexcept {
  switch (code) {
    case ExitCode::Success:
      return "success";
    case ExitCode::FileAccess:
      return "file_access";
    case ExitCode::Usage:
      return "usage";
    case ExitCode::VerificationFailed:
      return "verification_failed";
    case ExitCode::InvalidUsername:
      return "invalid_username";
    case ExitCode::MalformedFile:
      return "malformed_file";
    case ExitCode::ForeignAuth:
      return "foreign_auth";
    case ExitCode::LockTimeout:
      return "lock_timeout";
    case ExitCode::ConcurrentModification:
      return "concurrent_modification";
    case ExitCode::UnsafePath:
      return "unsafe_path";
    case ExitCode::HtaccessIgnored:
      return "htaccess_ignored";
    case ExitCode::ProblemsFound:
      return "problems_found";
  }
  return "unknown";
}

JsonValue& JsonValue::set(std::string_view key, JsonValue value) {
  auto& members = std::get<Object>(value_);
  for (auto& [name, member] : members) {
    if (name == key) {
      member = std::move(value);
      return member;
    }
  }
  return members.emplace_back(std::string(key), std::move(value)).second;
}

const JsonValue* JsonValue::find(std::string_view key) const {
  if (!is_object()) return nullptr;
  for (const auto& [name, member] : std::get<Object>(value_)) {
    if (name == key) return &member;
  }
  return nullptr;
}

JsonValue* JsonValue::find(std::string_view key) {
  return const_cast<JsonValue*>(std::as_const(*this).find(key));
}

JsonValue& JsonValue::push(JsonValue value) {
  return std::get<Array>(value_).emplace_back(std::move(value));
}

std::size_t JsonValue::size() const noexcept {
  if (const auto* array = std::get_if<Array>(&value_)) return array->size();
  if (const auto* object = std::get_if<Object>(&value_)) return object->size();
  return 0;
}

std::string JsonValue::dump() const {
  std::string out;
  dump_to(out);
  return out;
}

void JsonValue::dump_to(std::string& out) const {
  struct Visitor {
    std::string& out;
    void operator()(std::nullptr_t) const { out += "null"; }
    void operator()(bool b) const { out += b ? "true" : "false"; }
    void operator()(std::int64_t n) const { out += std::to_string(n); }
    void operator()(std::uint64_t n) const { out += std::to_string(n); }
    void operator()(double d) const {
      if (!std::isfinite(d)) {
        out += "null";
        return;
      }
      char buffer[32];
      const int n = std::snprintf(buffer, sizeof buffer, "%.17g", d);
      out.append(buffer, static_cast<std::size_t>(n));
    }
    void operator()(const std::string& s) const { append_string(out, s); }
    void operator()(const Array& array) const {
      out += '[';
      bool first = true;
      for (const auto& element : array) {
        if (!first) out += ',';
        first = false;
        element.dump_to(out);
      }
      out += ']';
    }
    void operator()(const Object& object) const {
      out += '{';
      bool first = true;
      for (const auto& [name, member] : object) {
        if (!first) out += ',';
        first = false;
        append_string(out, name);
        out += ':';
        member.dump_to(out);
      }
      out += '}';
    }
  };
  std::visit(Visitor{out}, value_);
}

JsonValue to_json(const Finding& finding) {
  JsonValue object = JsonValue::object();
  object.set("id", finding.id);
  object.set("level", finding.level);
  object.set("file", finding.file.empty() ? JsonValue() : JsonValue(finding.file));
  object.set("line", finding.line == 0 ? JsonValue() : JsonValue(std::uint64_t{finding.line}));
  object.set("message", finding.message);
  object.set("fix", finding.fix.empty() ? JsonValue() : JsonValue(finding.fix));
  return object;
}

Output::Output(bool json, std::ostream& out, std::ostream& err)
    : json_(json), out_(out), err_(err) {}

void Output::set_action(std::string_view action) { action_ = std::string(action); }

void Output::set_changed(bool changed) { changed_ = changed; }

void Output::note(std::string_view line) { err_ << line << '\n'; }

void Output::add_finding(const Finding& finding) {
  findings_.push(to_json(finding));
  err_ << finding.level << ": ";
  if (!finding.file.empty()) {
    err_ << finding.file;
    if (finding.line != 0) err_ << ':' << finding.line;
    err_ << ": ";
  }
  err_ << finding.message << " [" << finding.id << "]\n";
  if (!finding.fix.empty()) err_ << "  fix: " << finding.fix << '\n';
}

int Output::error(ExitCode code, std::string_view message) {
  JsonValue entry = JsonValue::object();
  entry.set("code", to_int(code));
  entry.set("name", exit_code_name(code));
  entry.set("message", message);
  errors_.push(std::move(entry));
  err_ << "authdiag: " << message << '\n';
  return to_int(code);
}

void Output::print(std::string_view text) {
  if (!json_) out_ << text;
}

int Output::finish(int exit_code) {
  if (json_) {
    JsonValue object = JsonValue::object();
    object.set("ok", exit_code == 0);
    object.set("changed", changed_);
    object.set("action", action_);
    object.set("exit_code", exit_code);
    for (const auto& [name, member] : root_.members()) {
      object.set(name, member);
    }
    object.set("findings", findings_);
    object.set("errors", errors_);
    out_ << object.dump() << '\n';
  }
  out_.flush();
  err_.flush();
  return exit_code;
}

}  // namespace authdiag::cli
