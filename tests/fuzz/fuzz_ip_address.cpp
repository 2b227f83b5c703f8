// SPDX-License-Identifier: Apache-2.0
// Fuzzes address and CIDR parsing: parse → to_string → parse is the identity, the canonical text
// is a fixed point, a range contains its network, and addresses agree with inet_pton.
#include "core/ip_address.hpp"
#include "fuzz_support.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

namespace {

using namespace authdiag::core;
using authdiag::fuzz::check;

// glibc's inet_pton accepts exactly the strict forms: no leading zeros in IPv4, no zone ids.
void check_against_inet_pton(const std::string& text, const std::optional<IpAddress>& parsed) {
  if (text.find('\0') != std::string::npos) {
    check(!parsed, "embedded NUL rejected");
    return;
  }
  IpAddress expected;
  bool accepted = false;
  if (text.find(':') != std::string::npos) {
    accepted = inet_pton(AF_INET6, text.c_str(), expected.bytes.data()) == 1;
  } else {
    expected.bytes[10] = 0xff;
    expected.bytes[11] = 0xff;
    accepted = inet_pton(AF_INET, text.c_str(), expected.bytes.data() + 12) == 1;
  }
  check(accepted == parsed.has_value(), "accepts exactly what inet_pton accepts");
  if (accepted) check(*parsed == expected, "same bytes as inet_pton");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);

  const std::optional<IpAddress> address = parse_ip_address(text);
  check_against_inet_pton(text, address);
  if (address) {
    const std::string canonical = to_string(*address);
    const std::optional<IpAddress> again = parse_ip_address(canonical);
    check(again && *again == *address, "address round-trips");
    check(to_string(*again) == canonical, "canonical address text is a fixed point");
  }

  const std::optional<CidrRange> range = parse_cidr(text);
  if (address) check(range && range->prefix == 128, "a bare address is a host range");
  if (range) {
    check(range->prefix <= 128, "prefix at most 128");
    check(contains(*range, range->network), "a range contains its network");
    const std::string canonical = to_string(*range);
    const std::optional<CidrRange> again = parse_cidr(canonical);
    check(again && *again == *range, "range round-trips");
    check(to_string(*again) == canonical, "canonical range text is a fixed point");
  }
  return 0;
}
