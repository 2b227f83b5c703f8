// SPDX-License-Identifier: Apache-2.0
// Fuzzes the htpasswd code: parsing reproduces the input byte for byte; adding an absent user
// and removing it again restores the input; after set the user has exactly one entry with the
// new hash; entries are matched exactly.
#include "core/password_file.hpp"
#include "fuzz_support.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace {

using namespace authdiag::core;

using authdiag::fuzz::check;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // The first line of the input is the user name, the rest the file.
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t split = input.find('\n');
  const std::string_view user = split == std::string_view::npos ? input : input.substr(0, split);
  const std::string_view bytes =
      split == std::string_view::npos ? std::string_view() : input.substr(split + 1);

  PasswordFile file = parse_password_file(bytes);
  check(serialize_password_file(file) == bytes, "serialize(parse(x)) == x");
  for (const PasswordLine& line : file.lines) {
    if (line.kind == PasswordLineKind::Entry) {
      check(line.user.find(':') == std::string::npos, "users never contain ':'");
      check(line.hash.find(':') == std::string::npos, "hashes never contain ':'");
    }
  }
  if (validate_username(user)) return 0;

  const std::string hash = "$2y$10$abcdefghijklmnopqrstuuW0zQ8f6yq0J1Yq6pZ0b9h8C6u2aBcDe";
  const bool present = !find_user(file, user).empty();
  PasswordFile edited = file;
  set_user_hash(edited, user, hash);
  const std::string after_set = serialize_password_file(edited);
  const PasswordFile reparsed = parse_password_file(after_set);
  const auto found = find_user(reparsed, user);
  check(found.size() == 1, "exactly one entry after set");
  check(reparsed.lines[found.front()].hash == hash, "the entry has the new hash");
  check(!set_user_hash(edited, user, hash), "setting the same hash again changes nothing");

  PasswordFile removed = reparsed;
  check(remove_user(removed, user), "remove reports the change");
  check(find_user(parse_password_file(serialize_password_file(removed)), user).empty(),
        "no entry after remove");
  // A file ending in a lone CR is the one exception: "x\r" + "\n" reads back as a CRLF line.
  if (!present && (bytes.empty() || bytes.back() != '\r')) {
    check(serialize_password_file(removed) == bytes, "add then remove restores the original");
  }
  return 0;
}
