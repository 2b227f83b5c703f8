// SPDX-License-Identifier: Apache-2.0
// The authdiag executable: hands argv to the command dispatcher.
#include "cli/command_table.hpp"

#include <iostream>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  std::vector<std::string> words;
  for (int i = 1; i < argc; ++i) words.emplace_back(argv[i]);
  try {
    return authdiag::cli::dispatch(words, std::cout, std::cerr);
  } catch (const std::exception& e) {
    std::cerr << "authdiag: internal error: " << e.what() << '\n';
    return 1;
  }
}
