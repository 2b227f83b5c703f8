// SPDX-License-Identifier: Apache-2.0
// htpasswd parsing and editing of core/password_file: byte-exact, exact user matching.
#include "core/password_file.hpp"

#include "cli_test_support.hpp"

#include <gtest/gtest.h>

namespace authdiag::core {
namespace {

using clitest::fixture;

TEST(PasswordFile, ParsesLikeModAuthnFile) {
  const PasswordFile file = parse_password_file(
      "# comment\n\n  alice:$apr1$x$y  \r\nbob:hash:extra\nno colon here\n#ghost:h\n   \n");
  ASSERT_EQ(file.lines.size(), 7U);
  EXPECT_EQ(file.lines[0].kind, PasswordLineKind::Comment);
  EXPECT_EQ(file.lines[1].kind, PasswordLineKind::Blank);
  EXPECT_EQ(file.lines[2].kind, PasswordLineKind::Entry);
  EXPECT_EQ(file.lines[2].user, "alice");
  EXPECT_EQ(file.lines[2].hash, "$apr1$x$y");
  EXPECT_EQ(file.lines[2].ending, "\r\n");
  EXPECT_EQ(file.lines[3].hash, "hash");  // field 3 ignored, as httpd does
  EXPECT_EQ(file.lines[4].kind, PasswordLineKind::Malformed);
  EXPECT_EQ(file.lines[5].kind, PasswordLineKind::Comment);  // Webmin's disabled user
  EXPECT_EQ(file.lines[6].kind, PasswordLineKind::Blank);
  EXPECT_EQ(malformed_lines(file), (std::vector<std::size_t>{5}));
  EXPECT_EQ(list_users(file), (std::vector<std::string>{"alice", "bob"}));
}

TEST(PasswordFile, SerializeIsByteExactForEveryFixture) {
  for (const char* name : {"cpanel.passwd", "ispconfig.htpasswd", "cyberpanel.htpasswd",
                           "aapanel_des.pass", "webmin.htpasswd", "handwritten_crlf.htpasswd",
                           "hestia.htpasswd", "bom.htpasswd", "malformed.htpasswd"}) {
    const std::string bytes = fixture(name);
    EXPECT_EQ(serialize_password_file(parse_password_file(bytes)), bytes) << name;
  }
}

TEST(PasswordFile, BomStaysPartOfTheFirstUser) {
  const PasswordFile file = parse_password_file(fixture("bom.htpasswd"));
  EXPECT_TRUE(file.has_bom);
  EXPECT_TRUE(find_user(file, "alice").empty());  // httpd: AH01618 user not found
}

TEST(PasswordFile, MatchesUsersExactlyNeverBySubstringOrCase) {
  const PasswordFile file = parse_password_file("jimbob:1\nBob:2\nbob2:3\nbob:4\nbob:5\n");
  EXPECT_EQ(find_user(file, "bob"), (std::vector<std::size_t>{3, 4}));
  PasswordFile edited = file;
  EXPECT_TRUE(remove_user(edited, "bob"));
  EXPECT_EQ(serialize_password_file(edited), "jimbob:1\nBob:2\nbob2:3\n");
  EXPECT_FALSE(remove_user(edited, "bob"));
}

TEST(PasswordFile, SetRewritesFirstEntryAndDropsDuplicates) {
  PasswordFile file = parse_password_file("# users\r\nbob:old\r\nalice:a\r\nbob:stale\r\n");
  EXPECT_TRUE(set_user_hash(file, "bob", "new"));
  EXPECT_EQ(serialize_password_file(file), "# users\r\nbob:new\r\nalice:a\r\n");
  EXPECT_FALSE(set_user_hash(file, "bob", "new"));
}

TEST(PasswordFile, AddThenRemoveRestoresTheOriginal) {
  for (const std::string& original :
       {std::string(), std::string("alice:x"), std::string("alice:x\n"),
        std::string("# c\r\nalice:x\r\n"), std::string("alice:x\n\n# trailing comment"),
        fixture("cpanel.passwd"), fixture("handwritten_crlf.htpasswd")}) {
    PasswordFile file = parse_password_file(original);
    ASSERT_TRUE(set_user_hash(file, "newuser", "$2y$10$hash"));
    const std::string added = serialize_password_file(file);
    EXPECT_EQ(find_user(parse_password_file(added), "newuser").size(), 1U);
    // The file's newline convention is kept: no final newline stays none, CRLF stays CRLF.
    if (!original.empty()) {
      EXPECT_EQ(added.back() == '\n', original.back() == '\n') << original;
    }
    if (original.find("\r\n") != std::string::npos) {
      EXPECT_NE(added.find("\r\nnewuser:$2y$10$hash"), std::string::npos);
    }
    PasswordFile removed = parse_password_file(added);
    ASSERT_TRUE(remove_user(removed, "newuser"));
    EXPECT_EQ(serialize_password_file(removed), original);
  }
}

TEST(Usernames, SpecRules) {
  EXPECT_FALSE(validate_username("alice"));
  EXPECT_FALSE(validate_username("user@example.com"));
  EXPECT_FALSE(validate_username("Zoë"));
  EXPECT_FALSE(validate_username(std::string(255, 'a')));
  EXPECT_EQ(validate_username(std::string(256, 'a')), UsernameError::TooLong);
  EXPECT_EQ(validate_username(""), UsernameError::Empty);
  EXPECT_EQ(validate_username("a:b"), UsernameError::Colon);
  EXPECT_EQ(validate_username("a b"), UsernameError::Whitespace);
  EXPECT_EQ(validate_username("a\tb"), UsernameError::Whitespace);
  EXPECT_EQ(validate_username("a\x01"), UsernameError::ControlCharacter);
  EXPECT_EQ(validate_username("a\x7f"), UsernameError::ControlCharacter);
  EXPECT_EQ(validate_username("#ghost"), UsernameError::LeadingHash);
  EXPECT_FALSE(validate_username("a#b"));
}

}  // namespace
}  // namespace authdiag::core
