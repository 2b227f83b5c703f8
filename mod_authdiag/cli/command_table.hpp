// SPDX-License-Identifier: Apache-2.0
// The table of authdiag commands ({name, synopsis, help, options, run}) and the dispatcher used
// by main(): option parsing, --help, --json and the exit code.
#pragma once

#include "cli/args.hpp"
#include "cli/output.hpp"

#include <iosfwd>
#include <span>
#include <string>
#include <string_view>

namespace authdiag::cli {

using CommandFunction = int (*)(const Args&, Output&);

struct Command {
  std::string_view name;
  std::string_view synopsis;  // "protect DIR [--realm R] ..."
  std::string_view summary;   // one line for the command list
  std::string_view help;  // man-page-style DESCRIPTION text, paragraphs separated by blank lines
  std::span<const OptionSpec> options;  // --json and --help are added for every command
  CommandFunction run;                  // returns an ExitCode value; must not call Output::finish()
};

std::span<const Command> command_table() noexcept;
const Command* find_command(std::string_view name) noexcept;

// NAME / SYNOPSIS / DESCRIPTION / OPTIONS / EXIT STATUS text for `authdiag CMD --help`.
std::string render_command_help(const Command& command);
// The command list for `authdiag --help`.
std::string render_overview();

// Runs `authdiag <words...>` (words exclude the program name) and returns the process exit code.
int dispatch(std::span<const std::string> words, std::ostream& out, std::ostream& err);

}  // namespace authdiag::cli
