// SPDX-License-Identifier: Apache-2.0
// Fuzzes the lint checks with a tenant-controlled .htaccess and user file: the input is split at
// the first NUL into the two files. Every finding names a known rule and a line inside its file.
#include "core/htaccess.hpp"
#include "core/lint_rules.hpp"
#include "fuzz_support.hpp"

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace {

using namespace authdiag::core;

using authdiag::fuzz::check;

class Environment final : public LintEnvironment {
 public:
  Environment(std::string user_file, const ServerFacts& server) : server_(server) {
    FileFacts facts;
    facts.exists = true;
    facts.regular = true;
    facts.readable_by_httpd = true;
    facts.content = std::move(user_file);
    files_["/srv/auth/passwd"] = facts;
    files_["/srv/www/priv/.htaccess"] = facts;
    files_["/srv/www/priv/.htaccess"].content.reset();
  }
  const FileFacts& file(const std::string& path) override {
    auto it = files_.find(path);
    return it == files_.end() ? missing_ : it->second;
  }
  const UserFileSummary& user_file(const std::string& path) override {
    auto it = summaries_.find(path);
    if (it != summaries_.end()) return it->second;
    return summaries_[path] = lint_user_file(path, file(path), server_, *this);
  }
  std::optional<bool> hash_prefix_verifiable(std::string_view prefix) override {
    return prefix != "$y$";
  }

 private:
  const ServerFacts& server_;
  FileFacts missing_;
  std::map<std::string, FileFacts> files_;
  std::map<std::string, UserFileSummary> summaries_;
};

std::size_t line_count(std::string_view text) {
  std::size_t lines = 1;
  for (char c : text) lines += c == '\n' ? 1 : 0;
  return lines;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto nul = input.find('\0');
  const std::string_view htaccess = input.substr(0, nul);
  const std::string_view users =
      nul == std::string_view::npos ? std::string_view() : input.substr(nul + 1);

  ServerFacts server;
  server.known = true;
  server.modules = {"authz_core_module", "authz_user_module", "mod_authz_core.c"};
  server.served_roots = {"/srv/www"};
  server.run_user = "www-data (uid 33)";
  Environment env{std::string(users), server};
  HtaccessDocument document = parse_htaccess(htaccess);
  HtaccessLintInput in;
  in.path = "/srv/www/priv/.htaccess";
  in.directory = "/srv/www/priv";
  in.bytes = htaccess;
  in.document = &document;
  in.server = &server;
  in.directory_facts = DirectoryFacts{true, true, "fuzz", std::string("/srv/www")};
  for (const LintFinding& f : lint_htaccess(in, env)) {
    check(static_cast<std::size_t>(f.rule) < kLintRules.size(), "known rule");
    check(!f.message.empty(), "a message");
    if (f.file == in.path) check(f.line <= line_count(htaccess), "line inside the .htaccess");
    if (f.file == "/srv/auth/passwd") check(f.line <= line_count(users), "line inside the file");
  }
  return 0;
}
