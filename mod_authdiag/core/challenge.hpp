// SPDX-License-Identifier: Apache-2.0
// Builds, parses and repairs WWW-Authenticate challenges (RFC 9110 §11.6.1, §5.6.4 quoted-string;
// RFC 7617 Basic with charset).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace authdiag::core {

// A quoted-string per RFC 9110 §5.6.4: `"` and `\` escaped, control characters (CTL except
// HTAB) removed. Always returns the surrounding quotes.
std::string quote_string(std::string_view text);

// `Basic realm="<realm>"` plus `, charset="UTF-8"` when `with_charset`.
std::string build_basic_challenge(std::string_view realm, bool with_charset);

struct AuthParam {
  std::string name;   // as sent
  std::string value;  // unquoted value
};

struct Challenge {
  std::string scheme;  // as sent
  std::string token68;
  std::vector<AuthParam> params;
};

// Splits one or more header field values into challenges. Lenient like a browser: a realm with
// stray control characters or httpd's unescaped backslashes still yields the realm text. Inside
// a quoted-string only \" and \\ are quoted-pairs (httpd escapes nothing else), any other
// backslash is literal, and control characters are dropped; an unterminated quoted-string runs
// to the end of the value.
std::vector<Challenge> parse_challenges(std::string_view field_value);

// Renders a challenge canonically (quoted-string for every param value). Characters that cannot
// stand in a scheme, parameter name or token68 are left out, so the result never holds a
// control character.
std::string render_challenge(const Challenge& challenge);

struct ChallengeRepairInput {
  std::vector<std::string> existing_values;  // every WWW-Authenticate field value, in order
  std::string fallback_realm;                // AuthName of the scope, else AuthDiagDefaultRealm
  bool add_charset = true;                   // AuthDiagCharset UTF-8
  bool repair = true;                        // AuthDiagRepairChallenge On
};

struct ChallengeRepairResult {
  std::vector<std::string> values;  // field values to send, one challenge each
  bool changed = false;             // values differ from existing_values
  bool added = false;               // there was no challenge and one was added ("repaired")
  // A Basic realm as received was not already the canonical quoted-string (unescaped
  // backslash, control characters, missing closing quote, token form), or a realm lost control
  // characters.
  bool sanitized = false;
};

// Every 401 leaves with at least one challenge, no duplicate Basic challenge, a correctly quoted
// realm and charset="UTF-8" on Basic. With repair on the output holds one challenge per value:
// the first Basic challenge re-rendered as `Basic realm="…"` (realm from the scope when it had
// none) followed by its other parameters once each, later Basic challenges dropped, other
// schemes kept as sent unless they contained control characters. With repair off only the
// charset rule applies: each value stays byte for byte, except that charset="UTF-8" is appended
// to a well-formed Basic challenge without one.
ChallengeRepairResult repair_challenges(const ChallengeRepairInput& input);

}  // namespace authdiag::core
