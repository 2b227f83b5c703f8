// SPDX-License-Identifier: Apache-2.0
// Authorization parsing with mod_auth_basic's word rules (ap_getword(' '), case-insensitive
// "Basic", blanks skipped) and a strict base64 decoder that reports errors httpd ignores.
#include "core/authorization_header.hpp"

#include "core/text.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>

namespace authdiag::core {

namespace {

constexpr std::size_t kMaxSchemeBytes = 64;

constexpr std::array<std::int8_t, 256> make_base64_table() {
  std::array<std::int8_t, 256> table{};
  table.fill(-1);
  constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (std::size_t i = 0; i < kAlphabet.size(); ++i) {
    table[static_cast<unsigned char>(kAlphabet[i])] = static_cast<std::int8_t>(i);
  }
  return table;
}

constexpr std::array<std::int8_t, 256> kBase64Values = make_base64_table();

constexpr bool is_blank(char c) { return c == ' ' || c == '\t'; }

constexpr bool is_control(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return byte < 0x20 || byte == 0x7f;
}

// Overwrites the decoded credentials before their memory is released, so the password does not
// linger in freed heap blocks.
class WipedBuffer {
 public:
  explicit WipedBuffer(std::size_t capacity) { bytes_.reserve(capacity); }
  WipedBuffer(const WipedBuffer&) = delete;
  WipedBuffer& operator=(const WipedBuffer&) = delete;
  ~WipedBuffer() {
    volatile char* p = bytes_.data();
    for (std::size_t i = 0; i < bytes_.capacity(); ++i) p[i] = 0;
  }
  std::string& bytes() { return bytes_; }

 private:
  std::string bytes_;
};

// Strict RFC 4648 §4 decoding: alphabet only, '=' only as final padding of a 4-character
// quantum, and a length that can encode whole bytes. Missing padding is accepted (several
// clients omit it); non-zero unused trailing bits are accepted, as they change no byte.
bool decode_base64_strict(std::string_view token, std::string& out) {
  std::size_t padding = 0;
  while (padding < token.size() && token[token.size() - 1 - padding] == '=') ++padding;
  const std::string_view data = token.substr(0, token.size() - padding);
  if (padding > 2) return false;
  if (padding > 0 && token.size() % 4 != 0) return false;
  if (data.size() % 4 == 1) return false;
  if (padding > 0 && 4 - data.size() % 4 != padding) return false;
  std::uint32_t accumulator = 0;
  int bits = 0;
  for (const char c : data) {
    const std::int8_t value = kBase64Values[static_cast<unsigned char>(c)];
    if (value < 0) return false;
    accumulator = (accumulator << 6) | static_cast<std::uint32_t>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((accumulator >> bits) & 0xffU);
    }
  }
  return true;
}

}  // namespace

ParsedAuthorization parse_authorization(bool has_header, std::string_view header) {
  ParsedAuthorization result;
  if (!has_header) return result;

  // ap_getword(' '): the scheme ends at the first SP only, so "Basic\tTOKEN" is one word that is
  // not "Basic". The recorded scheme stops at any blank so no credential text is kept.
  const std::size_t word_end = std::min(header.find(' '), header.size());
  const std::string_view word = header.substr(0, word_end);
  const std::string_view scheme =
      word.substr(0, std::min({word.find('\t'), word.size(), kMaxSchemeBytes}));
  result.scheme.assign(scheme);
  if (!iequals(word, "Basic")) {
    result.kind = CredentialsKind::OtherScheme;
    return result;
  }

  result.kind = CredentialsKind::Malformed;
  std::string_view token = header.substr(word_end);
  while (!token.empty() && is_blank(token.front())) token.remove_prefix(1);
  while (!token.empty() && is_blank(token.back())) token.remove_suffix(1);
  if (token.empty()) {
    result.malformed = MalformedBasic::Empty;
    return result;
  }

  WipedBuffer decoded(token.size() / 4 * 3 + 3);
  std::string& text = decoded.bytes();
  if (!decode_base64_strict(token, text)) {
    result.malformed = MalformedBasic::InvalidBase64;
    return result;
  }

  const std::size_t colon = text.find(':');
  if (colon == std::string::npos) {
    result.user = text;
    result.malformed = MalformedBasic::NoColon;
    return result;
  }
  result.user = text.substr(0, colon);
  const std::string_view credentials = text;
  if (std::any_of(credentials.begin(), credentials.end(), is_control)) {
    result.malformed = MalformedBasic::ControlCharacter;
    return result;
  }
  result.kind = CredentialsKind::Basic;
  result.malformed = MalformedBasic::None;
  return result;
}

}  // namespace authdiag::core
