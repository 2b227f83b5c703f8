// SPDX-License-Identifier: Apache-2.0
// Fuzzes the challenge code: an arbitrary realm survives build → parse (minus control
// characters); arbitrary field values parse and re-render stably; repair never emits a control
// character and always leaves a challenge when repair is on.
#include "core/challenge.hpp"
#include "core/text.hpp"
#include "fuzz_support.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace authdiag::core;
using authdiag::fuzz::check;
using authdiag::fuzz::FuzzInput;

bool is_ctl(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return (byte < 0x20 && byte != '\t') || byte == 0x7f;
}

bool has_ctl(std::string_view text) { return std::any_of(text.begin(), text.end(), is_ctl); }

void check_realm_round_trip(std::string_view realm, bool with_charset) {
  const std::string challenge = build_basic_challenge(realm, with_charset);
  check(!has_ctl(challenge), "built challenge has no control character");
  const std::vector<Challenge> parsed = parse_challenges(challenge);
  check(parsed.size() == 1, "built challenge parses as one challenge");
  check(parsed[0].scheme == "Basic" && parsed[0].token68.empty(), "built challenge is Basic");
  check(parsed[0].params.size() == (with_charset ? 2U : 1U), "realm (and charset) parameters");
  std::string expected(realm);
  std::erase_if(expected, is_ctl);
  check(parsed[0].params[0].name == "realm" && parsed[0].params[0].value == expected,
        "realm round-trips modulo removed control characters");
  if (with_charset) {
    check(parsed[0].params[1].name == "charset" && parsed[0].params[1].value == "UTF-8",
          "charset parameter");
  }
}

void check_parse_render(std::string_view header) {
  for (const Challenge& challenge : parse_challenges(header)) {
    check(!challenge.scheme.empty(), "every challenge has a scheme");
    const std::string rendered = render_challenge(challenge);
    check(!has_ctl(rendered), "rendered challenge has no control character");
    const std::vector<Challenge> again = parse_challenges(rendered);
    check(again.size() == 1, "a rendered challenge parses as one challenge");
    check(render_challenge(again[0]) == rendered, "rendering is a fixed point");
  }
}

void check_repair(FuzzInput& input) {
  const std::uint8_t flags = input.byte();
  ChallengeRepairInput repair_input;
  repair_input.add_charset = (flags & 1U) != 0;
  repair_input.repair = (flags & 2U) != 0;
  repair_input.fallback_realm = input.string();
  const std::size_t count = input.byte() % 5U;
  for (std::size_t i = 0; i < count; ++i) repair_input.existing_values.push_back(input.string());

  const ChallengeRepairResult result = repair_challenges(repair_input);
  check(result.changed == (result.values != repair_input.existing_values), "changed flag");
  if (!repair_input.repair) {
    check(result.values.size() == repair_input.existing_values.size(), "repair off keeps values");
    check(!result.added && !result.sanitized, "repair off adds and sanitizes nothing");
    if (!repair_input.add_charset) check(!result.changed, "nothing to do keeps values");
    return;
  }
  check(!result.values.empty(), "repair on leaves at least one challenge");
  check(!result.added || result.values.size() == 1, "an added challenge stands alone");
  std::size_t basic = 0;
  for (const std::string& value : result.values) {
    check(value.find_first_of(std::string_view("\r\n\0", 3)) == std::string::npos,
          "no CR, LF or NUL in a repaired value");
    check(!has_ctl(value), "no control character in a repaired value");
    const std::vector<Challenge> parsed = parse_challenges(value);
    check(parsed.size() == 1, "one challenge per value");
    if (iequals(parsed[0].scheme, "Basic")) {
      ++basic;
      check(!parsed[0].params.empty() && parsed[0].params[0].name == "realm",
            "Basic starts with its realm");
      const auto charsets =
          std::count_if(parsed[0].params.begin(), parsed[0].params.end(),
                        [](const AuthParam& p) { return iequals(p.name, "charset"); });
      check(charsets <= 1, "never two charset parameters");
      if (repair_input.add_charset) check(charsets == 1, "charset on Basic");
    }
  }
  check(basic <= 1, "no duplicate Basic challenge");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  check_realm_round_trip(text, size % 2 == 0);
  check_parse_render(text);
  FuzzInput input(data, size);
  check_repair(input);
  return 0;
}
