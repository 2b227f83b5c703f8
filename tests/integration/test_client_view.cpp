// SPDX-License-Identifier: Apache-2.0
// What the client sees (IIS errorMode semantics): the detailed page and problem+json for trusted
// clients, the stock response for everyone else and in Custom mode (compared byte for byte with
// a server without the module), ErrorDocument precedence, HEAD.
#include "integration_test.hpp"

#include <regex>

namespace authdiag::itest {
namespace {

const std::string kErrorDocument = "<html><body><h1>Members only</h1></body></html>\n";

class ClientView : public IntegrationTest {
 protected:
  // Start (or reuse) the server first: fixtures such as the users exist only afterwards.
  void SetUp() override { httpd(); }

  static StandardUsers& users() {
    static StandardUsers u;
    return u;
  }
  static std::string& site_text() {
    static std::string text;
    return text;
  }

  static HttpdServer& httpd() {
    ServerOptions options;
    options.server_directives =
        "<IfModule authdiag_module>\n  AuthDiagTrustedClients 127.0.0.1/32\n</IfModule>";
    return shared_server("client-view", options, [](HttpdServer& s) {
      users() = StandardUsers::create(s.root() / "auth");
      const auto& u = users();
      Site site(s.htdocs(), s.conf_path());
      auto mode = [](const char* m) {
        return std::string("  <IfModule authdiag_module>\n    AuthDiagErrorMode ") + m +
               "\n  </IfModule>";
      };
      site.area("basic", Scope::Htaccess, basic_auth_block(u.user_file));
      site.area("custom", Scope::Htaccess, basic_auth_block(u.user_file), mode("Custom"));
      site.area("detailed", Scope::Htaccess, basic_auth_block(u.user_file), mode("Detailed"));
      site.area("errdoc", Scope::Htaccess, basic_auth_block(u.user_file),
                "  ErrorDocument 401 /errors/err401.html");
      site.file("errors/err401.html", kErrorDocument);
      site_text() = site.text();
      return site_text();
    });
  }

  // The same site served by httpd without mod_authdiag.
  static HttpdServer& stock() {
    HttpdServer& with_module = httpd();
    ServerOptions options;
    options.with_authdiag = false;
    options.document_root = with_module.htdocs();
    return shared_server("client-view-stock", options, [](HttpdServer&) { return site_text(); });
  }

  Exchange get(HttpdServer& server, const std::string& target, const std::string& authorization,
               const std::string& source = {}, const std::string& method = "GET",
               const std::vector<std::pair<std::string, std::string>>& extra = {}) {
    HttpRequest request{method, target, {}, {}};
    if (!authorization.empty()) request.with("Authorization", authorization);
    for (const auto& [n, v] : extra) request.with(n, v);
    ClientOptions client;
    client.source_address = source;
    return fetch(server, request, client);
  }

  static std::string without_charset(std::string challenge) {
    const std::string param = R"(, charset="UTF-8")";
    if (const auto pos = challenge.find(param); pos != std::string::npos) {
      challenge.erase(pos, param.size());
    }
    return challenge;
  }

  // Referer differs between the two requests but is not echoed; everything else must match.
  void expect_stock_view(const std::string& target, const std::string& authorization,
                         const std::string& source, const std::string& method = "GET") {
    SCOPED_TRACE(method + " " + target + " from " + (source.empty() ? "127.0.0.1" : source));
    const Exchange ours = get(httpd(), target, authorization, source, method);
    const Exchange theirs = get(stock(), target, authorization, source, method);
    ASSERT_TRUE(ours.transport_error.empty()) << ours.describe();
    ASSERT_TRUE(theirs.transport_error.empty()) << theirs.describe();
    expect_same_response(ours.response, theirs.response, without_charset);
    for (const auto& value : ours.response.values("WWW-Authenticate")) {
      EXPECT_TRUE(contains(value, R"(charset="UTF-8")")) << "the challenge fix still applies";
    }
    for (const auto& [name, value] : ours.response.headers) {
      EXPECT_FALSE(to_lower(name).starts_with("authdiag-")) << name << ": " << value;
    }
    // The logs still classify the denial.
    ASSERT_TRUE(ours.access.has_value());
    EXPECT_NE(ours.access->authdiag_reason, "-");
    EXPECT_EQ(ours.json_lines.size(), 1u) << ours.describe();
  }

