// SPDX-License-Identifier: Apache-2.0
// Byte-exact htpasswd parsing and editing (see password_file.hpp).
#include "core/password_file.hpp"

#include "core/text.hpp"

#include <algorithm>

namespace authdiag::core {
namespace {

void classify(PasswordLine& line) {
  line.user.clear();
  line.hash.clear();
  const std::string_view content = trim(line.text);
  if (content.empty()) {
    line.kind = PasswordLineKind::Blank;
  } else if (content.front() == '#') {
    line.kind = PasswordLineKind::Comment;
  } else if (const auto colon = content.find(':'); colon == std::string_view::npos) {
    line.kind = PasswordLineKind::Malformed;
  } else {
    line.kind = PasswordLineKind::Entry;
    line.user = std::string(content.substr(0, colon));
    const std::string_view rest = content.substr(colon + 1);
    line.hash = std::string(rest.substr(0, rest.find(':')));
  }
}

std::string dominant_ending(const PasswordFile& file) {
  for (const auto& line : file.lines) {
    if (!line.ending.empty()) return line.ending;
  }
  return "\n";
}

// Removing the last line of a file without a final newline also drops the newline before it.
void erase_line(PasswordFile& file, std::size_t index) {
  if (index + 1 == file.lines.size() && file.lines[index].ending.empty() && index > 0) {
    file.lines[index - 1].ending.clear();
  }
  file.lines.erase(file.lines.begin() + static_cast<std::ptrdiff_t>(index));
}

void renumber(PasswordFile& file) {
  for (std::size_t i = 0; i < file.lines.size(); ++i) file.lines[i].number = i + 1;
}

}  // namespace

std::optional<UsernameError> validate_username(std::string_view user) noexcept {
  if (user.empty()) return UsernameError::Empty;
  if (user.size() > kMaxUsernameBytes) return UsernameError::TooLong;
  if (user.front() == '#') return UsernameError::LeadingHash;
  for (const char c : user) {
    const auto b = static_cast<unsigned char>(c);
    if (b < 0x20 || b == 0x7f) {
      return (c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r')
                 ? UsernameError::Whitespace
                 : UsernameError::ControlCharacter;
    }
    if (c == ' ') return UsernameError::Whitespace;
    if (c == ':') return UsernameError::Colon;
  }
  return std::nullopt;
}

std::string_view username_error_message(UsernameError error) noexcept {
  switch (error) {
    case UsernameError::Empty:
      return "user name is empty";
    case UsernameError::Colon:
      return "user name contains ':'";
    case UsernameError::Whitespace:
      return "user name contains whitespace";
    case UsernameError::ControlCharacter:
      return "user name contains a control character";
    case UsernameError::TooLong:
      return "user name is longer than 255 bytes";
    case UsernameError::LeadingHash:
      return "user name starts with '#', which makes its line a comment httpd skips";
  }
  return "user name is invalid";
}

PasswordFile parse_password_file(std::string_view bytes) {
  PasswordFile file;
  file.has_bom = starts_with_utf8_bom(bytes);
  file.lines.reserve(raw_line_capacity(bytes));
  for_each_raw_line(bytes, [&](const RawLine& raw) {
    PasswordLine line;
    line.number = file.lines.size() + 1;
    line.text = std::string(raw.text);
    line.ending = std::string(raw.ending);
    classify(line);
    file.lines.push_back(std::move(line));
  });
  return file;
}

std::string serialize_password_file(const PasswordFile& file) {
  std::string out;
  for (const auto& line : file.lines) {
    out += line.text;
    out += line.ending;
  }
  return out;
}

std::vector<std::size_t> find_user(const PasswordFile& file, std::string_view user) {
  std::vector<std::size_t> indexes;
  for (std::size_t i = 0; i < file.lines.size(); ++i) {
    if (file.lines[i].kind == PasswordLineKind::Entry && file.lines[i].user == user) {
      indexes.push_back(i);
    }
  }
  return indexes;
}

std::vector<std::string> list_users(const PasswordFile& file) {
  std::vector<std::string> users;
  for (const auto& line : file.lines) {
    if (line.kind == PasswordLineKind::Entry) users.push_back(line.user);
  }
  return users;
}

std::vector<std::size_t> malformed_lines(const PasswordFile& file) {
  std::vector<std::size_t> numbers;
  for (const auto& line : file.lines) {
    if (line.kind == PasswordLineKind::Malformed) numbers.push_back(line.number);
  }
  return numbers;
}

bool set_user_hash(PasswordFile& file, std::string_view user, std::string_view hash) {
  const std::string text = std::string(user) + ":" + std::string(hash);
  const std::vector<std::size_t> found = find_user(file, user);
  if (found.empty()) {
    PasswordLine line;
    line.number = file.lines.size() + 1;
    line.text = text;
    if (!file.lines.empty() && file.lines.back().ending.empty()) {
      // Keep "no final newline": the separator goes to the old last line.
      file.lines.back().ending = dominant_ending(file);
    } else {
      line.ending = dominant_ending(file);
    }
    classify(line);
    file.lines.push_back(std::move(line));
    return true;
  }
  bool changed = false;
  PasswordLine& first = file.lines[found.front()];
  if (first.text != text) {
    first.text = text;
    classify(first);
    changed = true;
  }
  for (std::size_t k = found.size(); k-- > 1;) {
    erase_line(file, found[k]);
    changed = true;
  }
  renumber(file);
  return changed;
}

bool remove_user(PasswordFile& file, std::string_view user) {
  const std::vector<std::size_t> found = find_user(file, user);
  for (std::size_t k = found.size(); k-- > 0;) erase_line(file, found[k]);
  renumber(file);
  return !found.empty();
}

}  // namespace authdiag::core
