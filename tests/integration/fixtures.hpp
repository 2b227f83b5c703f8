// SPDX-License-Identifier: Apache-2.0
// Test fixtures on disk: password files written with the real htpasswd/htdbm tools, group
// files, protected directories (.htaccess or <Directory>), CGI scripts and error documents.
#pragma once

#include "support.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace authdiag::itest {

enum class HashKind { Bcrypt, Apr1, Sha1, Crypt, Plaintext, HtdigestLine };

struct User {
  std::string name;
  std::string password;
  std::string hash_scheme;  // how the spec names the stored scheme, e.g. "bcrypt(cost=10)"
  std::string stored;       // the stored hash exactly as in the file; must never be logged
};

// Adds `name` to the htpasswd file `file` (created when missing). Bcrypt, apr1, sha1 and crypt
// entries come from `htpasswd`; plaintext and htdigest-style (`user:realm:md5`) lines are
// written by hand, as panels and hand-edits do.
User add_htpasswd_user(const fs::path& file, const std::string& name, const std::string& password,
                       HashKind kind, int bcrypt_cost = 10, std::string_view realm = "Members");

// Adds `name` to an SDBM database with `htdbm` (AuthDBMType SDBM).
User add_htdbm_user(const fs::path& database, const std::string& name, const std::string& password,
                    HashKind kind);

// The users every classification suite relies on, in <root>/auth/htpasswd and groups.
struct StandardUsers {
  fs::path user_file;
  fs::path group_file;  // staff: alice carol / sales: bob
  User alice;           // bcrypt cost 10
  User bob;             // apr1
  User carol;           // {SHA}
  User dave;            // DES crypt
  User pat;             // plaintext line, never verifies on Linux
  User dig;             // htdigest line user:Members:hash

  static StandardUsers create(const fs::path& auth_dir);
  std::vector<User> verifiable() const { return {alice, bob, carol, dave}; }
};

enum class Scope { Htaccess, Directory };
std::string_view scope_name(Scope scope);

// Builds a document tree and the matching server configuration.
class Site {
 public:
  Site(fs::path htdocs, fs::path conf_path);

  // Creates htdocs/<rel>/ with index.html. `auth` goes into <rel>/.htaccess (Scope::Htaccess)
  // or a <Directory> block of the server config (Scope::Directory); `directory` always goes
  // into a <Directory> block (handlers, AllowOverride, Options). Returns the directory.
  fs::path area(std::string_view rel, Scope scope, std::string_view auth,
                std::string_view directory = {});
  // A file under htdocs (parent directories created).
  fs::path file(std::string_view rel, std::string_view content, fs::perms mode = fs::perms(0644));
  // Server-context configuration text, appended in call order.
  void config(std::string_view text);

  // The .htaccess or main config file that protects `rel` for that scope.
  fs::path config_file_for(std::string_view rel, Scope scope) const;
  fs::path dir(std::string_view rel) const { return htdocs_ / std::string(rel); }
  const std::string& text() const { return config_; }

 private:
  fs::path htdocs_;
  fs::path conf_path_;
  std::string config_;
};

// The usual Basic-auth block a panel writes: AuthType, AuthName, AuthUserFile, Require.
std::string basic_auth_block(const fs::path& user_file, std::string_view require = "valid-user",
                             std::string_view realm = "Members");

// Directory directives that make *.cgi executable.
std::string cgi_directory_directives();

// A CGI script answering `Status: 401` with `extra_headers` (each "Name: value").
std::string cgi_401_script(const std::vector<std::string>& extra_headers);

}  // namespace authdiag::itest
