// SPDX-License-Identifier: Apache-2.0
// Small utilities shared by the integration harness: running commands, files, base64, ids.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <utility>
#include <vector>

namespace authdiag::itest {

namespace fs = std::filesystem;

struct CommandResult {
  int exit_code = -1;  // 128 + signal number when killed by a signal
  std::string output;  // stdout and stderr, interleaved
};

// Runs argv[0] (searched in PATH) with the current environment plus `extra_env` ("NAME=value"),
// waits for it and captures its output.
CommandResult run_command(const std::vector<std::string>& argv,
                          const std::vector<std::string>& extra_env = {});

// Starts a command without waiting; its output goes to `output_file`.
pid_t spawn_command(const std::vector<std::string>& argv, const fs::path& output_file,
                    const std::vector<std::string>& extra_env = {});

// Waits for a child started by spawn_command; returns its exit code (128 + signal).
int wait_command(pid_t pid);

std::string read_file(const fs::path& path);
// Reads `path` from byte `offset` to its current end ("" when it does not exist).
std::string read_file_from(const fs::path& path, std::size_t offset);
std::size_t file_size_or_zero(const fs::path& path);
void write_file(const fs::path& path, std::string_view content, fs::perms mode = fs::perms(0644));

std::string base64_encode(std::string_view data);

// A fresh token of [a-z0-9] that no other request of this process used.
std::string unique_token(std::string_view prefix);

std::vector<std::string> split_lines(std::string_view text);
bool contains(std::string_view haystack, std::string_view needle);
std::string to_lower(std::string_view text);
// printable rendering of arbitrary bytes for failure messages
std::string printable(std::string_view bytes, std::size_t max = 400);

void sleep_ms(int ms);

// Sleeps in small steps until `done()` is true or `timeout_ms` passed; returns done().
template <typename Predicate>
bool wait_until(Predicate done, int timeout_ms) {
  for (int waited = 0; waited < timeout_ms; waited += 10) {
    if (done()) return true;
    sleep_ms(10);
  }
  return done();
}

}  // namespace authdiag::itest
