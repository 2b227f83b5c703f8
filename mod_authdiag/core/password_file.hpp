// SPDX-License-Identifier: Apache-2.0
// htpasswd files kept byte-exact: comments, blank lines, CRLF, unknown lines and a missing final
// newline survive every edit. Users are matched exactly, the way mod_authn_file does (whitespace
// around the line trimmed, first match wins).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace authdiag::core {

inline constexpr std::size_t kMaxUsernameBytes = 255;

enum class UsernameError : std::uint8_t {
  Empty,
  Colon,
  Whitespace,
  ControlCharacter,
  TooLong,      // > kMaxUsernameBytes
  LeadingHash,  // "#alice:..." is a comment line: httpd would never find the user
};

std::optional<UsernameError> validate_username(std::string_view user) noexcept;
std::string_view username_error_message(UsernameError error) noexcept;

enum class PasswordLineKind : std::uint8_t {
  Blank,      // empty or whitespace only
  Comment,    // first non-blank byte is '#' (Webmin's "#user:hash" = disabled user)
  Entry,      // user:hash[:anything]
  Malformed,  // non-blank, not a comment, no ':' (htpasswd refuses such files, exit 7)
};

struct PasswordLine {
  std::size_t number = 0;  // 1-based
  std::string text;        // without the line ending
  std::string ending;      // "\n", "\r\n", or "" for a last line without a newline
  PasswordLineKind kind = PasswordLineKind::Blank;
  std::string user;  // Entry: text before the first ':' after trimming, as httpd compares it
  std::string hash;  // Entry: the second ':'-separated field (what httpd verifies)
};

struct PasswordFile {
  std::vector<PasswordLine> lines;
  bool has_bom = false;  // the BOM is part of line 1's text; httpd then never finds that user
};

// Never fails; serialize_password_file() gives the same bytes back.
PasswordFile parse_password_file(std::string_view bytes);
std::string serialize_password_file(const PasswordFile& file);

// 0-based indexes into lines of every Entry whose user equals `user` exactly, in file order
// (httpd uses the first).
std::vector<std::size_t> find_user(const PasswordFile& file, std::string_view user);

// Users of all Entry lines in file order (duplicates included).
std::vector<std::string> list_users(const PasswordFile& file);

// Line numbers of Malformed lines.
std::vector<std::size_t> malformed_lines(const PasswordFile& file);

// Sets `user`'s hash: the first entry is rewritten as "user:hash" (keeping its line ending),
// later duplicates are removed; an absent user is appended (the dominant line ending; a file
// without a final newline keeps having none). Returns whether anything changed.
bool set_user_hash(PasswordFile& file, std::string_view user, std::string_view hash);

// Removes every entry of `user`. Removing the last line of a file without a final newline
// also drops the newline before it, so add-then-remove restores the original bytes (except for a
// file ending in a lone CR, whose CR then reads back as part of a CRLF line ending).
bool remove_user(PasswordFile& file, std::string_view user);

}  // namespace authdiag::core
