// SPDX-License-Identifier: Apache-2.0
// Reads what lint needs from an httpd config tree: loaded modules, the User/Group children run
// as, DocumentRoots and Aliases, AccessFileName and the <Directory> sections (AllowOverride and
// Auth settings), following Include/IncludeOptional globs, Define and ${VAR} (Debian envvars).
#pragma once

#include "core/htaccess.hpp"
#include "core/lint_rules.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

namespace authdiag::cli {

struct DirectorySection {
  std::string path;  // unquoted, variables expanded; a regex for <DirectoryMatch>/<Directory ~>
  bool regex = false;
  std::string file;
  std::size_t line = 0;
  std::vector<std::string> vhost_roots;  // DocumentRoot of the enclosing <VirtualHost>, if any
  bool in_vhost = false;
  std::vector<core::HtaccessDirective> body;  // the directives inside the section
};

// The uid, gid and groups of httpd's children (User, Group and the user's supplementary groups).
struct RunIdentity {
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;
};

struct VirtualHostInfo {
  std::vector<std::string> addresses;  // <VirtualHost *:80 127.0.0.1:8080>
  std::string server_name;
  std::string document_root;
};

struct ServerConfig {
  core::ServerFacts facts;
  std::optional<RunIdentity> identity;
  std::vector<std::string> access_file_names{".htaccess"};
  std::vector<DirectorySection> directories;
  std::vector<std::string> document_roots;  // main server and virtual hosts
  std::string main_document_root;
  std::string main_server_name;
  std::vector<VirtualHostInfo> virtual_hosts;
  std::vector<std::string> listen;    // Listen arguments without a protocol other than http
  std::vector<std::string> warnings;  // includes that could not be read, unknown ${VAR}s

  // AllowOverride/AllowOverrideList in effect for `directory` (absolute, no trailing '/'),
  // and the DocumentRoot that contains it. All unknown when the config was not read.
  core::DirectoryFacts directory_facts(std::string_view directory) const;

  // `parent` with the <Directory> sections that name `directory` itself merged over it (plain
  // sections in config order, then matching regex sections), as httpd's directory walk does
  // for each path component.
  core::AuthScope merge_sections(const core::AuthScope& parent, std::string_view directory) const;

 private:
  static bool section_serves(const DirectorySection& section, std::string_view directory);
};

// $APACHE_CONFDIR/apache2.conf (default /etc/apache2/apache2.conf), as Debian's apache2ctl
// finds it.
std::string default_server_config_path();

// Never throws for a bad or missing config: facts.known is then false and
// facts.unknown_reason says why.
ServerConfig load_server_config(const std::string& main_file);

}  // namespace authdiag::cli
