// SPDX-License-Identifier: Apache-2.0
// Helpers for the CLI tests: run the authdiag binary with stdin, environment and separate
// stdout/stderr; scratch directories; file reading and writing.
#pragma once

#include "core/json_reader.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

namespace authdiag::clitest {

namespace fs = std::filesystem;

struct RunResult {
  int exit_code = -1;  // 128 + signal when killed
  std::string out;
  std::string err;
  // stdout parsed as JSON (when it is one JSON value).
  std::optional<core::JsonValue> json() const;
};

struct RunOptions {
  std::string stdin_data;
  std::vector<std::string> env;  // "NAME=value", replacing NAME in the environment
};

// Runs AUTHDIAG_BINARY with `args`.
RunResult run_authdiag(const std::vector<std::string>& args, const RunOptions& options = {});

// Starts AUTHDIAG_BINARY without waiting (stdin from `stdin_data` via a pipe, output discarded);
// returns the pid.
pid_t spawn_authdiag(const std::vector<std::string>& args, const RunOptions& options = {});
int wait_child(pid_t pid);  // exit code, 128 + signal

// A fresh empty directory under AUTHDIAG_CLI_TEST_TMP, removed by the destructor.
class ScratchDir {
 public:
  explicit ScratchDir(std::string_view name);
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const fs::path& path() const { return path_; }
  std::string str() const { return path_.string(); }

 private:
  fs::path path_;
};

std::string read_bytes(const fs::path& path);
void write_bytes(const fs::path& path, std::string_view bytes, unsigned mode = 0644);
std::string fixture(std::string_view name);  // content of tests/cli/fixtures/<name>
std::string sha256_of(std::string_view bytes);

// The string member `key` of a JSON object (nested keys separated by '.'), or nullopt.
std::optional<std::string> json_string(const core::JsonValue& value, std::string_view path);
std::optional<bool> json_bool(const core::JsonValue& value, std::string_view path);
const core::JsonValue* json_find(const core::JsonValue& value, std::string_view path);

}  // namespace authdiag::clitest
