// SPDX-License-Identifier: Apache-2.0
// A small strict RFC 8259 validator for the tests: exactly one JSON value, nothing else, strings
// in valid UTF-8 without raw control characters, escapes well formed (surrogates paired).
#pragma once

#include <string_view>

namespace authdiag::fuzz {

// True when `text` is exactly one JSON value, optionally surrounded by whitespace.
bool is_valid_json(std::string_view text);

// True when `text` is one JSON object whose member names are unique.
bool is_valid_json_object(std::string_view text);

}  // namespace authdiag::fuzz