  static std::string decode_entities(const std::string& html) {
    std::string out;
    for (std::size_t i = 0; i < html.size(); ++i) {
      if (html[i] != '&') {
        out += html[i];
        continue;
      }
      const auto semi = html.find(';', i);
      if (semi == std::string::npos || semi - i > 10) {
        out += html[i];
        continue;
      }
      const std::string entity = html.substr(i + 1, semi - i - 1);
      std::string replacement;
      if (entity == "amp") replacement = "&";
      if (entity == "lt") replacement = "<";
      if (entity == "gt") replacement = ">";
      if (entity == "quot") replacement = "\"";
      if (entity == "apos") replacement = "'";
      if (entity.size() > 1 && entity[0] == '#') {
        const bool hex = entity[1] == 'x' || entity[1] == 'X';
        const unsigned long cp = std::stoul(entity.substr(hex ? 2 : 1), nullptr, hex ? 16 : 10);
        if (cp < 0x80) replacement = std::string(1, static_cast<char>(cp));
      }
      if (replacement.empty()) {
        out += html[i];
        continue;
      }
      out += replacement;
      i = semi;
    }
    return out;
  }
};

TEST_F(ClientView, TrustedClientGetsTheDetailedPage) {
  const User& alice = users().alice;
  const std::string sent = "Wrong-alice-3";
  const Exchange ex = get(httpd(), "/basic/", basic_credentials(alice.name, sent));
  ExpectedDenial e;
  e.substatus = "401.1";
  e.reason = "password_mismatch";
  e.fields["user"] = "alice";
  expect_denial(ex, e);
  expect_no_secrets(ex, {sent, alice.password, alice.stored, base64_encode("alice:" + sent)});

  const auto type = ex.response.header("Content-Type");
  ASSERT_TRUE(type.has_value());
  EXPECT_TRUE(type->starts_with("text/html")) << *type;
  const std::string page = decode_entities(ex.response.body);
  EXPECT_TRUE(std::regex_search(page, std::regex(R"(<title>[^<]*HTTP Error 401\.1[^<]*</title>)")))
      << page;
  EXPECT_TRUE(contains(page, "password_mismatch")) << page;
  for (const std::string& fact :
       std::vector<std::string>{"Members", "Basic", "alice", users().user_file.string()}) {
    EXPECT_TRUE(contains(page, fact)) << "detail page lacks " << fact << "\n" << page;
  }
  ASSERT_TRUE(ex.access.has_value());
  EXPECT_TRUE(contains(page, ex.access->unique_id)) << "request id missing\n" << page;
  if (const auto record = single_record(ex)) {
    const auto hint = record->string_member("hint");
    ASSERT_TRUE(hint.has_value() && !hint->empty()) << "record without hint: " << record->dump();
    EXPECT_TRUE(contains(page, *hint)) << "the page shows the hint \"" << *hint << "\"\n" << page;
  }
}

TEST_F(ClientView, ProblemJsonWhenPreferred) {
  const User& alice = users().alice;
  const std::string sent = "Wrong-alice-4";
  const Exchange ex = get(httpd(), "/basic/", basic_credentials(alice.name, sent), {}, "GET",
                          {{"Accept", "application/problem+json"}});
  EXPECT_EQ(ex.response.status, 401);
  EXPECT_EQ(ex.response.values("AuthDiag-Substatus"), std::vector<std::string>{"401.1"});
  EXPECT_EQ(ex.response.values("WWW-Authenticate"),
            std::vector<std::string>{R"(Basic realm="Members", charset="UTF-8")"});
  const auto type = ex.response.header("Content-Type");
  ASSERT_TRUE(type.has_value());
  EXPECT_EQ(type->substr(0, type->find(';')), "application/problem+json");
  expect_no_secrets(ex, {sent, alice.password, alice.stored, base64_encode("alice:" + sent)});
  Json problem;
  try {
    problem = parse_json(ex.response.body);
  } catch (const std::exception& err) {
    FAIL() << err.what() << "\n" << printable(ex.response.body);
  }
  ASSERT_TRUE(problem.is_object()) << ex.response.body;
  for (const char* key : {"type", "title", "detail", "instance"}) {
    const auto value = problem.string_member(key);
    EXPECT_TRUE(value.has_value() && !value->empty()) << key << " in " << problem.dump();
  }
  const Json* status = problem.find("status");
  EXPECT_TRUE(status != nullptr && status->is_number() && status->as_number() == 401)
      << problem.dump();
  EXPECT_EQ(problem.string_member("substatus"), "401.1");
  EXPECT_EQ(problem.string_member("reason"), "password_mismatch");
  ASSERT_TRUE(ex.access.has_value());
  EXPECT_EQ(problem.string_member("request_id"), ex.access->unique_id);
  const Json* hints = problem.find("hints");
  ASSERT_TRUE(hints != nullptr && hints->is_array() && !hints->as_array().empty())
      << problem.dump();
  for (const auto& h : hints->as_array()) EXPECT_TRUE(h.is_string()) << problem.dump();

  // A browser's Accept header still gets HTML.
  const Exchange html = get(httpd(), "/basic/", basic_credentials(alice.name, sent), {}, "GET",
                            {{"Accept", "text/html,application/xhtml+xml,*/*;q=0.8"}});
  EXPECT_TRUE(html.response.header("Content-Type").value_or("").starts_with("text/html"));
}

TEST_F(ClientView, CustomModeIsTheStockResponse) {
  expect_stock_view("/custom/", "", "");
  expect_stock_view("/custom/", basic_credentials("alice", "Wrong-pw-5"), "");
  expect_stock_view("/custom/", basic_credentials("mallory", "Wrong-pw-5"), "");
}

TEST_F(ClientView, UntrustedClientGetsTheStockResponse) {
  expect_stock_view("/basic/", "", "127.0.0.2");
  expect_stock_view("/basic/", basic_credentials("alice", "Wrong-pw-6"), "127.0.0.2");
  expect_stock_view("/basic/", basic_credentials("mallory", "Wrong-pw-6"), "127.0.0.2");
  const Exchange ex =
      get(httpd(), "/basic/", basic_credentials("alice", "Wrong-pw-6"), "127.0.0.2");
  ExpectedDenial e;
  e.substatus = "401.1";
  e.reason = "password_mismatch";
  e.detailed_headers = false;
  e.fields["user"] = "alice";
  expect_denial(ex, e);
}

TEST_F(ClientView, DetailedModeShowsDetailsToEveryone) {
  const Exchange ex =
      get(httpd(), "/detailed/", basic_credentials("alice", "Wrong-pw-7"), "127.0.0.2");
  ExpectedDenial e;
  e.substatus = "401.1";
  e.reason = "password_mismatch";
  e.fields["user"] = "alice";
  expect_denial(ex, e);
  EXPECT_TRUE(std::regex_search(ex.response.body, std::regex(R"(<title>[^<]*HTTP Error 401\.1)")))
      << ex.response.body;
}

TEST_F(ClientView, ErrorDocumentKeepsPrecedence) {
  const Exchange ex = get(httpd(), "/errdoc/", basic_credentials("alice", "Wrong-pw-8"));
  ExpectedDenial e;
  e.substatus = "401.1";
  e.reason = "password_mismatch";
  e.fields["user"] = "alice";
  expect_denial(ex, e);
  EXPECT_EQ(ex.response.body, kErrorDocument);
  ASSERT_TRUE(ex.access.has_value());
  EXPECT_EQ(ex.access->redirect_status, "401") << "the ErrorDocument was served internally";
  const Exchange theirs = get(stock(), "/errdoc/", basic_credentials("alice", "Wrong-pw-8"));
  EXPECT_EQ(ex.response.body, theirs.response.body);
  EXPECT_EQ(ex.response.header("Content-Type"), theirs.response.header("Content-Type"));
}

TEST_F(ClientView, ErrorDocumentForUntrustedClientIsStock) {
  expect_stock_view("/errdoc/", basic_credentials("alice", "Wrong-pw-9"), "127.0.0.2");
}

TEST_F(ClientView, HeadRequests) {
  const Exchange ex =
      get(httpd(), "/basic/", basic_credentials("alice", "Wrong-pw-10"), {}, "HEAD");
  ExpectedDenial e;
  e.substatus = "401.1";
  e.reason = "password_mismatch";
  e.fields["user"] = "alice";
  expect_denial(ex, e);
  EXPECT_TRUE(ex.response.body.empty());
  EXPECT_EQ(ex.response.raw.size(), ex.response.header_block().size() + 4)
      << "no body bytes after the header block";
  expect_stock_view("/basic/", basic_credentials("alice", "Wrong-pw-10"), "127.0.0.2", "HEAD");
  expect_stock_view("/custom/", "", "", "HEAD");
}

}  // namespace
}  // namespace authdiag::itest
