// SPDX-License-Identifier: Apache-2.0
// Parses an Authorization request-header value the way mod_auth_basic reads it, but reports
// what is wrong with it instead of guessing (RFC 9110 §11.6.2, RFC 7617 §2).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace authdiag::core {

enum class CredentialsKind : std::uint8_t {
  Missing,       // no header at all
  Basic,         // well-formed Basic credentials
  OtherScheme,   // Bearer, Digest, Negotiate, ... (or a separator httpd rejects, e.g. TAB)
  Malformed,     // Basic, but unusable
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
  std::string scheme;  // as sent (capped at 64 bytes), empty when Missing
  std::string user;    // decoded user-id (Basic and Malformed with a decodable user); raw bytes
  // The password is deliberately not kept: the module never needs it after this point.
};

// `header` is the raw header value, or nullptr-equivalent `has_header == false` when absent.
// Never throws on any input except std::bad_alloc.
ParsedAuthorization parse_authorization(bool has_header, std::string_view header);

}  // namespace authdiag::core
