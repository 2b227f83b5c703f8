// SPDX-License-Identifier: Apache-2.0
// Renders httpd.conf into a private ServerRoot and drives /usr/sbin/apache2 by its pid.
#include "httpd_server.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <netinet/in.h>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <sys/socket.h>
#include <system_error>
#include <unistd.h>

namespace authdiag::itest {

namespace {

constexpr int kStartTimeoutMs = 20000;
constexpr int kStopTimeoutMs = 30000;
constexpr std::string_view kStartupDone = "AH00094: Command line";

std::string_view env_or(const char* name, std::string_view fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? std::string_view(value) : fallback;
}

int pick_free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "socket");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = 0;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    throw std::system_error(errno, std::generic_category(), "bind 127.0.0.1:0");
  }
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

bool can_connect(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  close(fd);
  return ok;
}

// A daemonized httpd is not our child; a parent that exited may linger as a zombie until init
// reaps it, which counts as gone.
bool process_alive(pid_t pid) {
  if (pid <= 0) return false;
  if (kill(pid, 0) != 0) return errno != ESRCH;
  const std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
  const auto close_paren = stat.rfind(')');
  if (close_paren == std::string::npos || close_paren + 2 >= stat.size()) return true;
  return stat[close_paren + 2] != 'Z';
}

pid_t read_pid(const fs::path& pid_file) {
  const std::string text = read_file(pid_file);
  if (text.empty() || text.back() != '\n') return 0;
  try {
    return static_cast<pid_t>(std::stol(text));
  } catch (const std::exception&) {
    return 0;
  }
}

std::size_t count_occurrences(std::string_view text, std::string_view needle) {
  std::size_t count = 0;
  for (auto pos = text.find(needle); pos != std::string_view::npos;
       pos = text.find(needle, pos + needle.size())) {
    ++count;
  }
  return count;
}

std::string tail(std::string_view text, std::size_t bytes) {
  return std::string(text.size() > bytes ? text.substr(text.size() - bytes) : text);
}

struct ModuleRef {
  std::string symbol;
  std::string file;
};

ModuleRef stock_module(std::string_view short_name) {
  const std::string modules_dir = AUTHDIAG_APACHE_MODULES_DIR;
  return {std::string(short_name) + "_module",
          modules_dir + "/mod_" + std::string(short_name) + ".so"};
}

}  // namespace

Mpm mpm_from_environment() {
  const std::string_view name = env_or("AUTHDIAG_TEST_MPM", "event");
  if (name == "event") return Mpm::Event;
  if (name == "worker") return Mpm::Worker;
  if (name == "prefork") return Mpm::Prefork;
  throw std::invalid_argument("AUTHDIAG_TEST_MPM must be event, worker or prefork, not " +
                              std::string(name));
}

std::string_view mpm_name(Mpm mpm) {
  switch (mpm) {
    case Mpm::Event:
      return "event";
    case Mpm::Worker:
      return "worker";
    case Mpm::Prefork:
      break;
  }
  return "prefork";
}

std::string_view load_order_name(LoadOrder order) {
  return order == LoadOrder::AfterAuthModules ? "after" : "before";
}

std::string authdiag_module_path() { return AUTHDIAG_MODULE_PATH; }

HttpdServer::HttpdServer(std::string name, ServerOptions options)
    : name_(std::move(name)), options_(std::move(options)), mpm_(mpm_from_environment()) {
  root_ = fs::path(AUTHDIAG_TEST_RUN_DIR) / mpm_name(mpm_) / name_;
  fs::remove_all(root_);
  for (const char* dir : {"conf", "htdocs", "logs", "run", "auth"}) {
    fs::create_directories(root_ / dir);
  }
  // The children run as www-data: the tree must be readable and traversable for them.
  for (fs::path p = root_; !p.empty() && p != p.root_path(); p = p.parent_path()) {
    std::error_code ec;
    fs::permissions(p, fs::perms::others_read | fs::perms::others_exec, fs::perm_options::add, ec);
  }
}

HttpdServer::~HttpdServer() {
  if (running()) {
    try {
      stop();
    } catch (const std::exception&) {
      // Nothing sensible to report from a destructor; the next run removes the tree.
    }
  }
}

