// SPDX-License-Identifier: Apache-2.0
// Shared by the lint/check command tests: a scratch root holding a Debian-style config tree
// (tests/cli/fixtures/lint/debian) and panel layouts (fixtures/lint/panels/<name>), with @ROOT@
// replaced by the scratch path; and the findings of a --json run.
#pragma once

#include "cli_test_support.hpp"

#include <algorithm>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

namespace authdiag::clitest {

// Copies fixtures/lint/<from> into `target`, replacing @ROOT@ in every file with `root`; files
// get mode 0644, directories 0755.
inline void install_tree(const std::string& from, const fs::path& target, const fs::path& root) {
  const fs::path source = fs::path(AUTHDIAG_CLI_FIXTURES) / "lint" / from;
  for (const auto& entry : fs::recursive_directory_iterator(source)) {
    const fs::path to = target / fs::relative(entry.path(), source);
    if (entry.is_directory()) {
      fs::create_directories(to);
      fs::permissions(to, static_cast<fs::perms>(0755));
      continue;
    }
    fs::create_directories(to.parent_path());
    std::string text = read_bytes(entry.path());
    for (std::size_t at = text.find("@ROOT@"); at != std::string::npos;
         at = text.find("@ROOT@", at)) {
      text.replace(at, 6, root.string());
    }
    write_bytes(to, text, 0644);
  }
}

// A scratch root with etc/apache2 (Debian layout) and an empty www/site document root.
class LintRoot {
 public:
  explicit LintRoot(std::string_view name) : scratch_(name) {
    install_tree("debian", root() / "etc" / "apache2", root());
    fs::create_directories(root() / "www" / "site");
  }
  fs::path root() const { return scratch_.path(); }
  std::string conf() const { return (root() / "etc" / "apache2" / "apache2.conf").string(); }
  std::string site() const { return (root() / "www" / "site").string(); }

 private:
  ScratchDir scratch_;
};

struct FoundFinding {
  std::string id;
  std::string level;
  std::string file;
  std::size_t line = 0;
  std::string message;
};

inline std::vector<FoundFinding> findings_of(const RunResult& run) {
  std::vector<FoundFinding> out;
  auto json = run.json();
  if (!json) return out;
  const core::JsonValue* list = json->find("findings");
  if (list == nullptr) return out;
  for (const auto& item : list->items()) {
    FoundFinding f;
    f.id = json_string(item, "id").value_or("");
    f.level = json_string(item, "level").value_or("");
    f.file = json_string(item, "file").value_or("");
    if (const auto* line = item.find("line"))
      f.line = static_cast<std::size_t>(line->as_int64().value_or(0));
    f.message = json_string(item, "message").value_or("");
    out.push_back(std::move(f));
  }
  return out;
}

inline std::set<std::string> ids_of(const std::vector<FoundFinding>& findings) {
  std::set<std::string> ids;
  for (const auto& f : findings) ids.insert(f.id);
  return ids;
}

inline std::vector<FoundFinding> with_id(const std::vector<FoundFinding>& findings,
                                         std::string_view id) {
  std::vector<FoundFinding> out;
  std::copy_if(findings.begin(), findings.end(), std::back_inserter(out),
               [&](const FoundFinding& f) { return f.id == id; });
  return out;
}

inline std::string describe(const RunResult& run) {
  return "exit " + std::to_string(run.exit_code) + "\nstdout:\n" + run.out + "\nstderr:\n" +
         run.err;
}

}  // namespace authdiag::clitest
