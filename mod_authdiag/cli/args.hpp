// SPDX-License-Identifier: Apache-2.0
// Command-line parsing shared by every command: GNU-style long options ("--name VALUE",
// "--name=VALUE", flags), "--" ends the options, everything else is a positional argument.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace authdiag::cli {

struct OptionSpec {
  std::string_view name;        // without the leading "--"
  std::string_view value_name;  // empty for a flag; "PATH", "N", ... for help text
  bool repeatable = false;      // may be given more than once (values() returns them all)
  std::string_view help;        // one line for --help
};

class Args {
 public:
  Args() = default;
  Args(std::string command, std::vector<std::string> positionals,
       std::vector<std::pair<std::string, std::string>> options)
      : command_(std::move(command)),
        positionals_(std::move(positionals)),
        options_(std::move(options)) {}

  const std::string& command() const noexcept { return command_; }
  const std::vector<std::string>& positionals() const noexcept { return positionals_; }

  bool has(std::string_view option) const noexcept;
  // The value of an option that takes one (the last one given), or nullopt.
  std::optional<std::string> value(std::string_view option) const;
  // Every value given for a repeatable option, in command-line order.
  std::vector<std::string> values(std::string_view option) const;

  bool json() const noexcept { return has("json"); }
  bool dry_run() const noexcept { return has("dry-run"); }

 private:
  std::string command_;
  std::vector<std::string> positionals_;
  std::vector<std::pair<std::string, std::string>> options_;  // name → value ("" for flags)
};

struct ParseResult {
  std::optional<Args> args;  // set on success
  std::string error;         // one sentence on failure (exit code 2)
};

// Parses the words after the command name against `options`. Unknown options, a missing value,
// a value given to a flag and a non-repeatable option given twice are errors.
ParseResult parse_args(std::string_view command, std::span<const std::string> words,
                       std::span<const OptionSpec> options);

}  // namespace authdiag::cli
