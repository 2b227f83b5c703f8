// SPDX-License-Identifier: Apache-2.0
// sha256_hex against the FIPS 180-4 example vectors (NIST CSRC "SHA256.pdf", "SHA2 additional"
// vectors) and messages around the padding boundaries (digests from Python's hashlib).
#include "core/denial_record.hpp"

#include <gtest/gtest.h>
#include <string>

namespace authdiag::core {
namespace {

struct Sha256Case {
  std::string name;
  std::string message;
  std::string digest;
};

void PrintTo(const Sha256Case& c, std::ostream* os) { *os << c.name; }

class Sha256Test : public ::testing::TestWithParam<Sha256Case> {};

TEST_P(Sha256Test, Digest) { EXPECT_EQ(sha256_hex(GetParam().message), GetParam().digest); }

std::string bytes_0_to_255() {
  std::string out;
  for (int b = 0; b < 256; ++b) out += static_cast<char>(b);
  return out;
}

const Sha256Case kCases[] = {
    {"empty", "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
    {"abc", "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
    {"two_blocks", "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
     "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
    {"896_bits",
     "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqr"
     "lmnopqrsmnopqrstnopqrstu",
     "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"},
    {"million_a", std::string(1'000'000, 'a'),
     "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"},
    {"a55", std::string(55, 'a'),
     "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"},
    {"a56", std::string(56, 'a'),
     "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"},
    {"a63", std::string(63, 'a'),
     "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34"},
    {"a64", std::string(64, 'a'),
     "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"},
    {"a65", std::string(65, 'a'),
     "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0"},
    {"a119", std::string(119, 'a'),
     "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb"},
    {"a120", std::string(120, 'a'),
     "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c"},
    {"all_bytes", bytes_0_to_255(),
     "40aff2e9d2d8922e47afd4648e6967497158785fbd1da870e7110266bf944880"},
};

INSTANTIATE_TEST_SUITE_P(Vectors, Sha256Test, ::testing::ValuesIn(kCases),
                         [](const auto& param_info) { return param_info.param.name; });

}  // namespace
}  // namespace authdiag::core
