// SPDX-License-Identifier: Apache-2.0
// `authdiag check DIR | --url URL [--server-config FILE]`: is the directory really protected, as
// httpd sees it? Lint of the directory and its .htaccess chain, a verdict from the merged
// settings, and, where a server answers, one anonymous HTTP/1.1 request that must get 401 with
// a correct Basic challenge.
#include "cli/commands.hpp"
#include "cli/lint_command.hpp"
#include "core/challenge.hpp"
#include "core/text.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <netdb.h>
#include <optional>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

namespace authdiag::cli {

namespace {

using core::iequals;

// Check findings; documented with the lint catalogue in docs/lint.md.
constexpr std::string_view kNotProtected = "AD-C001";
constexpr std::string_view kChallengeInvalid = "AD-C002";
constexpr std::string_view kNoLiveAnswer = "AD-C003";
constexpr std::string_view kServerError = "AD-C004";
constexpr std::string_view kRealmDiffers = "AD-C005";

constexpr int kTimeoutMs = 5000;
constexpr std::size_t kMaxHeaderBytes = 64 * 1024;

struct Url {
  std::string host;  // without brackets
  std::string port = "80";
  std::string path = "/";
  std::string authority;  // for the Host header
};

std::optional<Url> parse_url(std::string_view text, std::string& error) {
  constexpr std::string_view kScheme = "http://";
  if (text.size() < kScheme.size() || !iequals(text.substr(0, kScheme.size()), kScheme)) {
    error =
        "only http:// URLs can be checked (TLS is not spoken here; use the plain-HTTP "
        "address of the server, e.g. http://127.0.0.1:80/dir/)";
    return std::nullopt;
  }
  text.remove_prefix(kScheme.size());
  auto slash = text.find_first_of("/?#");
  std::string_view authority = text.substr(0, slash);
  Url url;
  url.authority = std::string(authority);
  if (slash != std::string_view::npos) {
    std::string_view rest = text.substr(slash);
    url.path = std::string(rest.substr(0, rest.find('#')));
    if (url.path.front() != '/') url.path = "/" + url.path;
  }
  if (authority.find('@') != std::string_view::npos) {
    error = "the URL must not carry credentials: check makes an anonymous request";
    return std::nullopt;
  }
  if (authority.starts_with('[')) {
    auto close = authority.find(']');
    if (close == std::string_view::npos) {
      error = "unterminated IPv6 address in URL";
      return std::nullopt;
    }
    url.host = std::string(authority.substr(1, close - 1));
    authority.remove_prefix(close + 1);
    if (authority.starts_with(':')) url.port = std::string(authority.substr(1));
  } else {
    auto colon = authority.rfind(':');
    url.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) url.port = std::string(authority.substr(colon + 1));
  }
  unsigned port = 0;
  auto [ptr, ec] = std::from_chars(url.port.data(), url.port.data() + url.port.size(), port);
  if (url.host.empty() || ec != std::errc{} || ptr != url.port.data() + url.port.size() ||
      port == 0 || port > 65535) {
    error = "invalid host or port in URL";
    return std::nullopt;
  }
  for (char c : url.path) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      error = "the URL path contains spaces or control characters";
      return std::nullopt;
    }
  }
  return url;
}

struct HttpResponse {
  int status = 0;
  std::string status_line;
  std::vector<std::pair<std::string, std::string>> headers;
};

