// SPDX-License-Identifier: Apache-2.0
// Password hashing and verification with the libraries httpd itself uses: apr-util for bcrypt
// ($2y$), apr1 and apr_password_validate; libxcrypt's crypt_r for sha512crypt ($6$). Also the
// password sources the spec allows: stdin and --generate.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace authdiag::cli {

enum class HashAlgorithm : std::uint8_t { Bcrypt, Apr1, Sha512Crypt };

inline constexpr unsigned kDefaultBcryptCost = 10;
inline constexpr unsigned kMinBcryptCost = 10;
inline constexpr unsigned kMaxBcryptCost = 17;
inline constexpr std::size_t kBcryptMaxPasswordBytes = 72;  // bcrypt ignores the rest

std::optional<HashAlgorithm> parse_hash_algorithm(std::string_view name) noexcept;
std::string_view hash_algorithm_name(HashAlgorithm algorithm) noexcept;

struct HashResult {
  std::string hash;
  std::string error;  // non-empty on failure
};

// A fresh salted hash; the result is checked with password_matches() before it is returned.
HashResult hash_password(HashAlgorithm algorithm, std::string_view password,
                         unsigned bcrypt_cost = kDefaultBcryptCost);

// apr_password_validate, exactly as mod_authn_file calls it.
bool password_matches(std::string_view password, std::string_view hash);

// Whether `hash` is of `algorithm` (bcrypt counts with the given cost only).
bool hash_uses(std::string_view hash, HashAlgorithm algorithm, unsigned bcrypt_cost);

// 24 characters from [A-Za-z0-9] (about 143 bits) from apr_generate_random_bytes.
std::optional<std::string> generate_password();

struct PasswordInput {
  std::optional<std::string> password;
  std::string error;
};

// The first line of stdin (without "\n" or "\r\n"). On a terminal, prompts on stderr with echo
// off. Empty passwords and NUL bytes are refused.
PasswordInput read_password_stdin();

}  // namespace authdiag::cli