std::string HttpdServer::render(const std::string& site_config, int port) const {
  const std::string root = root_.string();
  std::vector<ModuleRef> auth_modules;
  for (const char* m : {"authn_core", "authn_file", "authz_core", "authz_user", "authz_groupfile",
                        "authz_host", "auth_basic"}) {
    auth_modules.push_back(stock_module(m));
  }
  std::vector<ModuleRef> other_modules;
  for (const char* m :
       {"mime", "dir", "alias", "rewrite", "headers", "env", "setenvif", "unique_id"}) {
    other_modules.push_back(stock_module(m));
  }
  other_modules.push_back(stock_module(mpm_ == Mpm::Prefork ? "cgi" : "cgid"));
  for (const auto& extra : options_.extra_modules) other_modules.push_back(stock_module(extra));

  std::ostringstream c;
  c << "# mod_authdiag integration test server \"" << name_ << "\" (" << mpm_name(mpm_)
    << " MPM, mod_authdiag "
    << (options_.with_authdiag ? std::string(load_order_name(options_.order)) + " auth modules"
                               : std::string("not loaded"))
    << ")\n";
  c << "ServerRoot \"" << root << "\"\n";
  c << "ServerName localhost\n";
  c << "Listen 127.0.0.1:" << port << "\n";
  const auto mpm = stock_module(std::string("mpm_") + std::string(mpm_name(mpm_)));
  c << "LoadModule " << mpm.symbol << " " << mpm.file << "\n";
  const std::string authdiag_line =
      "LoadModule authdiag_module \"" + authdiag_module_path() + "\"\n";
  if (options_.with_authdiag && options_.order == LoadOrder::BeforeAuthModules) c << authdiag_line;
  for (const auto& m : auth_modules) c << "LoadModule " << m.symbol << " " << m.file << "\n";
  for (const auto& m : other_modules) c << "LoadModule " << m.symbol << " " << m.file << "\n";
  if (options_.with_authdiag && options_.order == LoadOrder::AfterAuthModules) c << authdiag_line;

  if (geteuid() == 0) c << "User www-data\nGroup www-data\n";
  c << "PidFile \"" << root << "/run/httpd.pid\"\n";
  c << "DefaultRuntimeDir \"" << root << "/run\"\n";
  c << "ErrorLog \"" << root << "/logs/error_log\"\n";
  c << "LogLevel warn\n";
  c << "<IfModule authdiag_module>\n  LogLevel warn authdiag:info\n</IfModule>\n";
  // Tab-separated so values with spaces stay one field; mod_log_config escapes tabs in values.
  c << "LogFormat \"%{Referer}i\\t%>s\\t%{AUTHDIAG_STATUS}e\\t%{AUTHDIAG_SUBSTATUS}e\\t"
       "%{AUTHDIAG_REASON}e\\t%<{UNIQUE_ID}e\\t%<m\\t%U\\t%{REDIRECT_STATUS}e\" authdiag_test\n";
  c << "CustomLog \"" << root << "/logs/access_log\" authdiag_test\n";
  c << "TypesConfig /etc/mime.types\n";
  c << "DocumentRoot \"" << htdocs().string() << "\"\n";
  c << "Timeout 30\nKeepAliveTimeout 5\n";
  if (mpm_ != Mpm::Prefork) {
    c << "StartServers 2\nServerLimit 16\nThreadsPerChild 16\nMaxRequestWorkers 256\n"
         "MinSpareThreads 16\nMaxSpareThreads 64\n";
  } else {
    c << "StartServers 4\nMinSpareServers 2\nMaxSpareServers 12\nServerLimit 64\n"
         "MaxRequestWorkers 64\n";
  }
  c << "<IfModule cgid_module>\n  ScriptSock \"" << root << "/run/cgisock\"\n</IfModule>\n";
  c << "<Directory />\n  AllowOverride None\n  Require all denied\n</Directory>\n";
  c << "<Directory \"" << htdocs().string() << "\">\n  AllowOverride AuthConfig\n  Options None\n"
    << "  Require all granted\n</Directory>\n";
  if (options_.json_log) {
    c << "<IfModule authdiag_module>\n  AuthDiagLog \"" << root
      << "/logs/authdiag.json\"\n</IfModule>\n";
  }
  c << options_.server_directives << "\n";
  c << "# --- site configuration ---\n" << site_config << "\n";
  return c.str();
}

std::vector<std::string> HttpdServer::environment() const {
  std::vector<std::string> env;
  const std::string_view preload = env_or("AUTHDIAG_HTTPD_PRELOAD", "");
  if (!preload.empty()) {
    env.push_back("LD_PRELOAD=" + std::string(preload));
    env.push_back("ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:log_path=" +
                  (root_ / "asan").string());
  }
  return env;
}