class Socket {
 public:
  explicit Socket(int fd) : fd_(fd) {}
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  ~Socket() {
    if (fd_ >= 0) close(fd_);
  }
  int fd() const noexcept { return fd_; }
  int release() noexcept { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

bool wait_for(int fd, short events, std::chrono::steady_clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                  deadline - std::chrono::steady_clock::now())
                  .count();
  if (left <= 0) return false;
  pollfd pfd{fd, events, 0};
  return poll(&pfd, 1, static_cast<int>(left)) == 1;
}

std::optional<HttpResponse> http_get(const Url& url, std::string& error) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kTimeoutMs);
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* list = nullptr;
  if (int rc = getaddrinfo(url.host.c_str(), url.port.c_str(), &hints, &list); rc != 0) {
    error = std::string("cannot resolve ") + url.host + ": " + gai_strerror(rc);
    return std::nullopt;
  }
  int connected = -1;
  error = "no address";
  for (addrinfo* ai = list; ai != nullptr && connected < 0; ai = ai->ai_next) {
    Socket candidate(
        socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol));
    if (candidate.fd() < 0) continue;
    if (connect(candidate.fd(), ai->ai_addr, ai->ai_addrlen) != 0) {
      if (errno != EINPROGRESS) {
        error = std::strerror(errno);
        continue;
      }
      int so_error = 0;
      socklen_t len = sizeof so_error;
      if (!wait_for(candidate.fd(), POLLOUT, deadline) ||
          getsockopt(candidate.fd(), SOL_SOCKET, SO_ERROR, &so_error, &len) != 0 || so_error != 0) {
        error = so_error != 0 ? std::strerror(so_error) : "connection timed out";
        continue;
      }
    }
    connected = candidate.release();
  }
  freeaddrinfo(list);
  if (connected < 0) {
    error = "cannot connect to " + url.host + " port " + url.port + ": " + error;
    return std::nullopt;
  }
  const Socket sock(connected);
  std::string request = "GET " + url.path + " HTTP/1.1\r\nHost: " + url.authority +
                        "\r\nUser-Agent: authdiag-check\r\nAccept: */*\r\n"
                        "Connection: close\r\n\r\n";
  std::size_t sent = 0;
  while (sent < request.size()) {
    if (!wait_for(sock.fd(), POLLOUT, deadline)) {
      error = "timed out sending the request";
      return std::nullopt;
    }
    ssize_t n = send(sock.fd(), request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno != EAGAIN && errno != EINTR) {
      error = std::string("send: ") + std::strerror(errno);
      return std::nullopt;
    }
    if (n > 0) sent += static_cast<std::size_t>(n);
  }
  std::string data;
  std::array<char, 4096> buffer{};
  while (data.find("\r\n\r\n") == std::string::npos && data.size() < kMaxHeaderBytes) {
    if (!wait_for(sock.fd(), POLLIN, deadline)) {
      error = "timed out waiting for the response";
      return std::nullopt;
    }
    ssize_t n = recv(sock.fd(), buffer.data(), buffer.size(), 0);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      error = std::string("recv: ") + std::strerror(errno);
      return std::nullopt;
    }
    data.append(buffer.data(), static_cast<std::size_t>(n));
  }
  auto end = data.find("\r\n\r\n");
  if (end == std::string::npos) {
    error = "the answer is not an HTTP response";
    return std::nullopt;
  }
  HttpResponse response;
  std::string_view head(data.data(), end);
  auto line_end = head.find("\r\n");
  response.status_line = std::string(head.substr(0, line_end));
  if (!response.status_line.starts_with("HTTP/1.") || response.status_line.size() < 12) {
    error = "the answer is not an HTTP/1.x response";
    return std::nullopt;
  }
  std::string_view code = std::string_view(response.status_line).substr(9, 3);
  std::from_chars(code.data(), code.data() + code.size(), response.status);
  while (line_end != std::string_view::npos) {
    std::size_t start = line_end + 2;
    line_end = head.find("\r\n", start);
    std::string_view field = head.substr(
        start, line_end == std::string_view::npos ? std::string_view::npos : line_end - start);
    auto colon = field.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view value = field.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
      value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    response.headers.emplace_back(std::string(field.substr(0, colon)), std::string(value));
  }
  return response;
}

bool is_under_or_equal(std::string_view path, std::string_view root) {
  return path == root ||
         (path.size() > root.size() && path.starts_with(root) && path[root.size()] == '/');
}

// The port httpd answers plain HTTP on: the virtual host's own, else the first Listen.
std::string port_of(std::string_view address) {
  auto colon = address.rfind(':');
  if (colon == std::string_view::npos || address.ends_with(']')) return std::string(address);
  return std::string(address.substr(colon + 1));
}

