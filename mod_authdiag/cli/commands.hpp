// SPDX-License-Identifier: Apache-2.0
// Entry points of the commands listed in command_table.cpp. Each returns an ExitCode value (as
// int), reports through `output`, and leaves Output::finish() to the dispatcher.
#pragma once

#include "cli/args.hpp"
#include "cli/output.hpp"

namespace authdiag::cli {

int run_protect(const Args& args, Output& output);    // protect_command.cpp
int run_unprotect(const Args& args, Output& output);  // unprotect_command.cpp
int run_user(const Args& args, Output& output);       // user_command.cpp
int run_lint(const Args& args, Output& output);       // lint_command.cpp
int run_check(const Args& args, Output& output);      // check_command.cpp
int run_report(const Args& args, Output& output);     // report_command.cpp

}  // namespace authdiag::cli