bool HttpdServer::try_start(const std::string& site_config, std::string& failure,
                            bool& port_in_use) {
  port_in_use = false;
  port_ = pick_free_port();
  write_file(conf_path(), render(site_config, port_));
  const fs::path pid_file = root_ / "run" / "httpd.pid";
  fs::remove(pid_file);
  const std::size_t log_offset = file_size_or_zero(error_log());

  const CommandResult started = run_command(
      {AUTHDIAG_HTTPD_BINARY, "-d", root_.string(), "-f", conf_path().string(), "-k", "start"},
      environment());
  auto in_use = [](std::string_view text) {
    return contains(text, "Address already in use") || contains(text, "could not bind");
  };
  if (started.exit_code != 0) {
    port_in_use = in_use(started.output);
    failure =
        "apache2 -k start exited " + std::to_string(started.exit_code) + ":\n" + started.output;
    return false;
  }
  // AH00094 is the last line httpd logs at startup; waiting for it keeps startup lines out of
  // the first request's log delta.
  const bool up = wait_until(
      [&] {
        const pid_t pid = read_pid(pid_file);
        return pid > 0 && process_alive(pid) && can_connect(port_) &&
               contains(read_file_from(error_log(), log_offset), kStartupDone);
      },
      kStartTimeoutMs);
  const std::string log_text = read_file_from(error_log(), log_offset);
  if (!up) {
    port_in_use = in_use(log_text);
    failure = "httpd did not come up on port " + std::to_string(port_) + "; start output:\n" +
              started.output + "\nerror_log:\n" + tail(log_text, 4000);
    const pid_t pid = read_pid(pid_file);
    if (pid > 0 && process_alive(pid)) kill(pid, SIGTERM);
    return false;
  }
  pid_ = read_pid(pid_file);
  site_config_ = site_config;
  return true;
}

void HttpdServer::start(const std::string& site_config) {
  if (running()) throw std::logic_error("httpd already running for " + name_);
  if (options_.with_authdiag && !fs::exists(authdiag_module_path())) {
    throw std::runtime_error("mod_authdiag.so not built: " + authdiag_module_path());
  }
  std::string failure;
  for (int attempt = 0; attempt < 5; ++attempt) {
    bool port_in_use = false;
    if (try_start(site_config, failure, port_in_use)) return;
    if (!port_in_use) break;
  }
  throw std::runtime_error("cannot start httpd for " + name_ + ": " + failure);
}

void HttpdServer::graceful() {
  if (!running()) throw std::logic_error("graceful: httpd not running for " + name_);
  const std::size_t before = count_occurrences(read_file(error_log()), kStartupDone);
  if (kill(pid_, SIGUSR1) != 0) throw std::system_error(errno, std::generic_category(), "kill");
  const bool restarted = wait_until(
      [&] {
        return !process_alive(pid_) ||
               count_occurrences(read_file(error_log()), kStartupDone) > before;
      },
      kStartTimeoutMs);
  if (!process_alive(pid_)) {
    pid_ = 0;
    throw std::runtime_error("httpd exited on graceful restart:\n" +
                             tail(read_file(error_log()), 4000));
  }
  if (!restarted) throw std::runtime_error("graceful restart did not complete for " + name_);
  if (!wait_until([&] { return can_connect(port_); }, kStartTimeoutMs)) {
    throw std::runtime_error("httpd does not accept connections after graceful restart");
  }
}

void HttpdServer::reload(const std::string& site_config) {
  write_file(conf_path(), render(site_config, port_));
  site_config_ = site_config;
  graceful();
}

std::vector<std::string> HttpdServer::stop() {
  if (pid_ > 0 && process_alive(pid_)) {
    kill(pid_, SIGTERM);
    if (!wait_until([&] { return !process_alive(pid_); }, kStopTimeoutMs)) {
      kill(pid_, SIGKILL);
      wait_until([&] { return !process_alive(pid_); }, 5000);
      auto problems = asan_reports();
      problems.push_back("httpd (pid " + std::to_string(pid_) +
                         ") ignored SIGTERM for 30 s and was killed");
      pid_ = 0;
      return problems;
    }
  }
  pid_ = 0;
  return asan_reports();
}

bool HttpdServer::running() const { return process_alive(pid_); }

CommandResult HttpdServer::configtest(const std::string& site_config) {
  const fs::path path = root_ / "conf" / "configtest.conf";
  write_file(path, render(site_config, port_ != 0 ? port_ : pick_free_port()));
  return run_command({AUTHDIAG_HTTPD_BINARY, "-t", "-d", root_.string(), "-f", path.string()},
                     environment());
}

std::vector<std::string> HttpdServer::asan_reports() const {
  std::vector<std::string> reports;
  for (const auto& entry : fs::directory_iterator(root_)) {
    if (entry.path().filename().string().starts_with("asan.")) {
      reports.push_back(entry.path().string() + ":\n" + read_file(entry.path()));
    }
  }
  return reports;
}

std::vector<std::string> crash_lines(std::string_view error_log_text) {
  static const std::regex kCrash(
      R"(exit signal|flex scanner jammed|terminate called|AddressSanitizer|LeakSanitizer|)"
      R"(runtime error:|\[core:emerg\]|AH00060|AH00061|Segmentation fault)");
  std::vector<std::string> lines;
  for (auto& line : split_lines(error_log_text)) {
    if (std::regex_search(line, kCrash)) lines.push_back(line);
  }
  return lines;
}

}  // namespace authdiag::itest
