// SPDX-License-Identifier: Apache-2.0
// Fuzzes the renderings of a DenialRecord built from the input: the JSON line is one valid JSON
// object of at most 4096 bytes ending in its only newline; logfmt, the problem object and the
// detail page stay inside their character sets.
#include "core/client_view.hpp"
#include "core/denial_record.hpp"
#include "fuzz_support.hpp"
#include "support/json.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

namespace {

using namespace authdiag::core;
using authdiag::fuzz::check;
using authdiag::fuzz::FuzzInput;
using authdiag::test_json::is_valid_json_object;

// Layout: u32 presence bits, i64 time, u8 reason, u16 status, u16 substatus, then the strings
// and numbers of the record in declaration order (absent ones are skipped). Presence bits, in
// order: substatus, the 5 request strings, the 12 optional strings, repaired, the 3 numbers,
// inflate (then followed by one byte: the inflated size / 64).
DenialRecord make_record(FuzzInput& input) {
  const std::uint32_t present = input.u32();
  std::uint32_t bit = 0;
  const auto next = [&present, &bit] { return (present >> bit++ & 1U) != 0; };
  DenialRecord record;
  record.time_us = static_cast<std::int64_t>(input.u64());
  record.reason = static_cast<Reason>(input.byte() % kReasonTable.size());
  record.status = input.byte() | input.byte() << 8;
  const SubstatusCode substatus = static_cast<SubstatusCode>(input.byte() | input.byte() << 8);
  if (next()) record.substatus = substatus;
  for (std::string* field :
       {&record.request_id, &record.client_ip, &record.vhost, &record.method, &record.path}) {
    if (next()) *field = input.string();
  }
  for (std::optional<std::string>* field :
       {&record.user, &record.realm, &record.auth_type, &record.providers, &record.user_file,
        &record.hash_scheme, &record.requirement, &record.scheme, &record.challenge,
        &record.config_file, &record.detail, &record.hint}) {
    if (next()) *field = input.string();
  }
  record.repaired = next();
  for (std::optional<std::uint64_t>* field : {&record.counter, &record.limit, &record.window_ms}) {
    if (next()) *field = input.u64();
  }
  // When asked, every present string grows by repeating itself to 64 * (next byte) bytes (up to
  // 16 kB), so small inputs reach and cross the 4096-byte cap.
  if (next()) {
    const std::size_t target = std::size_t{input.byte()} * 64;
    const auto inflate = [target](std::string& text) {
      const std::string unit = text.empty() ? std::string("\xff") : text;
      while (text.size() < target) text += unit;
    };
    for (std::string* field :
         {&record.request_id, &record.client_ip, &record.vhost, &record.method, &record.path}) {
      if (!field->empty()) inflate(*field);
    }
    for (std::optional<std::string>* field :
         {&record.user, &record.realm, &record.auth_type, &record.providers, &record.user_file,
          &record.hash_scheme, &record.requirement, &record.scheme, &record.challenge,
          &record.config_file, &record.detail, &record.hint}) {
      if (*field) inflate(**field);
    }
  }
  return record;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzInput input(data, size);
  const DenialRecord record = make_record(input);

  const std::string line = to_json_line(record);
  check(line.size() <= kMaxJsonLineBytes, "JSON line at most 4096 bytes");
  check(!line.empty() && line.back() == '\n', "JSON line ends in a newline");
  check(std::count(line.begin(), line.end(), '\n') == 1, "exactly one newline");
  check(is_valid_json_object(std::string_view(line).substr(0, line.size() - 1)),
        "JSON line is one valid object");

  const std::string logfmt = to_logfmt(record);
  check(std::none_of(logfmt.begin(), logfmt.end(),
                     [](char c) {
                       const auto byte = static_cast<unsigned char>(c);
                       return byte < 0x20 || byte >= 0x7f;
                     }),
        "logfmt is printable ASCII");

  check(is_valid_json_object(render_problem_json(record)), "problem object is valid JSON");
  const std::string page = render_detail_page(record);
  check(std::none_of(page.begin(), page.end(),
                     [](char c) { return static_cast<unsigned char>(c) >= 0x80; }),
        "detail page is pure ASCII");
  return 0;
}
