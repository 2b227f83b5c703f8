// SPDX-License-Identifier: Apache-2.0
// Long-option parsing for the authdiag commands.
#include "cli/args.hpp"

#include <algorithm>

namespace authdiag::cli {

bool Args::has(std::string_view option) const noexcept {
  return std::any_of(options_.begin(), options_.end(),
                     [option](const auto& entry) { return entry.first == option; });
}

std::optional<std::string> Args::value(std::string_view option) const {
  for (auto it = options_.rbegin(); it != options_.rend(); ++it) {
    if (it->first == option) return it->second;
  }
  return std::nullopt;
}

std::vector<std::string> Args::values(std::string_view option) const {
  std::vector<std::string> result;
  for (const auto& [name, value] : options_) {
    if (name == option) result.push_back(value);
  }
  return result;
}

ParseResult parse_args(std::string_view command, std::span<const std::string> words,
                       std::span<const OptionSpec> options) {
  std::vector<std::string> positionals;
  std::vector<std::pair<std::string, std::string>> given;
  bool options_ended = false;
  for (std::size_t i = 0; i < words.size(); ++i) {
    const std::string& word = words[i];
    if (options_ended || word.size() < 2 || word.compare(0, 2, "--") != 0) {
      if (!options_ended && word.size() > 1 && word[0] == '-') {
        return {std::nullopt, "unknown option '" + word + "' (options are spelled --name)"};
      }
      positionals.push_back(word);
      continue;
    }
    if (word == "--") {
      options_ended = true;
      continue;
    }
    std::string_view body = std::string_view(word).substr(2);
    std::optional<std::string> inline_value;
    if (const auto eq = body.find('='); eq != std::string_view::npos) {
      inline_value = std::string(body.substr(eq + 1));
      body = body.substr(0, eq);
    }
    const auto spec = std::find_if(options.begin(), options.end(),
                                   [body](const OptionSpec& o) { return o.name == body; });
    if (spec == options.end()) {
      return {std::nullopt,
              "unknown option '--" + std::string(body) + "' for '" + std::string(command) + "'"};
    }
    std::string value;
    if (spec->value_name.empty()) {
      if (inline_value) {
        return {std::nullopt, "option '--" + std::string(body) + "' takes no value"};
      }
    } else if (inline_value) {
      value = std::move(*inline_value);
    } else if (i + 1 < words.size()) {
      value = words[++i];
    } else {
      return {std::nullopt, "option '--" + std::string(body) + "' needs a value (" +
                                std::string(spec->value_name) + ")"};
    }
    if (!spec->repeatable && std::any_of(given.begin(), given.end(),
                                         [body](const auto& g) { return g.first == body; })) {
      return {std::nullopt, "option '--" + std::string(body) + "' given more than once"};
    }
    given.emplace_back(std::string(body), std::move(value));
  }
  return {Args(std::string(command), std::move(positionals), std::move(given)), {}};
}

}  // namespace authdiag::cli