// 127.0.0.1:PORT/<dir relative to its DocumentRoot>/ from the server config, with the virtual
// host's ServerName as Host so name-based virtual hosts pick the right one.
std::optional<Url> url_for_directory(const ServerConfig& config, const std::string& dir,
                                     std::string& why) {
  if (!config.facts.known) {
    why = "the server config could not be read";
    return std::nullopt;
  }
  const VirtualHostInfo* best = nullptr;
  for (const auto& host : config.virtual_hosts) {
    if (!host.document_root.empty() && is_under_or_equal(dir, host.document_root) &&
        (best == nullptr || host.document_root.size() > best->document_root.size())) {
      best = &host;
    }
  }
  std::string root = best ? best->document_root : config.main_document_root;
  if (root.empty() || !is_under_or_equal(dir, root)) {
    why = dir + " is not under a DocumentRoot of the server config";
    return std::nullopt;
  }
  std::string port;
  if (best != nullptr) {
    for (const auto& address : best->addresses) {
      std::string p = port_of(address);
      if (!p.empty() &&
          std::all_of(p.begin(), p.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        port = p;
        break;
      }
    }
  }
  if (port.empty() && !config.listen.empty()) port = port_of(config.listen.front());
  if (port.empty() || port.find_first_not_of("0123456789") != std::string::npos) {
    why = "the server config has no usable Listen directive";
    return std::nullopt;
  }
  Url url;
  url.host = "127.0.0.1";
  url.port = port;
  url.path = dir.substr(root.size()) + "/";
  std::string name =
      best != nullptr && !best->server_name.empty() ? best->server_name : config.main_server_name;
  url.authority = (name.empty() ? url.host : name) + ":" + port;
  return url;
}

std::string display(const Url& url) {
  std::string host = url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host;
  return "http://" + host + ":" + url.port + url.path;
}

std::optional<std::string> directory_for_url(const ServerConfig& config, const Url& url) {
  if (!config.facts.known) return std::nullopt;
  std::string root = config.main_document_root;
  std::string host = url.host;
  for (const auto& vhost : config.virtual_hosts) {
    if (!vhost.server_name.empty() && iequals(vhost.server_name, host) &&
        !vhost.document_root.empty()) {
      root = vhost.document_root;
    }
  }
  if (root.empty()) return std::nullopt;
  std::string path = url.path.substr(0, url.path.find('?'));
  std::string full = root + path;
  struct stat st {};
  if (stat(full.c_str(), &st) == 0 && !S_ISDIR(st.st_mode)) {
    full = full.substr(0, full.rfind('/'));
  }
  while (full.size() > 1 && full.back() == '/') full.pop_back();
  return full;
}

void add_check_finding(Output& output, std::string_view id, std::string_view level,
                       std::string file, std::string message, std::string fix) {
  output.add_finding(Finding{std::string(id), std::string(level), std::move(file), 0,
                             std::move(message), std::move(fix)});
}

struct LiveResult {
  bool answered = false;
  bool ok = false;
  bool failed = false;  // the answer shows the directory unprotected or broken
};

LiveResult live_check(const Url& url, const core::AuthScope* scope, Output& output,
                      JsonValue& live) {
  LiveResult result;
  const std::string url_text = display(url);
  live.set("url", url_text);
  live.set("host_header", url.authority);
  std::string error;
  auto response = http_get(url, error);
  if (!response) {
    live.set("error", error);
    add_check_finding(output, kNoLiveAnswer, "info", "",
                      "No server answered at " + url_text + " (" + error +
                          "); only the configuration was checked.",
                      "Start httpd, or give the URL it answers on with --url.");
    return result;
  }
  result.answered = true;
  live.set("status", response->status);
  std::vector<std::string> challenges;
  for (const auto& [name, value] : response->headers) {
    if (iequals(name, "WWW-Authenticate")) challenges.push_back(value);
  }
  JsonValue challenge_list = JsonValue::array();
  for (const auto& c : challenges) challenge_list.push(c);
  live.set("challenges", std::move(challenge_list));

  if (response->status >= 500) {
    result.failed = true;
    add_check_finding(output, kServerError, "error", "",
                      "The anonymous request to " + url_text + " got " + response->status_line +
                          ": httpd fails on the configuration (see the lint findings and the "
                          "error log).",
                      "Fix the configuration errors reported above.");
    return result;
  }
  if (response->status != 401) {
    result.failed = true;
    add_check_finding(output, kNotProtected, "error", "",
                      "The anonymous request to " + url_text + " got '" + response->status_line +
                          "' instead of 401: the directory is not " + "protected as served.",
                      response->status == 404 || response->status == 302
                          ? "A 404/302 instead of 401 usually means ErrorDocument 401 points at "
                            "a missing page or a redirect (see AD-L030)."
                          : "Check the findings above (AD-L002, AD-L004) and any proxy in front "
                            "of httpd.");
    return result;
  }
  std::vector<core::Challenge> parsed;
  for (const auto& value : challenges) {
    auto some = core::parse_challenges(value);
    parsed.insert(parsed.end(), some.begin(), some.end());
  }
  const core::Challenge* basic = nullptr;
  std::size_t basic_count = 0;
  for (const auto& c : parsed) {
    if (iequals(c.scheme, "Basic")) {
      ++basic_count;
      if (basic == nullptr) basic = &c;
    }
  }
  const core::AuthParam* realm = nullptr;
  if (basic != nullptr) {
    for (const auto& p : basic->params) {
      if (iequals(p.name, "realm")) realm = &p;
    }
  }
  if (parsed.empty() || basic == nullptr || realm == nullptr) {
    result.failed = true;
    add_check_finding(output, kChallengeInvalid, "error", "",
                      "The 401 from " + url_text +
                          (parsed.empty() ? std::string(" carries no WWW-Authenticate challenge")
                           : basic == nullptr ? " carries no Basic challenge"
                                              : " has a Basic challenge without a realm") +
                          ": browsers show an error instead of a login prompt.",
                      "Set AuthType Basic and AuthName; mod_authdiag repairs missing "
                      "challenges.");
    return result;
  }
  if (basic_count > 1) {
    result.failed = true;
    add_check_finding(output, kChallengeInvalid, "error", "",
                      "The 401 from " + url_text + " carries " + std::to_string(basic_count) +
                          " Basic challenges (RFC 9110 allows one per scheme).",
                      "Remove duplicate challenge sources (Header directives, scripts).");
    return result;
  }
  live.set("realm", realm->value);
  if (scope != nullptr && scope->auth_name && scope->auth_name->value != realm->value &&
      scope->auth_name->value.find("%{") == std::string::npos) {
    add_check_finding(output, kRealmDiffers, "warning", scope->auth_name->file,
                      "The server answered with realm \"" + realm->value +
                          "\" but the configuration sets AuthName \"" + scope->auth_name->value +
                          "\": the request may be served by another virtual host or scope.",
                      "Check which virtual host answers on this address (ServerName).");
  }
  result.ok = true;
  output.note("check: " + url_text + " answers 401 with a Basic challenge (realm \"" +
              realm->value + "\")");
  return result;
}

}  // namespace

