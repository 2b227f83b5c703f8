// SPDX-License-Identifier: Apache-2.0
#include "core/hash_scheme.hpp"

#include <gtest/gtest.h>

namespace authdiag::core {
namespace {

struct HashCase {
  const char* stored;
  HashScheme scheme;
  std::optional<std::uint32_t> cost;
  bool verifiable;
  const char* description;
};

class IdentifyHash : public testing::TestWithParam<HashCase> {};

TEST_P(IdentifyHash, RecognisesSchemeCostAndVerifiability) {
  const auto& c = GetParam();
  const auto info = identify_hash(c.stored);
  EXPECT_EQ(info.scheme, c.scheme);
  EXPECT_EQ(info.cost, c.cost);
  EXPECT_EQ(info.verifiable, c.verifiable);
  EXPECT_EQ(describe_hash(info), c.description);
}

// Hashes as htpasswd, PHP, Python passlib and mkpasswd write them.
INSTANTIATE_TEST_SUITE_P(
    Formats, IdentifyHash,
    testing::Values(
        HashCase{"$2y$10$tjrctN7Wq1b2bF0qj6m2Xe8mJ3kC1yqvYx0Ff3HjN8nQeQp5Yk9aS", HashScheme::Bcrypt,
                 10, true, "bcrypt(cost=10)"},
        HashCase{"$2b$12$KIXQJh6oY0m7sV9qY6Lh5eJgWnP3GQ8vT2bC1dE4fG5hI6jK7lM8N", HashScheme::Bcrypt,
                 12, true, "bcrypt(cost=12)"},
        HashCase{"$2y$99$tjrctN7Wq1b2bF0qj6m2Xe8mJ3kC1yqvYx0Ff3HjN8nQeQp5Yk9aS", HashScheme::Bcrypt,
                 std::nullopt, false, "bcrypt"},
        HashCase{"$2y$10$short", HashScheme::Bcrypt, 10, false, "bcrypt(cost=10)"},
        HashCase{"$apr1$F9IvHS41$hW6f0pY4dZ9k3j2B1a0c/.", HashScheme::Apr1, std::nullopt, true,
                 "apr1"},
        HashCase{"{SHA}qUqP5cyxm6YcTAhz05Hph5gvu9M=", HashScheme::Sha1, std::nullopt, true, "sha1"},
        HashCase{"{SHA}truncated", HashScheme::Sha1, std::nullopt, false, "sha1"},
        HashCase{"$1$salt$qJH7.N4xYta3aEG/dfqo/0", HashScheme::Md5Crypt, std::nullopt, true,
                 "md5crypt"},
        HashCase{"$5$salt$Gcm6FsVtF/Qa77ZKD.iwsJlCVPY0XSMgLJL0Hnww/c1", HashScheme::Sha256Crypt,
                 5000, true, "sha256crypt(rounds=5000)"},
        HashCase{"$6$rounds=656000$salt$hash", HashScheme::Sha512Crypt, 656000, true,
                 "sha512crypt(rounds=656000)"},
        HashCase{"$y$j9T$salt$hash", HashScheme::Yescrypt, std::nullopt, true, "yescrypt"},
        HashCase{"rl0Wq7cX8r0oI", HashScheme::DesCrypt, std::nullopt, true, "crypt"},
        HashCase{"plaintextpw", HashScheme::Plaintext, std::nullopt, false, "plaintext"},
        // An htdigest line read by mod_authn_file: field 2 is the realm, not a hash.
        HashCase{"Members", HashScheme::Plaintext, std::nullopt, false, "plaintext"},
        HashCase{"", HashScheme::Plaintext, std::nullopt, false, "plaintext"}));

}  // namespace
}  // namespace authdiag::core
