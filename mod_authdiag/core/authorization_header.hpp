// SPDX-License-Identifier: Apache-2.0
// Parses an Authorization request-header value the way mod_auth_basic reads it, but reports
// what is wrong with it instead of guessing (RFC 9110 §11.6.2, RFC 7617 §2).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace authdiag::core {

enum class CredentialsKind : std::uint8_t {
  Missing,      // no header at all
  Basic,        // well-formed Basic credentials
  OtherScheme,  // Bearer, Digest, Negotiate, ... (or a separator httpd rejects, e.g. TAB)
  Malformed,    // Basic, but unusable
};

enum class MalformedBasic : std::uint8_t {
  None,
  Empty,            // "Basic" or "Basic   " with no token
  InvalidBase64,    // characters outside the base64 alphabet, bad padding or length
  NoColon,          // decoded text has no ':' between user and password
  ControlCharacter  // user or password contains a control byte (NUL, CR, LF, DEL, ...)
};

struct ParsedAuthorization {
  CredentialsKind kind = CredentialsKind::Missing;
  MalformedBasic malformed = MalformedBasic::None;
  // The first word as sent, up to the first SP or HTAB and capped at 64 bytes; empty when
  // Missing. "Basic\tdXNlcjpwdw==" is OtherScheme with scheme "Basic", as httpd sees it.
  std::string scheme;
  // Decoded user-id, raw bytes (>= 0x80 kept): the text before the first ':' (Basic,
  // ControlCharacter) or the whole decoded text (NoColon, as httpd uses it); empty otherwise.
  std::string user;
  // The password is deliberately not kept: the module never needs it after this point.
};

// `header` is the raw header value; `has_header == false` when the request has none. The token
// after "Basic" may be surrounded by blanks; base64 is decoded strictly (RFC 4648 alphabet,
// padding optional but never misplaced). The decoded buffer is wiped before returning.
// Never throws on any input except std::bad_alloc.
ParsedAuthorization parse_authorization(bool has_header, std::string_view header);

}  // namespace authdiag::core
