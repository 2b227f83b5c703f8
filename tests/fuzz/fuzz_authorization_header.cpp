// SPDX-License-Identifier: Apache-2.0
// Fuzzes parse_authorization twice per input: on the input as a raw header value (invariants of
// every result), and on "Basic " + base64(input) (the decoded user must come back exactly).
#include "core/authorization_header.hpp"
#include "fuzz_support.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace {

using authdiag::core::CredentialsKind;
using authdiag::core::MalformedBasic;
using authdiag::core::parse_authorization;
using authdiag::fuzz::check;

bool is_control(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return byte < 0x20 || byte == 0x7f;
}

std::string base64(std::string_view data) {
  constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < data.size(); i += 3) {
    const std::uint32_t n = static_cast<std::uint32_t>(static_cast<unsigned char>(data[i])) << 16 |
                            static_cast<std::uint32_t>(static_cast<unsigned char>(data[i + 1]))
                                << 8 |
                            static_cast<unsigned char>(data[i + 2]);
    for (int shift = 18; shift >= 0; shift -= 6) out += kAlphabet[(n >> shift) & 0x3fU];
  }
  const std::size_t left = data.size() - i;
  if (left > 0) {
    std::uint32_t n = static_cast<std::uint32_t>(static_cast<unsigned char>(data[i])) << 16;
    if (left == 2) n |= static_cast<std::uint32_t>(static_cast<unsigned char>(data[i + 1])) << 8;
    out += kAlphabet[(n >> 18) & 0x3fU];
    out += kAlphabet[(n >> 12) & 0x3fU];
    out += left == 2 ? kAlphabet[(n >> 6) & 0x3fU] : '=';
    out += '=';
  }
  return out;
}

void check_raw(std::string_view header) {
  const auto parsed = parse_authorization(true, header);
  check(parsed.kind != CredentialsKind::Missing, "a present header is never Missing");
  check(parsed.scheme.size() <= 64, "scheme capped at 64 bytes");
  check(
      parsed.scheme.find(' ') == std::string::npos && parsed.scheme.find('\t') == std::string::npos,
      "scheme stops at the first blank");
  check(header.starts_with(parsed.scheme), "scheme is a prefix of the header");
  check((parsed.kind == CredentialsKind::Malformed) == (parsed.malformed != MalformedBasic::None),
        "malformed reason set exactly for Malformed");
  if (parsed.kind == CredentialsKind::Basic) {
    check(parsed.scheme.size() == 5 && header.size() > 5 && header[5] == ' ',
          "Basic needs the word Basic and a space");
    check(parsed.user.find(':') == std::string::npos, "user has no colon");
    check(std::none_of(parsed.user.begin(), parsed.user.end(), is_control),
          "user of valid credentials has no control byte");
  }
  if (parsed.kind == CredentialsKind::OtherScheme) {
    check(parsed.user.empty(), "no user for another scheme");
  }
  const auto absent = parse_authorization(false, header);
  check(absent.kind == CredentialsKind::Missing && absent.scheme.empty() && absent.user.empty(),
        "no header is Missing");
}

void check_encoded(std::string_view credentials) {
  const auto parsed = parse_authorization(true, "Basic " + base64(credentials));
  if (credentials.empty()) {
    check(parsed.malformed == MalformedBasic::Empty, "empty credentials give an empty token");
    return;
  }
  const std::size_t colon = credentials.find(':');
  if (colon == std::string_view::npos) {
    check(parsed.malformed == MalformedBasic::NoColon, "no colon reported");
    check(parsed.user == credentials, "without a colon the whole text is the user");
    return;
  }
  check(parsed.user == credentials.substr(0, colon), "user is the text before the first colon");
  const bool control = std::any_of(credentials.begin(), credentials.end(), is_control);
  check(parsed.malformed == (control ? MalformedBasic::ControlCharacter : MalformedBasic::None),
        "control bytes reported exactly when present");
  check(parsed.kind == (control ? CredentialsKind::Malformed : CredentialsKind::Basic),
        "kind matches the control-byte verdict");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  check_raw(input);
  check_encoded(input);
  return 0;
}
