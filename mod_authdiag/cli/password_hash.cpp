// SPDX-License-Identifier: Apache-2.0
// Hashing through apr-util and libxcrypt, verification through apr_password_validate.
#include "cli/password_hash.hpp"

#include "core/hash_scheme.hpp"

#include <apr_general.h>
#include <apr_md5.h>
#include <array>
#include <crypt.h>
#include <cstdio>
#include <iostream>
#include <memory>
#include <termios.h>
#include <unistd.h>

namespace authdiag::cli {
namespace {

constexpr std::string_view kSaltAlphabet =
    "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

bool random_bytes(unsigned char* buffer, std::size_t length) {
  return apr_generate_random_bytes(buffer, length) == APR_SUCCESS;
}

}  // namespace

std::optional<HashAlgorithm> parse_hash_algorithm(std::string_view name) noexcept {
  if (name == "bcrypt") return HashAlgorithm::Bcrypt;
  if (name == "apr1") return HashAlgorithm::Apr1;
  if (name == "sha512crypt") return HashAlgorithm::Sha512Crypt;
  return std::nullopt;
}

std::string_view hash_algorithm_name(HashAlgorithm algorithm) noexcept {
  switch (algorithm) {
    case HashAlgorithm::Bcrypt:
      return "bcrypt";
    case HashAlgorithm::Apr1:
      return "apr1";
    case HashAlgorithm::Sha512Crypt:
      return "sha512crypt";
  }
  return "bcrypt";
}

HashResult hash_password(HashAlgorithm algorithm, std::string_view password, unsigned bcrypt_cost) {
  if (password.empty()) return {{}, "empty password"};
  if (password.find('\0') != std::string_view::npos) return {{}, "password contains a NUL byte"};
  const std::string pw(password);
  std::string hash;
  switch (algorithm) {
    case HashAlgorithm::Bcrypt: {
      if (password.size() > kBcryptMaxPasswordBytes) {
        return {{},
                "bcrypt uses only the first 72 bytes of a password; use a shorter one or "
                "--hash sha512crypt"};
      }
      std::array<unsigned char, 16> salt{};
      std::array<char, 64> out{};
      if (!random_bytes(salt.data(), salt.size())) return {{}, "no random bytes for the salt"};
      if (apr_bcrypt_encode(pw.c_str(), bcrypt_cost, salt.data(), salt.size(), out.data(),
                            out.size()) != APR_SUCCESS) {
        return {{}, "apr_bcrypt_encode failed"};
      }
      hash = out.data();
      break;
    }
    case HashAlgorithm::Apr1: {
      std::array<unsigned char, 8> raw{};
      if (!random_bytes(raw.data(), raw.size())) return {{}, "no random bytes for the salt"};
      std::string salt;
      for (const unsigned char b : raw) salt += kSaltAlphabet[b & 0x3f];
      std::array<char, 120> out{};
      if (apr_md5_encode(pw.c_str(), salt.c_str(), out.data(), out.size()) != APR_SUCCESS) {
        return {{}, "apr_md5_encode failed"};
      }
      hash = out.data();
      break;
    }
    case HashAlgorithm::Sha512Crypt: {
      std::array<char, 16> raw{};
      if (!random_bytes(reinterpret_cast<unsigned char*>(raw.data()), raw.size())) {
        return {{}, "no random bytes for the salt"};
      }
      std::array<char, CRYPT_GENSALT_OUTPUT_SIZE> setting{};
      if (crypt_gensalt_rn("$6$", 0, raw.data(), static_cast<int>(raw.size()), setting.data(),
                           static_cast<int>(setting.size())) == nullptr) {
        return {{}, "crypt_gensalt_rn($6$) failed"};
      }
      auto data = std::make_unique<crypt_data>();
      const char* out = crypt_r(pw.c_str(), setting.data(), data.get());
      if (out == nullptr || std::string_view(out).substr(0, 3) != "$6$") {
        return {{}, "crypt_r($6$) failed"};
      }
      hash = out;
      break;
    }
  }
  if (!password_matches(password, hash)) {
    return {{}, "the new hash does not verify with apr_password_validate"};
  }
  return {std::move(hash), {}};
}

bool password_matches(std::string_view password, std::string_view hash) {
  if (password.find('\0') != std::string_view::npos) return false;
  const std::string pw(password);
  const std::string stored(hash);
  return apr_password_validate(pw.c_str(), stored.c_str()) == APR_SUCCESS;
}

bool hash_uses(std::string_view hash, HashAlgorithm algorithm, unsigned bcrypt_cost) {
  const core::HashInfo info = core::identify_hash(hash);
  switch (algorithm) {
    case HashAlgorithm::Bcrypt:
      return info.scheme == core::HashScheme::Bcrypt && hash.substr(0, 4) == "$2y$" &&
             info.cost == bcrypt_cost;
    case HashAlgorithm::Apr1:
      return info.scheme == core::HashScheme::Apr1;
    case HashAlgorithm::Sha512Crypt:
      return info.scheme == core::HashScheme::Sha512Crypt;
  }
  return false;
}

std::optional<std::string> generate_password() {
  constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::string password;
  while (password.size() < 24) {
    std::array<unsigned char, 32> raw{};
    if (!random_bytes(raw.data(), raw.size())) return std::nullopt;
    for (const unsigned char b : raw) {
      // 248 = 4 * 62: rejection sampling keeps every character equally likely.
      if (b < 248 && password.size() < 24) password += kAlphabet[b % kAlphabet.size()];
    }
  }
  return password;
}

PasswordInput read_password_stdin() {
  const bool terminal = ::isatty(STDIN_FILENO) == 1;
  termios saved{};
  if (terminal && ::tcgetattr(STDIN_FILENO, &saved) == 0) {
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    std::cerr << "Password: " << std::flush;
  }
  std::string line;
  const bool got = static_cast<bool>(std::getline(std::cin, line));
  if (terminal) {
    ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
    std::cerr << '\n';
  }
  if (!got && line.empty()) return {std::nullopt, "no password on stdin"};
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.empty()) return {std::nullopt, "empty password on stdin"};
  if (line.find('\0') != std::string::npos) return {std::nullopt, "password contains a NUL byte"};
  return {std::move(line), {}};
}

}  // namespace authdiag::cli
