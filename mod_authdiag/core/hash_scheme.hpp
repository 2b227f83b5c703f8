// SPDX-License-Identifier: Apache-2.0
// Recognises the scheme of a stored password hash the way apr_password_validate dispatches on
// it, so a "password mismatch" can say whether the entry could ever have matched.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace authdiag::core {

enum class HashScheme : std::uint8_t {
  Bcrypt,       // $2y$ $2a$ $2b$ $2x$
  Apr1,         // $apr1$ (Apache MD5)
  Sha1,         // {SHA} (unsalted)
  Md5Crypt,     // $1$
  Sha256Crypt,  // $5$
  Sha512Crypt,  // $6$
  Yescrypt,     // $y$
  DesCrypt,     // 13 characters of [./0-9A-Za-z]
  Plaintext,    // anything else: never verifies on Unix
};

struct HashInfo {
  HashScheme scheme = HashScheme::Plaintext;
  std::optional<std::uint32_t> cost;  // bcrypt log2 cost, sha*crypt rounds
  bool verifiable = false;            // can apr_password_validate ever accept it on Linux?
};

// Never looks at more than the prefix and length; the hash itself is never copied or kept.
HashInfo identify_hash(std::string_view stored);

std::string_view scheme_name(HashScheme scheme) noexcept;

// "bcrypt(cost=12)", "sha512crypt(rounds=5000)", "apr1"
std::string describe_hash(const HashInfo& info);

}  // namespace authdiag::core
