// SPDX-License-Identifier: Apache-2.0
// Writes password files, groups, protected directories and CGI scripts for the tests.
#include "fixtures.hpp"

#include <stdexcept>

namespace authdiag::itest {

namespace {

std::string stored_hash_of(const fs::path& file, const std::string& name) {
  for (const auto& line : split_lines(read_file(file))) {
    if (line.starts_with(name + ":")) return line.substr(name.size() + 1);
  }
  throw std::runtime_error("user " + name + " not written to " + file.string());
}

std::string md5_hex(const std::string& text) {
  const CommandResult r = run_command({"sh", "-c", "printf '%s' \"$1\" | md5sum", "sh", text});
  if (r.exit_code != 0 || r.output.size() < 32) throw std::runtime_error("md5sum failed");
  return r.output.substr(0, 32);
}

std::string scheme_flag(HashKind kind) {
  switch (kind) {
    case HashKind::Bcrypt:
      return "-B";
    case HashKind::Apr1:
      return "-m";
    case HashKind::Sha1:
      return "-s";
    case HashKind::Crypt:
      return "-d";
    default:
      throw std::invalid_argument("no tool flag for this hash kind");
  }
}

std::string scheme_description(HashKind kind, int bcrypt_cost) {
  switch (kind) {
    case HashKind::Bcrypt:
      return "bcrypt(cost=" + std::to_string(bcrypt_cost) + ")";
    case HashKind::Apr1:
      return "apr1";
    case HashKind::Sha1:
      return "sha1";
    case HashKind::Crypt:
      return "crypt";
    case HashKind::Plaintext:
    case HashKind::HtdigestLine:
      return "plaintext";
  }
  return {};
}

void append_line(const fs::path& file, const std::string& line) {
  write_file(file, read_file(file) + line + "\n");
}

}  // namespace

User add_htpasswd_user(const fs::path& file, const std::string& name, const std::string& password,
                       HashKind kind, int bcrypt_cost, std::string_view realm) {
  User user{name, password, scheme_description(kind, bcrypt_cost), {}};
  if (kind == HashKind::Plaintext) {
    append_line(file, name + ":" + password);
  } else if (kind == HashKind::HtdigestLine) {
    // Only the digest is secret here; the realm in the middle field is public.
    const std::string realm_text(realm);
    user.stored = md5_hex(name + ":" + realm_text + ":" + password);
    append_line(file, name + ":" + realm_text + ":" + user.stored);
    fs::permissions(file, fs::perms(0644));
    return user;
  } else {
    std::vector<std::string> argv = {"htpasswd", fs::exists(file) ? "-b" : "-bc",
                                     scheme_flag(kind)};
    if (kind == HashKind::Bcrypt) {
      argv.push_back("-C");
      argv.push_back(std::to_string(bcrypt_cost));
    }
    argv.insert(argv.end(), {file.string(), name, password});
    const CommandResult r = run_command(argv);
    if (r.exit_code != 0) throw std::runtime_error("htpasswd failed: " + r.output);
  }
  fs::permissions(file, fs::perms(0644));
  user.stored = stored_hash_of(file, name);
  return user;
}

User add_htdbm_user(const fs::path& database, const std::string& name, const std::string& password,
                    HashKind kind) {
  const bool exists = fs::exists(database.string() + ".pag");
  const CommandResult r = run_command({"htdbm", exists ? "-b" : "-bc", scheme_flag(kind), "-TSDBM",
                                       database.string(), name, password});
  if (r.exit_code != 0) throw std::runtime_error("htdbm failed: " + r.output);
  for (const char* ext : {".pag", ".dir"}) {
    fs::permissions(database.string() + ext, fs::perms(0644));
  }
  // The stored hash stays inside the DBM file, so the secret checks cover the password only.
  // htdbm's default bcrypt cost is 5.
  return User{name, password, scheme_description(kind, 5), {}};
}

StandardUsers StandardUsers::create(const fs::path& auth_dir) {
  StandardUsers u;
  u.user_file = auth_dir / "htpasswd";
  u.group_file = auth_dir / "groups";
  fs::remove(u.user_file);
  u.alice = add_htpasswd_user(u.user_file, "alice", "Alice-pw-Q7x", HashKind::Bcrypt, 10);
  u.bob = add_htpasswd_user(u.user_file, "bob", "Bob-pw-K2m", HashKind::Apr1);
  u.carol = add_htpasswd_user(u.user_file, "carol", "Carol-pw-Z9v", HashKind::Sha1);
  u.dave = add_htpasswd_user(u.user_file, "dave", "Dv-pw-3j", HashKind::Crypt);
  u.pat = add_htpasswd_user(u.user_file, "pat", "Pat-plain-5w", HashKind::Plaintext);
  u.dig = add_htpasswd_user(u.user_file, "dig", "Dig-pw-8qT", HashKind::HtdigestLine);
  write_file(u.group_file, "staff: alice carol\nsales: bob\n");
  return u;
}

std::string_view scope_name(Scope scope) {
  return scope == Scope::Htaccess ? "htaccess" : "directory";
}

Site::Site(fs::path htdocs, fs::path conf_path)
    : htdocs_(std::move(htdocs)), conf_path_(std::move(conf_path)) {}

fs::path Site::area(std::string_view rel, Scope scope, std::string_view auth,
                    std::string_view directory) {
  const fs::path dir = htdocs_ / std::string(rel);
  fs::create_directories(dir);
  write_file(dir / "index.html", "<p>protected content of " + std::string(rel) + "</p>\n");
  if (scope == Scope::Htaccess) {
    if (!auth.empty()) write_file(dir / ".htaccess", std::string(auth) + "\n");
    if (!directory.empty()) {
      config_ +=
          "<Directory \"" + dir.string() + "\">\n" + std::string(directory) + "\n</Directory>\n";
    }
  } else {
    config_ += "<Directory \"" + dir.string() + "\">\n  AllowOverride None\n" + std::string(auth) +
               "\n" + std::string(directory) + "\n</Directory>\n";
  }
  return dir;
}

fs::path Site::file(std::string_view rel, std::string_view content, fs::perms mode) {
  const fs::path path = htdocs_ / std::string(rel);
  write_file(path, content, mode);
  return path;
}

void Site::config(std::string_view text) {
  config_ += text;
  config_ += '\n';
}

fs::path Site::config_file_for(std::string_view rel, Scope scope) const {
  return scope == Scope::Htaccess ? htdocs_ / std::string(rel) / ".htaccess" : conf_path_;
}

std::string basic_auth_block(const fs::path& user_file, std::string_view require,
                             std::string_view realm) {
  return "AuthType Basic\nAuthName \"" + std::string(realm) + "\"\nAuthUserFile \"" +
         user_file.string() + "\"\nRequire " + std::string(require);
}

std::string cgi_directory_directives() {
  return "  Options +ExecCGI\n  AddHandler cgi-script .cgi";
}

std::string cgi_401_script(const std::vector<std::string>& extra_headers) {
  std::string script = "#!/bin/sh\nprintf 'Status: 401 Unauthorized\\r\\n'\n";
  for (const auto& h : extra_headers) script += "printf '%s\\r\\n' '" + h + "'\n";
  script += "printf 'Content-Type: text/plain\\r\\n\\r\\napplication refused the request\\n'\n";
  return script;
}

}  // namespace authdiag::itest
