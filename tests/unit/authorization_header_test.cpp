// SPDX-License-Identifier: Apache-2.0
// parse_authorization against every case of the spec: mod_auth_basic's word rules, strict
// base64, user/password split and control bytes.
#include "core/authorization_header.hpp"

#include <gtest/gtest.h>
#include <string>

namespace authdiag::core {
namespace {

struct AuthorizationCase {
  std::string name;
  bool has_header;
  std::string header;
  CredentialsKind kind;
  MalformedBasic malformed;
  std::string scheme;
  std::string user;
};

void PrintTo(const AuthorizationCase& c, std::ostream* os) { *os << c.name; }

class AuthorizationHeaderTest : public ::testing::TestWithParam<AuthorizationCase> {};

TEST_P(AuthorizationHeaderTest, Parses) {
  const AuthorizationCase& c = GetParam();
  const ParsedAuthorization parsed = parse_authorization(c.has_header, c.header);
  EXPECT_EQ(parsed.kind, c.kind);
  EXPECT_EQ(parsed.malformed, c.malformed);
  EXPECT_EQ(parsed.scheme, c.scheme);
  EXPECT_EQ(parsed.user, c.user);
}

using K = CredentialsKind;
using M = MalformedBasic;

// Encodings computed independently (Python base64.b64encode).
const AuthorizationCase kCases[] = {
    {"missing", false, "", K::Missing, M::None, "", ""},
    {"missing_ignores_text", false, "Basic YWxpY2U6c2VjcmV0", K::Missing, M::None, "", ""},
    {"basic", true, "Basic YWxpY2U6c2VjcmV0", K::Basic, M::None, "Basic", "alice"},
    {"lowercase_basic", true, "basic YWxpY2U6c2VjcmV0", K::Basic, M::None, "basic", "alice"},
    {"uppercase_basic", true, "BASIC YWxpY2U6c2VjcmV0", K::Basic, M::None, "BASIC", "alice"},
    {"padded", true, "Basic YWxpY2U6cHc=", K::Basic, M::None, "Basic", "alice"},
    {"padding_missing", true, "Basic YWxpY2U6cHc", K::Basic, M::None, "Basic", "alice"},
    {"two_pad_chars", true, "Basic OnNlY3JldA==", K::Basic, M::None, "Basic", ""},
    {"two_pad_chars_missing", true, "Basic OnNlY3JldA", K::Basic, M::None, "Basic", ""},
    {"blanks_around_token", true, "Basic   \tYWxpY2U6cHc=  \t", K::Basic, M::None, "Basic",
     "alice"},
    {"empty_password", true, "Basic YWxpY2U6", K::Basic, M::None, "Basic", "alice"},
    {"colon_in_password", true, "Basic YWxpY2U6c2U6Y3JldA==", K::Basic, M::None, "Basic", "alice"},
    {"utf8_user", true, "Basic asO8cmdlbjpwdw==", K::Basic, M::None, "Basic", "j\xc3\xbcrgen"},
    {"byte_ff_in_user", true, "Basic /2FsaWNlOnB3", K::Basic, M::None, "Basic",
     "\xff"
     "alice"},
    {"bearer", true, "Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig", K::OtherScheme, M::None, "Bearer", ""},
    {"digest", true, R"(Digest username="alice", realm="r")", K::OtherScheme, M::None, "Digest",
     ""},
    {"negotiate", true, "Negotiate YIIGhgYGKwYBBQUCoIIGejCCBnag", K::OtherScheme, M::None,
     "Negotiate", ""},
    {"tab_separator", true, "Basic\tYWxpY2U6c2VjcmV0", K::OtherScheme, M::None, "Basic", ""},
    {"scheme_prefix", true, "Basicx YWxpY2U6c2VjcmV0", K::OtherScheme, M::None, "Basicx", ""},
    {"leading_space", true, " Basic YWxpY2U6c2VjcmV0", K::OtherScheme, M::None, "", ""},
    {"empty_header", true, "", K::OtherScheme, M::None, "", ""},
    {"scheme_capped", true, std::string(100, 'X') + " token", K::OtherScheme, M::None,
     std::string(64, 'X'), ""},
    {"empty_token", true, "Basic", K::Malformed, M::Empty, "Basic", ""},
    {"blank_token", true, "Basic    ", K::Malformed, M::Empty, "Basic", ""},
    {"not_base64", true, "Basic !!!notbase64", K::Malformed, M::InvalidBase64, "Basic", ""},
    // httpd decodes up to the garbage and accepts these credentials; a strict parser does not.
    {"trailing_garbage", true, "Basic YWxpY2U6c2VjcmV0!!!garbage", K::Malformed, M::InvalidBase64,
     "Basic", ""},
    {"inner_space", true, "Basic YWxp Y2U6cHc=", K::Malformed, M::InvalidBase64, "Basic", ""},
    {"three_pad_chars", true, "Basic YWxpY2U6c2VjcmV0===", K::Malformed, M::InvalidBase64, "Basic",
     ""},
    {"wrong_pad_count", true, "Basic YWxpY2U6cHc==", K::Malformed, M::InvalidBase64, "Basic", ""},
    {"pad_in_middle", true, "Basic YW=xpY2U6", K::Malformed, M::InvalidBase64, "Basic", ""},
    {"pad_only", true, "Basic ====", K::Malformed, M::InvalidBase64, "Basic", ""},
    {"impossible_length", true, "Basic YWxpY", K::Malformed, M::InvalidBase64, "Basic", ""},
    {"padded_short_quantum", true, "Basic YWxpY2U=a", K::Malformed, M::InvalidBase64, "Basic", ""},
    {"url_safe_alphabet", true, "Basic _2FsaWNlOnB3", K::Malformed, M::InvalidBase64, "Basic", ""},
    {"no_colon", true, "Basic YWxpY2VzZWNyZXQ=", K::Malformed, M::NoColon, "Basic", "alicesecret"},
    {"nul_in_user", true, "Basic YWwAaWNlOnB3", K::Malformed, M::ControlCharacter, "Basic",
     std::string("al\0ice", 6)},
    {"crlf_in_user", true, "Basic YWxpY2UNCmZvcmdlZDpwdw==", K::Malformed, M::ControlCharacter,
     "Basic", "alice\r\nforged"},
    {"del_in_password", true, "Basic YWxpY2U6cH93", K::Malformed, M::ControlCharacter, "Basic",
     "alice"},
    {"tab_in_password", true, "Basic YWxpY2U6cAl3", K::Malformed, M::ControlCharacter, "Basic",
     "alice"},
};

INSTANTIATE_TEST_SUITE_P(Cases, AuthorizationHeaderTest, ::testing::ValuesIn(kCases),
                         [](const auto& param_info) { return param_info.param.name; });

// An encoder independent of the parser, for long inputs.
std::string base64(const std::string& data) {
  static const char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const auto at = [&data](std::size_t i) -> unsigned {
    return i < data.size() ? static_cast<unsigned char>(data[i]) : 0U;
  };
  std::string out;
  for (std::size_t i = 0; i < data.size(); i += 3) {
    const unsigned n = at(i) << 16 | at(i + 1) << 8 | at(i + 2);
    out += kAlphabet[n >> 18 & 63U];
    out += kAlphabet[n >> 12 & 63U];
    out += i + 1 < data.size() ? kAlphabet[n >> 6 & 63U] : '=';
    out += i + 2 < data.size() ? kAlphabet[n & 63U] : '=';
  }
  return out;
}

TEST(AuthorizationHeaderLong, TenKilobyteUser) {
  const std::string user(10'000, 'u');
  const ParsedAuthorization parsed = parse_authorization(true, "Basic " + base64(user + ":pw"));
  EXPECT_EQ(parsed.kind, CredentialsKind::Basic);
  EXPECT_EQ(parsed.user, user);
}

TEST(AuthorizationHeaderLong, EightKilobyteHeader) {
  // "QUFB" is "AAA": 8 KiB of token decodes to 6 KiB of text without a colon.
  std::string token;
  for (int i = 0; i < 2048; ++i) token += "QUFB";
  const ParsedAuthorization parsed = parse_authorization(true, "Basic " + token);
  EXPECT_EQ(parsed.kind, CredentialsKind::Malformed);
  EXPECT_EQ(parsed.malformed, MalformedBasic::NoColon);
  EXPECT_EQ(parsed.user, std::string(6144, 'A'));
}

TEST(AuthorizationHeaderLong, EveryByteAsUser) {
  // Every byte value except ':' and the controls survives as part of the user.
  std::string user;
  for (int b = 0x20; b <= 0xff; ++b) {
    if (b != ':' && b != 0x7f) user += static_cast<char>(b);
  }
  const ParsedAuthorization parsed = parse_authorization(true, "Basic " + base64(user + ":x"));
  EXPECT_EQ(parsed.kind, CredentialsKind::Basic);
  EXPECT_EQ(parsed.user, user);
}

TEST(AuthorizationHeaderLong, EachControlByteIsReported) {
  for (int b = 0; b < 0x20; ++b) {
    const std::string credentials = std::string("al") + static_cast<char>(b) + "ice:pw";
    const ParsedAuthorization parsed = parse_authorization(true, "Basic " + base64(credentials));
    EXPECT_EQ(parsed.malformed, MalformedBasic::ControlCharacter) << "byte " << b;
  }
}

}  // namespace
}  // namespace authdiag::core
