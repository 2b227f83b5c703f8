// SPDX-License-Identifier: Apache-2.0
// Runs the real Debian httpd (/usr/sbin/apache2) in a private ServerRoot: renders httpd.conf with
// a free loopback port, the chosen MPM, the stock modules and optionally mod_authdiag, starts,
// reloads (graceful) and stops it by its pid.
#pragma once

#include "support.hpp"

#include <filesystem>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

namespace authdiag::itest {

enum class Mpm { Event, Worker, Prefork };
enum class LoadOrder { AfterAuthModules, BeforeAuthModules };

// AUTHDIAG_TEST_MPM: "event" (default), "worker" or "prefork".
Mpm mpm_from_environment();
std::string_view mpm_name(Mpm mpm);
std::string_view load_order_name(LoadOrder order);

// Path of the mod_authdiag.so under test (from the build).
std::string authdiag_module_path();

struct ServerOptions {
  bool with_authdiag = true;
  LoadOrder order = LoadOrder::AfterAuthModules;
  // Loaded on top of the base set (auth, mime, dir, alias, rewrite, headers, env, setenvif,
  // unique_id, cgi/cgid), e.g. "http2", "socache_shmcb", "authn_socache", "authn_dbm".
  std::vector<std::string> extra_modules;
  // Writes `AuthDiagLog <root>/logs/authdiag.json` into the server config (inside
  // <IfModule authdiag_module>).
  bool json_log = true;
  // Extra directives for the server context, placed before the site configuration.
  std::string server_directives;
  // Serve this tree instead of <root>/htdocs: a stock server compared with a module server
  // serves the very same files (same ETag and Last-Modified).
  fs::path document_root;
};

class HttpdServer {
 public:
  // Creates a fresh ServerRoot under the build tree: <run>/<mpm>/<name>.
  HttpdServer(std::string name, ServerOptions options);
  ~HttpdServer();
  HttpdServer(const HttpdServer&) = delete;
  HttpdServer& operator=(const HttpdServer&) = delete;

  // Renders the configuration with `site_config` appended and starts httpd; throws
  // std::runtime_error with httpd's output when it does not come up.
  void start(const std::string& site_config);
  // Rewrites the configuration and performs a graceful restart (SIGUSR1).
  void reload(const std::string& site_config);
  // SIGUSR1 to the parent; returns once the new generation is serving.
  void graceful();
  // SIGTERM to the parent and wait for it to exit. Returns the problems found afterwards:
  // AddressSanitizer reports (when AUTHDIAG_HTTPD_PRELOAD is set) with their contents.
  std::vector<std::string> stop();
  // `apache2 -t` on the configuration rendered with `site_config` (server not started).
  CommandResult configtest(const std::string& site_config);

  bool running() const;
  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  Mpm mpm() const { return mpm_; }
  const ServerOptions& options() const { return options_; }
  const std::string& name() const { return name_; }

  const fs::path& root() const { return root_; }
  fs::path htdocs() const {
    return options_.document_root.empty() ? root_ / "htdocs" : options_.document_root;
  }
  fs::path conf_path() const { return root_ / "conf" / "httpd.conf"; }
  fs::path error_log() const { return root_ / "logs" / "error_log"; }
  fs::path access_log() const { return root_ / "logs" / "access_log"; }
  fs::path json_log() const { return root_ / "logs" / "authdiag.json"; }

  // Full rendered configuration text for `site_config` at `port`.
  std::string render(const std::string& site_config, int port) const;

 private:
  bool try_start(const std::string& site_config, std::string& failure, bool& port_in_use);
  std::vector<std::string> environment() const;
  std::vector<std::string> asan_reports() const;

  std::string name_;
  ServerOptions options_;
  Mpm mpm_;
  fs::path root_;
  int port_ = 0;
  pid_t pid_ = 0;
  std::string site_config_;
};

// Lines of an error log that show a crashed or aborted child: "exit signal", flex scanner
// aborts, std::terminate, sanitizer reports.
std::vector<std::string> crash_lines(std::string_view error_log_text);

}  // namespace authdiag::itest
