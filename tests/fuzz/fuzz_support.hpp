// SPDX-License-Identifier: Apache-2.0
// Shared helpers of the fuzz targets: a failed property aborts with a message (libFuzzer and the
// replay driver both report the abort), and FuzzInput splits the input into fields.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace authdiag::fuzz {

inline void check(bool property, const char* what) {
  if (property) return;
  std::fprintf(stderr, "property violated: %s\n", what);
  std::abort();
}

// Splits a fuzz input into typed fields, in the manner of libFuzzer's FuzzedDataProvider but
// with a layout simple enough to write seeds by hand: a string is a 2-byte little-endian length
// followed by that many bytes (fewer if the input ends). Reading past the end yields zeros.
class FuzzInput {
 public:
  FuzzInput(const std::uint8_t* data, std::size_t size)
      : rest_(reinterpret_cast<const char*>(data), size) {}

  std::uint8_t byte() {
    if (rest_.empty()) return 0;
    const auto value = static_cast<std::uint8_t>(rest_.front());
    rest_.remove_prefix(1);
    return value;
  }

  std::uint64_t u64() {
    std::uint64_t value = 0;
    for (int i = 0; i < 8; ++i) value |= static_cast<std::uint64_t>(byte()) << (8 * i);
    return value;
  }

  std::uint32_t u32() {
    std::uint32_t value = 0;
    for (int i = 0; i < 4; ++i) value |= static_cast<std::uint32_t>(byte()) << (8 * i);
    return value;
  }

  std::string string() {
    const std::size_t length = byte() | static_cast<std::size_t>(byte()) << 8;
    const std::string_view value = rest_.substr(0, length);
    rest_.remove_prefix(value.size());
    return std::string(value);
  }

  std::string_view rest() const { return rest_; }

 private:
  std::string_view rest_;
};

}  // namespace authdiag::fuzz
