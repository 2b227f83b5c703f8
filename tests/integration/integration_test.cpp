// SPDX-License-Identifier: Apache-2.0
// Shared servers, request/log correlation and the common denial assertions.
#include "integration_test.hpp"

#include <regex>
#include <sstream>

namespace authdiag::itest {

namespace {

struct SharedServer {
  std::unique_ptr<HttpdServer> server;
  std::string failure;      // start failure, rethrown on every later use
  std::size_t scanned = 0;  // error-log bytes already checked by the after-test scan
};

std::map<std::string, SharedServer>& registry() {
  static std::map<std::string, SharedServer> servers;
  return servers;
}

// reason -> message id seen first; a reason must keep its id ("stable message id").
std::map<std::string, std::string>& message_ids() {
  static std::map<std::string, std::string> ids;
  return ids;
}

bool unexpected_line(const std::string& line, const std::vector<std::string>& allowed) {
  static const std::regex kSuspicious(R"(\[authdiag:error\]|\[core:alert\])");
  const bool suspicious = std::regex_search(line, kSuspicious) || !crash_lines(line).empty();
  if (!suspicious) return false;
  for (const auto& pattern : allowed) {
    if (std::regex_search(line, std::regex(pattern))) return false;
  }
  return true;
}

std::string json_field_text(const Json& record, const std::string& key) {
  const Json* v = record.find(key);
  return v == nullptr ? "(absent)" : v->dump();
}

std::vector<std::string> providers_of(const Json& record) {
  std::vector<std::string> out;
  const Json* v = record.find("providers");
  if (v == nullptr) return out;
  if (v->is_array()) {
    for (const auto& item : v->as_array()) out.push_back(item.is_string() ? item.as_string() : "?");
  } else if (v->is_string()) {
    // "file,dbm" or "file, dbm"
    std::string current;
    for (const char c : v->as_string() + ",") {
      if (c == ',') {
        if (!current.empty()) out.push_back(current);
        current.clear();
      } else if (c != ' ') {
        current += c;
      }
    }
  }
  return out;
}

}  // namespace

std::vector<ErrorLogLine> Exchange::lines_of(std::string_view module) const {
  std::vector<ErrorLogLine> out;
  for (const auto& line : error_lines) {
    if (line.module == module) out.push_back(line);
  }
  return out;
}

std::string Exchange::describe() const {
  std::ostringstream out;
  out << "--- response (" << (transport_error.empty() ? "ok" : transport_error) << ")\n"
      << printable(response.raw, 3000) << "\n--- error_log delta\n"
      << printable(error_text, 3000) << "\n--- AuthDiagLog delta\n"
      << printable(json_text, 5000) << "\n--- access_log delta\n"
      << printable(access_text, 1000) << "\n";
  return out.str();
}

HttpdServer& IntegrationTest::shared_server(const std::string& key, const ServerOptions& options,
                                            const std::function<std::string(HttpdServer&)>& setup) {
  auto& entry = registry()[key];
  if (!entry.failure.empty()) throw std::runtime_error(entry.failure);
  if (entry.server) return *entry.server;
  try {
    entry.server = std::make_unique<HttpdServer>(key, options);
    const std::string site = setup(*entry.server);
    entry.server->start(site);
  } catch (const std::exception& e) {
    entry.failure = std::string("server ") + key + " unavailable: " + e.what();
    throw std::runtime_error(entry.failure);
  }
  return *entry.server;
}

void IntegrationTest::allow_in_error_log(const std::string& regex) { allowed_.push_back(regex); }

void IntegrationTest::TearDown() {
  for (auto& [key, entry] : registry()) {
    if (!entry.server) continue;
    // Give the parent a moment to notice and log a child that died after answering.
    sleep_ms(20);
    const std::string text = read_file_from(entry.server->error_log(), entry.scanned);
    entry.scanned += text.size();
    for (const auto& line : split_lines(text)) {
      if (unexpected_line(line, allowed_)) {
        ADD_FAILURE() << "unexpected error-log line on server " << key << ": " << printable(line);
      }
    }
  }
  allowed_.clear();
}

void IntegrationTest::TearDownTestSuite() {
  for (auto& [key, entry] : registry()) {
    if (!entry.server) continue;
    std::vector<std::string> problems;
    try {
      problems = entry.server->stop();
    } catch (const std::exception& e) {
      problems.push_back(std::string("stop failed: ") + e.what());
    }
    for (const auto& p : problems) ADD_FAILURE() << "server " << key << ": " << p;
    const std::string rest = read_file_from(entry.server->error_log(), entry.scanned);
    for (const auto& line : crash_lines(rest)) {
      ADD_FAILURE() << "server " << key << " error log after the last test: " << printable(line);
    }
  }
  registry().clear();
}

std::string request_path(const std::string& target) { return target.substr(0, target.find('?')); }

namespace {

struct Offsets {
  std::size_t error;
  std::size_t access;
  std::size_t json;
};

Offsets offsets_of(const HttpdServer& s) {
  return {file_size_or_zero(s.error_log()), file_size_or_zero(s.access_log()),
          file_size_or_zero(s.json_log())};
}

void collect_logs(const HttpdServer& s, const Offsets& before, bool denial_likely, Exchange& ex) {
  const std::string needle = ex.marker + "\t";
  wait_until([&] { return contains(read_file_from(s.access_log(), before.access), needle); }, 5000);
  if (denial_likely && s.options().with_authdiag) {
    wait_until([&] { return !read_file_from(s.json_log(), before.json).empty(); }, 300);
  }
  // A record must be complete: wait for the line end.
  wait_until(
      [&] {
        const std::string j = read_file_from(s.json_log(), before.json);
        return j.empty() || j.back() == '\n';
      },
      2000);
  ex.error_text = read_file_from(s.error_log(), before.error);
  ex.access_text = read_file_from(s.access_log(), before.access);
  ex.json_text = read_file_from(s.json_log(), before.json);
  ex.error_lines = parse_error_log(ex.error_text);
  for (auto& line : split_lines(ex.json_text)) ex.json_lines.push_back(line);
  for (const auto& line : split_lines(ex.access_text)) {
    if (line.starts_with(needle)) ex.access = parse_access_line(line);
  }
}

}  // namespace

Exchange IntegrationTest::fetch(HttpdServer& server, HttpRequest request,
                                const ClientOptions& client) {
  Exchange ex;
  ex.marker = unique_token("t");
  if (!client.source_address.empty()) ex.client_ip = client.source_address;
  ex.path = request_path(request.target);
  request.with("Referer", ex.marker);
  const Offsets before = offsets_of(server);
  try {
    ex.response = http_send(server.port(), request, client);
  } catch (const std::exception& e) {
    ex.transport_error = e.what();
  }
  collect_logs(server, before, ex.response.status >= 400 || ex.response.status == 0, ex);
  return ex;
}

Exchange IntegrationTest::fetch_h2(
    HttpdServer& server, const std::string& target,
    const std::vector<std::pair<std::string, std::string>>& headers) {
  Exchange ex;
  ex.marker = unique_token("t");
  ex.path = request_path(target);
  const fs::path head_file = server.root() / "logs" / (ex.marker + ".h2head");
  const fs::path body_file = server.root() / "logs" / (ex.marker + ".h2body");
  std::vector<std::string> argv = {"curl",
                                   "-sS",
                                   "--http2-prior-knowledge",
                                   "--max-time",
                                   "15",
                                   "-D",
                                   head_file.string(),
                                   "-o",
                                   body_file.string(),
                                   "-H",
                                   "Referer: " + ex.marker};
  for (const auto& [n, v] : headers) {
    argv.push_back("-H");
    argv.push_back(n + ": " + v);
  }
  argv.push_back("http://127.0.0.1:" + std::to_string(server.port()) + target);
  const Offsets before = offsets_of(server);
  const CommandResult r = run_command(argv);
  if (r.exit_code != 0) {
    ex.transport_error = "curl exited " + std::to_string(r.exit_code) + ": " + r.output;
  } else {
    const std::string head = read_file(head_file);
    ex.response.raw = head + read_file(body_file);
    ex.response.body = read_file(body_file);
    const auto lines = split_lines(head);
    if (!lines.empty()) {
      std::istringstream status_line(lines[0]);
      status_line >> ex.response.version >> ex.response.status;
    }
    for (std::size_t i = 1; i < lines.size(); ++i) {
      std::string line = lines[i];
      if (!line.empty() && line.back() == '\r') line.pop_back();
      const auto colon = line.find(':');
      if (line.empty() || colon == std::string::npos) continue;
      std::string value = line.substr(colon + 1);
      value.erase(0, value.find_first_not_of(' '));
      ex.response.headers.emplace_back(line.substr(0, colon), value);
    }
  }
  collect_logs(server, before, ex.response.status >= 400 || ex.response.status == 0, ex);
  return ex;
}

std::size_t count_basic_challenges(const HttpResponse& response) {
  static const std::regex kBasic(R"((^|,)\s*basic(\s|$))");
  std::size_t count = 0;
  for (const auto& value : response.values("WWW-Authenticate")) {
    const std::string lower = to_lower(value);
    count += static_cast<std::size_t>(std::distance(
        std::sregex_iterator(lower.begin(), lower.end(), kBasic), std::sregex_iterator()));
  }
  return count;
}

std::optional<Json> single_record(const Exchange& ex) {
  if (ex.json_lines.size() != 1) {
    ADD_FAILURE() << "expected exactly one AuthDiagLog record, got " << ex.json_lines.size() << "\n"
                  << ex.describe();
    return std::nullopt;
  }
  const std::string& line = ex.json_lines.front();
  EXPECT_LE(line.size() + 1, 4096u) << "JSON line longer than 4096 bytes";
  try {
    Json record = parse_json(line);
    if (!record.is_object()) {
      ADD_FAILURE() << "JSON record is not an object: " << printable(line);
      return std::nullopt;
    }
    return record;
  } catch (const std::exception& e) {
    ADD_FAILURE() << e.what() << "\n" << printable(line, 5000);
    return std::nullopt;
  }
}

std::optional<std::vector<LogfmtField>> single_log_fields(const Exchange& ex) {
  const auto lines = ex.lines_of("authdiag");
  if (lines.size() != 1) {
    ADD_FAILURE() << "expected exactly one [authdiag:*] error-log line, got " << lines.size()
                  << "\n"
                  << ex.describe();
    return std::nullopt;
  }
  static const std::regex kMessage(R"(^AD[0-9]{4}: (.*)$)");
  std::smatch m;
  if (!std::regex_match(lines[0].message, m, kMessage)) {
    ADD_FAILURE() << "authdiag line does not start with a message id ADnnnn: "
                  << printable(lines[0].raw);
    return std::nullopt;
  }
  std::string error;
  auto fields = parse_logfmt(m[1].str(), &error);
  if (fields) return fields;
  ADD_FAILURE() << "the line as written to the error log is not logfmt (" << error
                << "): " << printable(lines[0].raw);
  return fields;
}

void expect_denial(const Exchange& ex, const ExpectedDenial& e) {
  SCOPED_TRACE("request " + ex.path + " (" + ex.marker + ")");
  ASSERT_TRUE(ex.transport_error.empty()) << ex.describe();
  EXPECT_EQ(ex.response.status, e.status) << ex.describe();
  const HttpResponse& r = ex.response;

  // Response headers.
  if (e.detailed_headers) {
    if (!e.substatus.empty()) {
      EXPECT_EQ(r.values("AuthDiag-Substatus"), std::vector<std::string>{e.substatus})
          << r.header_block();
    }
    EXPECT_EQ(r.values("AuthDiag-Reason"), std::vector<std::string>{e.reason}) << r.header_block();
  } else {
    for (const auto& [name, value] : r.headers) {
      EXPECT_FALSE(to_lower(name).starts_with("authdiag-"))
          << "header " << name << ": " << value << " sent to a client that must not see it";
    }
  }
  if (e.status == 401 && e.challenge_expected) {
    EXPECT_GE(r.count("WWW-Authenticate"), 1u) << "401 without a challenge\n" << r.header_block();
    EXPECT_LE(count_basic_challenges(r), 1u) << "duplicate Basic challenge\n" << r.header_block();
  }

  // Access log (env vars of the final request).
  if (ex.access) {
    if (!e.substatus.empty()) {
      EXPECT_EQ(ex.access->authdiag_status, e.substatus);
      EXPECT_EQ(ex.access->authdiag_substatus, e.substatus.substr(e.substatus.find('.') + 1));
    } else {
      EXPECT_NE(ex.access->authdiag_status, "-") << "AUTHDIAG_STATUS not set";
    }
    EXPECT_EQ(ex.access->authdiag_reason, e.reason);
    EXPECT_EQ(ex.access->status, std::to_string(e.status));
  } else {
    ADD_FAILURE() << "no access-log line for the request\n" << ex.describe();
  }

  // JSON denial record.
  if (const auto rec = single_record(ex)) {
    const Json& j = *rec;
    const Json* status = j.find("status");
    EXPECT_TRUE(status != nullptr && status->is_number() && status->as_number() == e.status)
        << "status: " << json_field_text(j, "status");
    if (!e.substatus.empty()) {
      EXPECT_EQ(j.string_member("substatus"), e.substatus)
          << "substatus: " << json_field_text(j, "substatus");
    }
    EXPECT_EQ(j.string_member("reason"), e.reason);
    static const std::regex kTime(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$)");
    const auto time = j.string_member("time");
    EXPECT_TRUE(time && std::regex_match(*time, kTime)) << "time: " << json_field_text(j, "time");
    EXPECT_EQ(j.string_member("client_ip"), ex.client_ip);
    EXPECT_EQ(j.string_member("path"), ex.path);
    const auto vhost = j.string_member("vhost");
    EXPECT_TRUE(vhost && !vhost->empty()) << "vhost: " << json_field_text(j, "vhost");
    if (ex.access && ex.access->unique_id != "-") {
      EXPECT_EQ(j.string_member("request_id"), ex.access->unique_id)
          << "request_id must be mod_unique_id's UNIQUE_ID";
    }
    if (ex.access) {
      EXPECT_EQ(j.string_member("method"), ex.access->method);
    }
    for (const auto& [key, value] : e.fields) {
      EXPECT_EQ(j.string_member(key), value) << key << ": " << json_field_text(j, key);
    }
    for (const auto& key : e.absent) {
      EXPECT_FALSE(j.has(key)) << key << " must be omitted: " << json_field_text(j, key);
    }
    if (!e.providers.empty()) {
      EXPECT_EQ(providers_of(j), e.providers) << "providers: " << json_field_text(j, "providers");
    }
    if (e.repaired) {
      const Json* repaired = j.find("repaired");
      const bool value = repaired != nullptr && repaired->is_bool() && repaired->as_bool();
      EXPECT_EQ(value, *e.repaired) << "repaired: " << json_field_text(j, "repaired");
    }
    if (e.status == 401 && e.challenge_expected && r.count("WWW-Authenticate") > 0) {
      const auto challenge = j.string_member("challenge");
      EXPECT_TRUE(challenge.has_value()) << "challenge missing from the record";
    }
  }

  // Error-log line of the module.
  const auto lines = ex.lines_of("authdiag");
  if (lines.size() == 1) {
    EXPECT_EQ(lines[0].level, e.level) << lines[0].raw;
  }
  if (const auto fields = single_log_fields(ex)) {
    auto field = [&](const char* key) -> std::string {
      const LogfmtField* f = find_field(*fields, key);
      return f == nullptr ? "(absent)" : f->value;
    };
    // The fixed head of the line: status, substatus (when there is one), reason.
    std::vector<std::string> head;
    for (std::size_t i = 0; i < fields->size() && i < (e.substatus.empty() ? 2u : 3u); ++i) {
      head.push_back((*fields)[i].key);
    }
    const std::vector<std::string> expected_head =
        e.substatus.empty() ? std::vector<std::string>{"status", "reason"}
                            : std::vector<std::string>{"status", "substatus", "reason"};
    EXPECT_EQ(head, expected_head) << lines[0].raw;
    EXPECT_EQ(field("status"), std::to_string(e.status)) << lines[0].raw;
    if (!e.substatus.empty()) {
      EXPECT_EQ(field("substatus"), e.substatus) << lines[0].raw;
    }
    EXPECT_EQ(field("reason"), e.reason) << lines[0].raw;
    for (const char* key : {"user", "realm"}) {
      if (const auto it = e.fields.find(key); it != e.fields.end()) {
        EXPECT_EQ(field(key), it->second) << lines[0].raw;
      }
    }
    static const std::regex kId(R"(^(AD[0-9]{4}):)");
    std::smatch m;
    if (std::regex_search(lines[0].message, m, kId)) {
      const std::string logged_reason = field("reason");
      auto [it, inserted] = message_ids().emplace(logged_reason, m[1].str());
      EXPECT_EQ(it->second, m[1].str()) << "message id of " << logged_reason << " changed";
    }
  }
}

void expect_no_secrets(const Exchange& ex, const std::vector<std::string>& secrets) {
  const std::string logs = ex.all_logs();
  for (const auto& secret : secrets) {
    if (secret.size() < 4) continue;
    EXPECT_FALSE(contains(ex.response.raw, secret))
        << "secret \"" << printable(secret) << "\" in the response\n"
        << printable(ex.response.raw, 4000);
    EXPECT_FALSE(contains(logs, secret)) << "secret \"" << printable(secret) << "\" in a log\n"
                                         << printable(logs, 6000);
  }
}

void expect_not_diagnosed(const Exchange& ex) {
  SCOPED_TRACE("request " + ex.path + " (" + ex.marker + ")");
  ASSERT_TRUE(ex.transport_error.empty()) << ex.describe();
  for (const auto& [name, value] : ex.response.headers) {
    EXPECT_FALSE(to_lower(name).starts_with("authdiag-")) << name << ": " << value;
  }
  EXPECT_TRUE(ex.lines_of("authdiag").empty()) << ex.describe();
  EXPECT_TRUE(ex.json_lines.empty()) << ex.describe();
  ASSERT_TRUE(ex.access.has_value()) << ex.describe();
  EXPECT_EQ(ex.access->authdiag_status, "-");
  EXPECT_EQ(ex.access->authdiag_substatus, "-");
  EXPECT_EQ(ex.access->authdiag_reason, "-");
}

void expect_same_response(const HttpResponse& actual, const HttpResponse& stock,
                          const std::function<std::string(std::string)>& normalize_challenge,
                          bool streamed) {
  auto comparable = [&](const HttpResponse& r) {
    std::vector<std::string> out;
    out.push_back(r.version + " " + std::to_string(r.status) + " " + r.reason_phrase);
    for (const auto& [name, value] : r.headers) {
      const std::string lower = to_lower(name);
      if (lower == "date") continue;
      if (streamed && (lower == "content-length" || lower == "transfer-encoding")) continue;
      out.push_back(name + ": " +
                    (lower == "www-authenticate" ? normalize_challenge(value) : value));
    }
    return out;
  };
  EXPECT_EQ(comparable(actual), comparable(stock));
  EXPECT_EQ(actual.body, stock.body);
}

}  // namespace authdiag::itest
