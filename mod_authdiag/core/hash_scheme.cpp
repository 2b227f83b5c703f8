// SPDX-License-Identifier: Apache-2.0
#include "core/hash_scheme.hpp"

#include <algorithm>
#include <array>
#include <charconv>

namespace authdiag::core {

namespace {

bool is_crypt_alphabet(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '/';
}

std::optional<std::uint32_t> parse_number(std::string_view text) {
  std::uint32_t value = 0;
  const auto* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc{} || ptr != end) return std::nullopt;
  return value;
}

// "$2y$12$..." → 12; a malformed cost makes the hash unverifiable.
std::optional<std::uint32_t> bcrypt_cost(std::string_view stored) {
  if (stored.size() < 7 || stored[6] != '$') return std::nullopt;
  auto cost = parse_number(stored.substr(4, 2));
  if (!cost || *cost < 4 || *cost > 31) return std::nullopt;
  return cost;
}

// "$6$rounds=5000$salt$hash" → 5000; the default is 5000 when absent.
std::uint32_t sha_crypt_rounds(std::string_view stored) {
  constexpr std::string_view kRounds = "rounds=";
  constexpr std::uint32_t kDefaultRounds = 5000;
  auto rest = stored.substr(3);
  if (!rest.starts_with(kRounds)) return kDefaultRounds;
  rest.remove_prefix(kRounds.size());
  auto value = parse_number(rest.substr(0, rest.find('$')));
  return value.value_or(kDefaultRounds);
}

}  // namespace

HashInfo identify_hash(std::string_view stored) {
  if (stored.starts_with("$2y$") || stored.starts_with("$2a$") || stored.starts_with("$2b$") ||
      stored.starts_with("$2x$")) {
    auto cost = bcrypt_cost(stored);
    return {HashScheme::Bcrypt, cost, cost.has_value() && stored.size() == 60};
  }
  if (stored.starts_with("$apr1$")) return {HashScheme::Apr1, std::nullopt, true};
  if (stored.starts_with("{SHA}")) return {HashScheme::Sha1, std::nullopt, stored.size() == 33};
  if (stored.starts_with("$1$")) return {HashScheme::Md5Crypt, std::nullopt, true};
  if (stored.starts_with("$5$")) return {HashScheme::Sha256Crypt, sha_crypt_rounds(stored), true};
  if (stored.starts_with("$6$")) return {HashScheme::Sha512Crypt, sha_crypt_rounds(stored), true};
  if (stored.starts_with("$y$")) return {HashScheme::Yescrypt, std::nullopt, true};
  if (stored.size() == 13 && std::all_of(stored.begin(), stored.end(), is_crypt_alphabet)) {
    return {HashScheme::DesCrypt, std::nullopt, true};
  }
  return {HashScheme::Plaintext, std::nullopt, false};
}

std::string_view scheme_name(HashScheme scheme) noexcept {
  static constexpr std::array<std::string_view, 9> kNames{"bcrypt",   "apr1",        "sha1",
                                                          "md5crypt", "sha256crypt", "sha512crypt",
                                                          "yescrypt", "crypt",       "plaintext"};
  return kNames[static_cast<std::size_t>(scheme)];
}

std::string describe_hash(const HashInfo& info) {
  std::string text(scheme_name(info.scheme));
  if (info.cost) {
    text += info.scheme == HashScheme::Bcrypt ? "(cost=" : "(rounds=";
    text += std::to_string(*info.cost) + ")";
  }
  return text;
}

}  // namespace authdiag::core