int run_check(const Args& args, Output& output) {
  output.set_action("check");
  auto url_option = args.value("url");
  const auto& positionals = args.positionals();
  if (positionals.size() > 1 || (positionals.empty() && !url_option) ||
      (!positionals.empty() && url_option)) {
    return output.error(ExitCode::Usage, "check takes one DIR or --url URL");
  }
  ServerConfig config = load_config_for(args, output);

  std::optional<std::string> dir;
  std::optional<Url> url;
  if (!positionals.empty()) {
    struct stat st {};
    if (stat(positionals[0].c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      return output.error(ExitCode::FileAccess,
                          "cannot check " + positionals[0] + ": not an existing directory");
    }
    std::error_code ec;
    dir = std::filesystem::absolute(positionals[0], ec).lexically_normal().string();
    while (dir->size() > 1 && dir->back() == '/') dir->pop_back();
  } else {
    std::string error;
    url = parse_url(*url_option, error);
    if (!url) return output.error(ExitCode::Usage, error);
    dir = directory_for_url(config, *url);
    if (dir) {
      struct stat st {};
      if (stat(dir->c_str(), &st) != 0) dir.reset();
    }
  }

  LintResult lint;
  JsonValue verdict = JsonValue::object();
  std::string state = "unknown";
  if (dir) {
    output.root().set("dir", *dir);
    LintOptions options;
    options.paths = {*dir};
    options.describe_directory = *dir;
    lint = run_lint_checks(options, config, output);
    const bool ignored = lint.facts.htaccess_read == false && lint.has_access_file;
    if (ignored) {
      state = "ignored";
    } else if (lint.scope.needs_authentication()) {
      state = lint.by_level[static_cast<std::size_t>(core::LintLevel::Error)] > 0 ? "broken"
                                                                                  : "protected";
    } else {
      state = "unprotected";
      add_check_finding(output, kNotProtected, "error", *dir,
                        "No Require that needs a user applies to " + *dir +
                            (config.facts.known ? ""
                                                : " (judged from the .htaccess files only: the "
                                                  "server config could not be read)") +
                            ": httpd serves it without asking for a password.",
                        "authdiag protect " + *dir + " --user-file FILE");
    }
    if (lint.scope.auth_type) verdict.set("auth_type", lint.scope.auth_type->value);
    if (lint.scope.auth_name) verdict.set("auth_name", lint.scope.auth_name->value);
    if (lint.scope.user_file) verdict.set("user_file", lint.scope.user_file->value);
    JsonValue requires_list = JsonValue::array();
    for (const auto& rule : lint.scope.require_rules) {
      std::string text = (rule.negated ? "not " : "") + rule.provider;
      for (const auto& arg : rule.args) text += " " + arg;
      requires_list.push(text);
    }
    verdict.set("require", std::move(requires_list));
  }

  std::string why;
  if (!url && dir) url = url_for_directory(config, *dir, why);
  JsonValue live = JsonValue::object();
  LiveResult live_result;
  if (url) {
    live_result = live_check(*url, dir ? &lint.scope : nullptr, output, live);
    if (live_result.failed && state == "protected") state = "broken";
    if (state == "unknown" && live_result.answered) state = live_result.ok ? "protected" : "broken";
  } else {
    live.set("skipped", why);
    output.note("check: no live request (" + why + "); pass --url to test a running server");
  }
  verdict.set("state", state);
  output.root().set("verdict", std::move(verdict));
  output.root().set("live", std::move(live));
  output.note("check: " + (dir ? *dir : *url_option) + ": " + state);

  if (lint.path_errors) return to_int(ExitCode::FileAccess);
  if (state == "ignored") return to_int(ExitCode::HtaccessIgnored);
  if (state != "protected" || live_result.failed || lint.reached(core::LintLevel::Error)) {
    return to_int(ExitCode::ProblemsFound);
  }
  return to_int(ExitCode::Success);
}

}  // namespace authdiag::cli
