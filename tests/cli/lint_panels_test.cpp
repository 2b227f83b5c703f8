// SPDX-License-Identifier: Apache-2.0
// `authdiag lint` over what each hosting panel writes (hosting-panels.md §1), read together with
// a Debian-style server config. The expected findings follow from the panel's format: cPanel
// 0644 users file, ISPConfig .htpasswd in the docroot with $6$, CyberPanel $2b$ on the docroot,
// Webmin $1$/{SHA}/$y$ and its temp files, Virtualmin's htusers with 2.2 "deny from all",
// Webmin's "Un-Protect" leftovers, and the vhost includes of HestiaCP (DES), aaPanel (renamed
// user) and Plesk.
#include "lint_test_support.hpp"

#include <gtest/gtest.h>

namespace authdiag::clitest {
namespace {

struct PanelCase {
  const char* panel;
  std::set<std::string> expected_ids;
  int expected_exit;
  // A finding that must point at this file (relative to the root) and line.
  const char* located_id;
  const char* located_file;
  std::size_t located_line;
};

class LintPanels : public ::testing::TestWithParam<PanelCase> {};

TEST_P(LintPanels, FindsWhatThePanelFormatImplies) {
  const PanelCase& tc = GetParam();
  LintRoot root(std::string("lint-panel-") + tc.panel);
  install_tree(std::string("panels/") + tc.panel, root.root(), root.root());
  RunResult run =
      run_authdiag({"lint", root.site(), "--recursive", "--server-config", root.conf(), "--json"});
  auto findings = findings_of(run);
  EXPECT_EQ(ids_of(findings), tc.expected_ids) << describe(run);
  EXPECT_EQ(run.exit_code, tc.expected_exit) << describe(run);
  auto located = with_id(findings, tc.located_id);
  ASSERT_FALSE(located.empty()) << describe(run);
  EXPECT_EQ(located.front().file, (root.root() / tc.located_file).string());
  EXPECT_EQ(located.front().line, tc.located_line);
  auto json = run.json();
  ASSERT_TRUE(json.has_value());
  EXPECT_EQ(json_bool(*json, "server_config.read"), true);
}

// Every users file is installed 0644, so AD-L014 (world-readable) is expected throughout.
INSTANTIATE_TEST_SUITE_P(
    Panels, LintPanels,
    ::testing::Values(
        PanelCase{"cpanel", {"AD-L033", "AD-L014"}, 0, "AD-L033", "www/site/priv/.htaccess", 7},
        PanelCase{"ispconfig",
                  {"AD-L033", "AD-L013", "AD-L025", "AD-L014"},
                  0,
                  "AD-L025",
                  "www/site/members/.htpasswd",
                  1},
        PanelCase{"cyberpanel",
                  {"AD-L033", "AD-L025", "AD-L014", "AD-L029"},
                  0,
                  "AD-L029",
                  "www/site/.htaccess",
                  15},
        PanelCase{"webmin",
                  {"AD-L013", "AD-L022", "AD-L025", "AD-L014", "AD-L031"},
                  0,
                  "AD-L022",
                  "www/site/private/.htpasswd",
                  3},
        PanelCase{"virtualmin",
                  {"AD-L013", "AD-L027", "AD-L014"},
                  20,
                  "AD-L027",
                  "www/site/secret/.htaccess",
                  6},
        PanelCase{"webmin_unprotected",
                  {"AD-L004", "AD-L013", "AD-L014"},
                  0,
                  "AD-L004",
                  "www/site/old/.htaccess",
                  1},
        PanelCase{"hestia",
                  {"AD-L021", "AD-L025", "AD-L014", "AD-L029"},
                  0,
                  "AD-L029",
                  "etc/apache2/conf-enabled/hestia-site.conf",
                  5},
        PanelCase{"aapanel",
                  {"AD-L019", "AD-L021", "AD-L025", "AD-L014"},
                  20,
                  "AD-L019",
                  "etc/apache2/conf-enabled/aapanel-admin.conf",
                  6},
        PanelCase{"plesk", {"AD-L014"}, 0, "AD-L014", "pd/d..httpdocs@pd-protected", 0}),
    [](const ::testing::TestParamInfo<PanelCase>& param) {
      return std::string(param.param.panel);
    });

}  // namespace
}  // namespace authdiag::clitest
