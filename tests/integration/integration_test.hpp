// SPDX-License-Identifier: Apache-2.0
// GoogleTest base for tests against a running httpd: shared servers per test suite, one request
// with everything it left in the logs, and the assertions every denial must satisfy.
#pragma once

#include "fixtures.hpp"
#include "http_client.hpp"
#include "httpd_server.hpp"
#include "log_parsers.hpp"
#include "support/json.hpp"

#include <functional>
#include <gtest/gtest.h>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace authdiag::itest {

using test_json::Json;
using test_json::parse_json;

// One request and what it left behind in the server's logs.
struct Exchange {
  HttpResponse response;
  std::string transport_error;  // set when no response arrived (e.g. the child died)
  std::string marker;           // sent as Referer, logged in the access log
  std::string client_ip = "127.0.0.1";
  std::string path;  // request path without the query string
  std::optional<AccessRecord> access;
  std::string error_text;   // bytes the request added to the error log
  std::string access_text;  // ... to the access log
  std::string json_text;    // ... to the AuthDiagLog file
  std::vector<ErrorLogLine> error_lines;
  std::vector<std::string> json_lines;

  std::vector<ErrorLogLine> lines_of(std::string_view module) const;
  std::string all_logs() const { return error_text + access_text + json_text; }
  std::string describe() const;  // response head and log deltas, for failure messages
};

struct ExpectedDenial {
  int status = 401;
  std::string substatus;  // "401.1"; empty for a configuration error answered with 500
  std::string reason;
  bool detailed_headers = true;  // AuthDiag-Substatus/-Reason expected on the response
  std::string level = "warn";    // error-log level of the module's line
  // JSON members expected with exactly this string value (user, realm, auth_type, user_file,
  // hash_scheme, requirement, config_file, ...).
  std::map<std::string, std::string> fields;
  std::vector<std::string> absent;     // JSON members that must not be present (no faked facts)
  std::vector<std::string> providers;  // expected `providers`, in order (empty: not checked)
  std::optional<bool> repaired;
  bool challenge_expected = true;  // a 401 must carry a challenge
};

class IntegrationTest : public ::testing::Test {
 public:
  // Stops every shared server; AddressSanitizer reports and crashed children fail the suite.
  static void TearDownTestSuite();

 protected:
  void TearDown() override;

  // The server registered under `key`, started on first use: `setup` writes the fixtures and
  // returns the site configuration. Throws (failing the test) if it cannot start; later calls
  // rethrow the same failure without retrying.
  static HttpdServer& shared_server(const std::string& key, const ServerOptions& options,
                                    const std::function<std::string(HttpdServer&)>& setup);

  // Lines matching `regex` in the error log are expected during this test: the after-test scan
  // for [authdiag:error], [core:alert] and crashed children ignores them.
  void allow_in_error_log(const std::string& regex);

  Exchange fetch(HttpdServer& server, HttpRequest request, const ClientOptions& client = {});
  // HTTP/2 cleartext with prior knowledge, through curl.
  Exchange fetch_h2(HttpdServer& server, const std::string& target,
                    const std::vector<std::pair<std::string, std::string>>& headers);

 private:
  std::vector<std::string> allowed_;
};

// Status, AuthDiag-* headers, the access-log env vars, exactly one JSON record and exactly one
// error-log line of module authdiag, all consistent with `expected`.
void expect_denial(const Exchange& ex, const ExpectedDenial& expected);

// None of `secrets` appears in the response or in anything the request added to any log.
void expect_no_secrets(const Exchange& ex, const std::vector<std::string>& secrets);

// The module left no trace: no AuthDiag-* headers, no authdiag error-log line, no JSON record,
// AUTHDIAG_* env vars unset.
void expect_not_diagnosed(const Exchange& ex);

// The one JSON record of the exchange (test fails and nullopt otherwise).
std::optional<Json> single_record(const Exchange& ex);
// The one error-log line of module authdiag, parsed into logfmt fields after the message id.
std::optional<std::vector<LogfmtField>> single_log_fields(const Exchange& ex);

// Number of Basic challenges across all WWW-Authenticate fields.
std::size_t count_basic_challenges(const HttpResponse& response);

// Response equality for transparency checks: status line, header fields in order (Date
// ignored; WWW-Authenticate compared through `normalize_challenge`) and body. For streamed
// handler output (CGI) stock httpd itself picks Content-Length or chunked by timing;
// `streamed` leaves those two fields out of the comparison.
void expect_same_response(const HttpResponse& actual, const HttpResponse& stock,
                          const std::function<std::string(std::string)>& normalize_challenge,
                          bool streamed = false);

std::string request_path(const std::string& target);

}  // namespace authdiag::itest
