// SPDX-License-Identifier: Apache-2.0
// Tokenizer, quoting, managed block and foreign-auth detection of core/htaccess.
#include "core/htaccess.hpp"

#include "cli_test_support.hpp"
#include "core/denial_record.hpp"

#include <gtest/gtest.h>

namespace authdiag::core {
namespace {

using clitest::fixture;

ProtectionSettings sample_settings() {
  ProtectionSettings settings;
  settings.realm = "Staff area";
  settings.user_file = "/etc/apache2/authdiag/users/x.htpasswd";
  return settings;
}

TEST(HtaccessTokenizer, KeepsEveryByteAndLineEnding) {
  const std::string bytes = "A b\r\n\nC \"d e\"\nlast";
  const HtaccessDocument doc = parse_htaccess(bytes);
  ASSERT_EQ(doc.lines.size(), 4U);
  EXPECT_EQ(doc.lines[0].text, "A b");
  EXPECT_EQ(doc.lines[0].ending, "\r\n");
  EXPECT_EQ(doc.lines[1].ending, "\n");
  EXPECT_EQ(doc.lines[3].text, "last");
  EXPECT_EQ(doc.lines[3].ending, "");
  EXPECT_EQ(doc.lines[2].offset, 6U);
  EXPECT_EQ(serialize_htaccess(doc), bytes);
  EXPECT_EQ(serialize_htaccess(parse_htaccess("")), "");
  EXPECT_TRUE(parse_htaccess("").lines.empty());
}

TEST(HtaccessTokenizer, DirectivesLikeHttpd) {
  const HtaccessDocument doc = parse_htaccess(
      "# comment\n"
      "  AuthName \"a \\\"q\\\" \\\\ b\"  \n"
      "AuthUserFile 'single quoted' rest\n"
      "Require user \\\n"
      "  alice bob\n"
      "<IfModule mod_auth_basic.c>\n"
      "  <Files \"x y\">\n"
      "    Require all denied\n"
      "  </Files>\n"
      "</IfModule>\n");
  ASSERT_EQ(doc.directives.size(), 8U);
  EXPECT_EQ(doc.directives[0].name, "AuthName");
  EXPECT_EQ(doc.directives[0].first_line, 2U);
  ASSERT_EQ(doc.directives[0].args.size(), 1U);
  EXPECT_EQ(doc.directives[0].args[0], "a \"q\" \\ b");
  EXPECT_EQ(doc.directives[1].args, (std::vector<std::string>{"single quoted", "rest"}));
  // A trailing backslash continues the directive on the next line.
  EXPECT_EQ(doc.directives[2].first_line, 4U);
  EXPECT_EQ(doc.directives[2].last_line, 5U);
  EXPECT_EQ(doc.directives[2].args, (std::vector<std::string>{"user", "alice", "bob"}));
  EXPECT_EQ(doc.directives[3].kind, DirectiveKind::SectionOpen);
  EXPECT_EQ(doc.directives[3].name, "IfModule");
  EXPECT_EQ(doc.directives[4].args, (std::vector<std::string>{"x y"}));
  EXPECT_EQ(doc.directives[5].sections, (std::vector<std::string>{"IfModule", "Files"}));
  EXPECT_EQ(doc.directives[6].kind, DirectiveKind::SectionClose);
  EXPECT_TRUE(doc.issues.empty());
}

TEST(HtaccessTokenizer, ReportsBomAndUnbalancedSections) {
  EXPECT_TRUE(parse_htaccess(fixture("bom.htaccess")).has_bom);
  EXPECT_FALSE(parse_htaccess("Options -Indexes\n").has_bom);
  const HtaccessDocument doc = parse_htaccess("<Files a>\n</Limit>\n</Files>\n<If x\n");
  std::vector<HtaccessIssueKind> kinds;
  for (const auto& issue : doc.issues) kinds.push_back(issue.kind);
  EXPECT_NE(std::find(kinds.begin(), kinds.end(), HtaccessIssueKind::MismatchedClose), kinds.end());
  EXPECT_NE(std::find(kinds.begin(), kinds.end(), HtaccessIssueKind::UnexpectedClose), kinds.end());
  EXPECT_NE(std::find(kinds.begin(), kinds.end(), HtaccessIssueKind::SectionWithoutClose),
            kinds.end());
}

TEST(HtaccessQuoting, RealmsRoundTripThroughHttpdParsing) {
  const QuotedResult q = quote_realm("Say \"hi\" 100%{HTTP_HOST}");
  ASSERT_FALSE(q.error);
  // The config parser turns \" into "; \% stays for the expression parser, which makes it '%'.
  EXPECT_EQ(q.quoted, "\"Say \\\"hi\\\" 100\\%{HTTP_HOST}\"");
  EXPECT_EQ(quote_realm("ends in \\").error, QuoteError::Backslash);
  EXPECT_EQ(quote_realm("a\\b").error, QuoteError::Backslash);
  EXPECT_EQ(quote_realm("line\nbreak").error, QuoteError::ControlCharacter);
  EXPECT_EQ(quote_realm("tab\there").error, QuoteError::ControlCharacter);
  EXPECT_EQ(quote_realm("").error, QuoteError::Empty);
  EXPECT_EQ(quote_realm("\xff\xfe").error, QuoteError::InvalidUtf8);
  EXPECT_FALSE(quote_realm("Zone réservée").error);
}

TEST(HtaccessQuoting, PathsAreQuotedAndAbsolute) {
  EXPECT_EQ(quote_path("/srv/a b/\"x\"\\y").quoted, "\"/srv/a b/\\\"x\\\"\\\\y\"");
  EXPECT_EQ(quote_path("relative/.htpasswd").error, QuoteError::NotAbsolute);
  EXPECT_EQ(quote_path("/a\nb").error, QuoteError::ControlCharacter);
}

TEST(ManagedBlock, RendersVersionedChecksummedBlockAtTop) {
  const HtaccessDocument doc = parse_htaccess("Options -Indexes\n");
  const std::string out =
      apply_managed_block(doc, find_managed_block(doc), sample_settings(), true);
  const std::string body =
      "AuthType Basic\nAuthName \"Staff area\"\n"
      "AuthUserFile \"/etc/apache2/authdiag/users/x.htpasswd\"\nRequire valid-user\n";
  EXPECT_EQ(out, "# BEGIN authdiag protection v1 sha256=" + sha256_hex(body) +
                     " -- managed by authdiag, do not edit\n" + body +
                     "# END authdiag protection\nOptions -Indexes\n");
}

TEST(ManagedBlock, RoundTripRestoresOriginalBytes) {
  for (const std::string name :
       {"wordpress_crlf.htaccess", "no_final_newline.htaccess", "scoped_auth.htaccess"}) {
    const std::string original = fixture(name);
    const HtaccessDocument doc = parse_htaccess(original);
    const std::string protected_bytes =
        apply_managed_block(doc, find_managed_block(doc), sample_settings(), true);
    const HtaccessDocument protected_doc = parse_htaccess(protected_bytes);
    const BlockScan scan = find_managed_block(protected_doc);
    ASSERT_TRUE(scan.block) << name;
    EXPECT_TRUE(scan.block->intact()) << name;
    EXPECT_EQ(remove_managed_block(protected_doc, scan), original) << name;
  }
}

TEST(ManagedBlock, CrlfFilesGetCrlfBlocks) {
  const HtaccessDocument doc = parse_htaccess(fixture("wordpress_crlf.htaccess"));
  const std::string out =
      apply_managed_block(doc, find_managed_block(doc), sample_settings(), true);
  const HtaccessDocument again = parse_htaccess(out);
  for (std::size_t i = 0; i < 6; ++i) EXPECT_EQ(again.lines[i].ending, "\r\n") << i;
}

TEST(ManagedBlock, ReplacesInPlaceAndReadsSettingsBack) {
  const HtaccessDocument doc = parse_htaccess("Options -Indexes\n");
  ProtectionSettings first = sample_settings();
  first.realm = "Quote \" and 50%";
  std::string bytes = apply_managed_block(doc, find_managed_block(doc), first, true);
  bytes += "ErrorDocument 404 /404.html\n";
  const HtaccessDocument with_block = parse_htaccess(bytes);
  const BlockScan scan = find_managed_block(with_block);
  ASSERT_TRUE(scan.block && scan.block->settings);
  EXPECT_EQ(scan.block->settings->realm, "Quote \" and 50%");
  EXPECT_EQ(scan.block->settings->require_kind, "valid-user");
  ProtectionSettings second = sample_settings();
  second.require_kind = "user";
  second.require_names = {"alice", "bob"};
  const std::string replaced = apply_managed_block(with_block, scan, second, true);
  EXPECT_NE(replaced.find("Require user alice bob\n"), std::string::npos);
  EXPECT_EQ(replaced.substr(replaced.size() - 45),
            "Options -Indexes\nErrorDocument 404 /404.html\n");
  const BlockScan rescanned = find_managed_block(parse_htaccess(replaced));
  ASSERT_TRUE(rescanned.block && rescanned.block->settings);
  EXPECT_EQ(rescanned.block->settings->require_names, (std::vector<std::string>{"alice", "bob"}));
}

TEST(ManagedBlock, CreatedFlagAndDrift) {
  const HtaccessDocument empty = parse_htaccess("");
  const std::string created =
      apply_managed_block(empty, find_managed_block(empty), sample_settings(), false);
  const BlockScan scan = find_managed_block(parse_htaccess(created));
  ASSERT_TRUE(scan.block);
  EXPECT_TRUE(scan.block->created_file);
  EXPECT_EQ(remove_managed_block(parse_htaccess(created), scan), "");
  std::string edited = created;
  edited.replace(edited.find("Staff"), 5, "Guest");
  const BlockScan drifted = find_managed_block(parse_htaccess(edited));
  ASSERT_TRUE(drifted.block);
  EXPECT_FALSE(drifted.block->intact());
}

TEST(ManagedBlock, BrokenMarkersAreErrors) {
  const std::string begin =
      "# BEGIN authdiag protection v1 sha256=" + std::string(64, 'a') + " -- managed\n";
  EXPECT_EQ(find_managed_block(parse_htaccess(begin + "AuthType Basic\n")).error,
            BlockScanError::Unterminated);
  EXPECT_EQ(find_managed_block(parse_htaccess("# END authdiag protection\n")).error,
            BlockScanError::UnexpectedEnd);
  EXPECT_EQ(find_managed_block(parse_htaccess(begin + begin)).error, BlockScanError::Nested);
  const std::string block = begin + "# END authdiag protection\n";
  EXPECT_EQ(find_managed_block(parse_htaccess(block + block)).error, BlockScanError::Multiple);
  EXPECT_EQ(
      find_managed_block(parse_htaccess("# BEGIN authdiag protection v9 sha256=" +
                                        std::string(64, 'a') + "\n# END authdiag protection\n"))
          .error,
      BlockScanError::BadMarker);
}

struct PanelCase {
  const char* fixture;
  Panel panel;
};

class ForeignAuthByPanel : public testing::TestWithParam<PanelCase> {};

TEST_P(ForeignAuthByPanel, DetectsAndRemovesThePanelLines) {
  const std::string bytes = fixture(GetParam().fixture);
  const HtaccessDocument doc = parse_htaccess(bytes);
  const ForeignAuth foreign = find_foreign_auth(doc, find_managed_block(doc));
  EXPECT_EQ(foreign.panel, GetParam().panel);
  ASSERT_FALSE(foreign.regions.empty());
  const std::string stripped = remove_foreign_regions(doc, foreign);
  const HtaccessDocument after = parse_htaccess(stripped);
  EXPECT_TRUE(find_foreign_auth(after, find_managed_block(after)).regions.empty()) << stripped;
  for (const auto& directive : after.directives) {
    EXPECT_NE(directive.name.rfind("Auth", 0), 0U) << directive.name;
  }
  EXPECT_EQ(stripped.find("cp:ppd"), std::string::npos);
  EXPECT_EQ(stripped.find("ISPConfig"), std::string::npos);
  EXPECT_EQ(stripped.find("PASSWORD PROTECTION"), std::string::npos);
  EXPECT_EQ(stripped.find("#AUTH_"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, ForeignAuthByPanel,
                         testing::Values(PanelCase{"cpanel.htaccess", Panel::Cpanel},
                                         PanelCase{"cpanel_legacy.htaccess", Panel::Manual},
                                         PanelCase{"ispconfig.htaccess", Panel::Ispconfig},
                                         PanelCase{"webmin.htaccess", Panel::Manual},
                                         PanelCase{"cyberpanel.htaccess", Panel::Cyberpanel},
                                         PanelCase{"aapanel.htaccess", Panel::Aapanel},
                                         PanelCase{"handwritten.htaccess", Panel::Manual},
                                         PanelCase{"require_all_granted.htaccess", Panel::Manual}));

TEST(ForeignAuth, KeepsNonAuthLinesAndReadsAdoptableSettings) {
  const HtaccessDocument doc = parse_htaccess(fixture("cpanel.htaccess"));
  const ForeignAuth foreign = find_foreign_auth(doc, find_managed_block(doc));
  ASSERT_EQ(foreign.regions.size(), 1U);
  EXPECT_EQ(foreign.regions[0].first_line, 7U);
  EXPECT_EQ(foreign.regions[0].last_line, 17U);
  EXPECT_EQ(foreign.realm, "Protected 'public_html/dir'");
  EXPECT_EQ(foreign.user_file, "/home/USER/.htpasswds/public_html/dir/passwd");
  const std::string stripped = remove_foreign_regions(doc, foreign);
  EXPECT_NE(stripped.find("AddHandler application/x-httpd-ea-php81"), std::string::npos);
}

TEST(ForeignAuth, ScopedAccessRulesAreNotForeignButScopedAuthIs) {
  const HtaccessDocument wp = parse_htaccess(fixture("wordpress_crlf.htaccess"));
  EXPECT_TRUE(find_foreign_auth(wp, find_managed_block(wp)).regions.empty());
  const HtaccessDocument scoped = parse_htaccess(fixture("scoped_auth.htaccess"));
  const ForeignAuth foreign = find_foreign_auth(scoped, find_managed_block(scoped));
  ASSERT_EQ(foreign.regions.size(), 4U);
  for (const auto& region : foreign.regions) EXPECT_TRUE(region.scoped);
  // Scoped regions are never removed.
  EXPECT_EQ(remove_foreign_regions(scoped, foreign), fixture("scoped_auth.htaccess"));
}

TEST(ForeignAuth, OwnBlockIsNotForeign) {
  const HtaccessDocument doc = parse_htaccess("Options -Indexes\n");
  const std::string out =
      apply_managed_block(doc, find_managed_block(doc), sample_settings(), true);
  const HtaccessDocument with_block = parse_htaccess(out);
  EXPECT_TRUE(find_foreign_auth(with_block, find_managed_block(with_block)).regions.empty());
}

TEST(ForeignAuth, RequireSectionsAndSatisfy) {
  const HtaccessDocument doc = parse_htaccess(
      "<RequireAny>\n  Require ip 10.0.0.0/8\n  Require valid-user\n"
      "</RequireAny>\nSatisfy Any\n");
  const ForeignAuth foreign = find_foreign_auth(doc, find_managed_block(doc));
  ASSERT_EQ(foreign.regions.size(), 2U);
  EXPECT_EQ(foreign.regions[0].first_line, 1U);
  EXPECT_EQ(foreign.regions[0].last_line, 4U);
  EXPECT_EQ(foreign.regions[1].first_line, 5U);
}

TEST(ForeignAuth, DirectivesWithoutTheirLines) {
  // Callers may hand over directives of a server config section without its lines.
  HtaccessDocument doc = parse_htaccess("\n\n\n\nAuthType Basic\nRequire valid-user\n");
  doc.lines.clear();
  const ForeignAuth foreign = find_foreign_auth(doc, BlockScan{});
  ASSERT_EQ(foreign.regions.size(), 2U);
  EXPECT_EQ(foreign.regions[1].first_line, 6U);
  EXPECT_EQ(remove_foreign_regions(doc, foreign), "");
}

TEST(Panels, NamesRoundTrip) {
  for (const Panel panel :
       {Panel::Manual, Panel::Cpanel, Panel::Ispconfig, Panel::Cyberpanel, Panel::Aapanel}) {
    EXPECT_EQ(panel_from_name(panel_name(panel)), panel);
  }
  EXPECT_EQ(panel_from_name("Webmin"), Panel::Manual);
  EXPECT_FALSE(panel_from_name("plesk"));
}

TEST(RequireNames, RejectsWhatCannotBeWrittenSafely) {
  EXPECT_TRUE(is_safe_require_name("alice"));
  EXPECT_TRUE(is_safe_require_name("user@example.com"));
  EXPECT_FALSE(is_safe_require_name("a\"b"));
  EXPECT_FALSE(is_safe_require_name("%{REMOTE_USER}"));
  EXPECT_FALSE(is_safe_require_name("a b"));
  EXPECT_FALSE(is_safe_require_name("back\\slash"));
}

}  // namespace
}  // namespace authdiag::core
