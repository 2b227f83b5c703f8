// SPDX-License-Identifier: Apache-2.0
// `authdiag lint PATH... [--recursive] [--server-config FILE] [--fail-on error|warning]`.
#include "cli/lint_command.hpp"

#include "cli/commands.hpp"
#include "cli/password_hash.hpp"
#include "cli/safe_write.hpp"
#include "core/htaccess.hpp"
#include "core/text.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <filesystem>
#include <map>
#include <set>
#include <sys/stat.h>
#include <tuple>
#include <unistd.h>
#include <unordered_map>

namespace authdiag::cli {

namespace {

using core::LintLevel;

constexpr std::size_t kMaxReadBytes = 16 * 1024 * 1024;

// One known-good hash per prefix, all of the password "selftest", made with htpasswd, openssl
// passwd, mkpasswd and Python's crypt on Debian 12: if apr_password_validate rejects one, this
// build cannot verify that scheme.
struct HashVector {
  std::string_view prefix;
  std::string_view hash;
};
constexpr std::string_view kSelfTestPassword = "selftest";
constexpr std::array<HashVector, 11> kHashVectors{{
    {"$2y$", "$2y$04$abcdefghijklmnopqrstuufy4uYKwtCIawYD/i1ZSjfCXzdPSaQ1q"},
    {"$2a$", "$2a$04$abcdefghijklmnopqrstuufy4uYKwtCIawYD/i1ZSjfCXzdPSaQ1q"},
    {"$2b$", "$2b$04$abcdefghijklmnopqrstuufy4uYKwtCIawYD/i1ZSjfCXzdPSaQ1q"},
    {"$2x$", "$2x$04$abcdefghijklmnopqrstuufy4uYKwtCIawYD/i1ZSjfCXzdPSaQ1q"},
    {"$apr1$", "$apr1$3859jmJX$LU/EwdeG.9ZrmnIjhD3z4."},
    {"{SHA}", "{SHA}kNBAn94qpsj15g/+B4O3OQaPzRU="},
    {"$1$", "$1$abcdefgh$9zQ/io/QvsvL8/pRseEtS/"},
    {"$5$", "$5$abcdefghijklmnop$UBwiucJnU/H.ZvTpuKZ4krOOmbVvWjYNn3UIQ3koBt8"},
    {"$6$",
     "$6$abcdefghijklmnop$BiL0p1xhHxK9WThOreqDh9sTxT.ufn7xIAC1WT/nl9vah28G/"
     "mQjxaqdagA1XWLBfqXWjSh.EeI0dXkWhYIEa1"},
    {"$y$", "$y$j9T$efPSk3ib1yd7NnqnKexYq.$4lVbL6tq02iJwBodfnI4gUiFPkQFpKELYCJbonx06zA"},
    {"des", "ab.dJFiEIxlEk"},
}};

std::string parent_of(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string join_path(const std::string& dir, std::string_view name) {
  return dir == "/" ? "/" + std::string(name) : dir + "/" + std::string(name);
}

std::string absolute_clean(const std::string& path) {
  std::error_code ec;
  std::filesystem::path p = std::filesystem::absolute(path, ec);
  std::string out = (ec ? std::filesystem::path(path) : p).lexically_normal().string();
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

// Whether `id` gets `want` (4 read, 2 write, 1 search/execute) on a file with `st`; POSIX mode
// bits only (no ACLs), with root's overrides.
bool permits(const RunIdentity& id, const struct stat& st, unsigned want) {
  const auto mode = static_cast<unsigned>(st.st_mode);
  if (id.uid == 0) return want != 1 || S_ISDIR(st.st_mode) || (mode & 0111U) != 0;
  if (st.st_uid == id.uid) return ((mode >> 6U) & want) == want;
  if (st.st_gid == id.gid ||
      std::find(id.groups.begin(), id.groups.end(), st.st_gid) != id.groups.end()) {
    return ((mode >> 3U) & want) == want;
  }
  return (mode & want) == want;
}

// A file read through one descriptor: its stat and, when regular and not too large, its bytes.
struct OpenedFile {
  struct stat st {};
  std::optional<std::string> content;
  std::string error;  // why it could not be opened or read
  bool opened = false;
};

// `name` relative to `dir_fd` (AT_FDCWD for a path).
OpenedFile open_and_read(int dir_fd, const char* name) {
  OpenedFile file;
  int fd = openat(dir_fd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) {
    file.error = std::strerror(errno);
    return file;
  }
  file.opened = true;
  if (fstat(fd, &file.st) != 0) {
    file.error = std::strerror(errno);
  } else if (!S_ISREG(file.st.st_mode)) {
    // Directories and devices: facts only.
  } else if (static_cast<std::uintmax_t>(file.st.st_size) > kMaxReadBytes) {
    file.error = "larger than 16 MiB, not read";
  } else {
    file.content = read_to_end(fd, static_cast<std::size_t>(file.st.st_size));
    if (!file.content) file.error = std::strerror(errno);
  }
  close(fd);
  return file;
}

class FsEnvironment final : public core::LintEnvironment {
 public:
  explicit FsEnvironment(const ServerConfig& config) : config_(config) {}

  const core::FileFacts& file(const std::string& path) override {
    auto it = files_.find(path);
    if (it != files_.end()) return it->second;
    return files_.emplace(path, facts_of(path, open_and_read(AT_FDCWD, path.c_str())))
        .first->second;
  }

  // Stores what the caller already opened and read.
  const core::FileFacts& remember(const std::string& path, OpenedFile opened) {
    auto it = files_.find(path);
    if (it != files_.end()) return it->second;
    return files_.emplace(path, facts_of(path, std::move(opened))).first->second;
  }

  // A directory the walk opened: its mode decides whether httpd can pass through it.
  void note_directory(const std::string& dir, const struct stat& st) {
    if (!config_.identity || searchable_.contains(dir)) return;
    bool result = permits(*config_.identity, st, 1) &&
                  (dir == "/" || dir == "." || searchable(parent_of(dir)));
    searchable_.emplace(dir, result);
  }

  const core::UserFileSummary& user_file(const std::string& path) override {
    auto it = user_files_.find(path);
    if (it != user_files_.end()) return it->second;
    core::UserFileSummary summary = core::lint_user_file(path, file(path), config_.facts, *this);
    return user_files_.emplace(path, std::move(summary)).first->second;
  }

  std::optional<bool> hash_prefix_verifiable(std::string_view prefix) override {
    std::string key(prefix);
    auto it = hash_support_.find(key);
    if (it != hash_support_.end()) return it->second;
    std::optional<bool> result;
    for (const auto& vector : kHashVectors) {
      if (vector.prefix == prefix) result = password_matches(kSelfTestPassword, vector.hash);
    }
    hash_support_.emplace(key, result);
    return result;
  }

  std::size_t user_file_count() const noexcept { return user_files_.size(); }

 private:
  core::FileFacts facts_of(const std::string& path, OpenedFile opened) {
    core::FileFacts facts;
    if (!opened.opened) {
      // Unreadable to us, but it may exist: stat tells.
      struct stat st {};
      if (stat(path.c_str(), &st) != 0) {
        facts.error = std::strerror(errno);
        return facts;
      }
      opened.st = st;
    }
    const struct stat& st = opened.st;
    facts.exists = true;
    facts.regular = S_ISREG(st.st_mode);
    facts.directory = S_ISDIR(st.st_mode);
    facts.world_readable = (st.st_mode & S_IROTH) != 0;
    if (config_.identity) {
      bool reachable = searchable(parent_of(path));
      facts.readable_by_httpd = reachable && permits(*config_.identity, st, 4);
      facts.writable_by_httpd = reachable && permits(*config_.identity, st, 2);
    }
    facts.content = std::move(opened.content);
    facts.error = std::move(opened.error);
    return facts;
  }

  // Every directory from / to `dir` grants search (x) to the httpd user.
  bool searchable(const std::string& dir) {
    auto it = searchable_.find(dir);
    if (it != searchable_.end()) return it->second;
    bool result = false;
    struct stat st {};
    if (stat(dir.c_str(), &st) == 0 && permits(*config_.identity, st, 1)) {
      result = dir == "/" || dir == "." || searchable(parent_of(dir));
    }
    searchable_.emplace(dir, result);
    return result;
  }

  const ServerConfig& config_;
  std::unordered_map<std::string, core::FileFacts> files_;
  std::unordered_map<std::string, core::UserFileSummary> user_files_;
  std::map<std::string, std::optional<bool>> hash_support_;
  std::unordered_map<std::string, bool> searchable_;
};

class LintRun {
 public:
  LintRun(const LintOptions& options, const ServerConfig& config, Output& output)
      : options_(options), config_(config), output_(output), env_(config) {}

  LintResult run() {
    for (const auto& raw : options_.paths) {
      std::string path = absolute_clean(raw);
      struct stat st {};
      if (stat(path.c_str(), &st) != 0) {
        output_.error(ExitCode::FileAccess, "cannot examine " + raw + ": " + std::strerror(errno));
        result_.path_errors = true;
        continue;
      }
      if (S_ISDIR(st.st_mode)) {
        linted_dirs_.push_back(path);
        lint_directory(path, options_.recursive);
      } else if (is_access_file(path.substr(path.rfind('/') + 1))) {
        linted_dirs_.push_back(parent_of(path));
        if (auto file = read(path)) lint_htaccess(path, std::move(*file));
      } else {
        lint_password_file(path);
      }
    }
    lint_server_sections();
    if (options_.describe_directory) {
      std::string dir = absolute_clean(*options_.describe_directory);
      result_.facts = config_.directory_facts(dir);
      result_.scope = scope_after(dir);
      result_.has_access_file = std::any_of(
          config_.access_file_names.begin(), config_.access_file_names.end(),
          [&](const std::string& name) { return env_.file(join_path(dir, name)).exists; });
    }
    result_.user_files = env_.user_file_count();
    return result_;
  }

 private:
  bool is_access_file(std::string_view name) const {
    const auto& names = config_.access_file_names;
    return std::find(names.begin(), names.end(), name) != names.end() || name == ".htaccess";
  }

  std::optional<OpenedFile> read(const std::string& path, int dir_fd = AT_FDCWD,
                                 const char* name = nullptr) {
    OpenedFile file = open_and_read(dir_fd, name != nullptr ? name : path.c_str());
    if (!file.content) {
      output_.error(ExitCode::FileAccess, "cannot read " + path + ": " + file.error);
      result_.path_errors = true;
      return std::nullopt;
    }
    return file;
  }

  bool served(const std::string& dir) const {
    if (!config_.facts.known) return true;
    return std::any_of(config_.facts.served_roots.begin(), config_.facts.served_roots.end(),
                       [&](const std::string& root) {
                         return dir == root || (dir.starts_with(root) && dir.size() > root.size() &&
                                                dir[root.size()] == '/');
                       });
  }

  void lint_directory(const std::string& dir, bool recursive) {
    ++result_.directories;
    std::vector<std::string> names;
    std::vector<std::string> subdirs;
    int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    struct stat st {};
    if (fd < 0 || fstat(fd, &st) != 0) {
      output_.error(ExitCode::FileAccess, "cannot list " + dir + ": " + std::strerror(errno));
      result_.path_errors = true;
      if (fd >= 0) close(fd);
      return;
    }
    env_.note_directory(dir, st);
    std::vector<std::pair<std::string, OpenedFile>> access_files;
    // getdents64 into one reused buffer: opendir() would allocate 32 KiB per directory.
    for (;;) {
      ssize_t got = getdents64(fd, dirents_.data(), dirents_.size());
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) break;
      for (ssize_t at = 0; at < got;) {
        const auto* entry = reinterpret_cast<const dirent64*>(dirents_.data() + at);
        at += entry->d_reclen;
        std::string_view name = entry->d_name;
        if (name == "." || name == "..") continue;
        names.emplace_back(name);
        bool is_dir = entry->d_type == DT_DIR;
        if (entry->d_type == DT_UNKNOWN) {
          struct stat entry_st {};
          is_dir = fstatat(fd, entry->d_name, &entry_st, AT_SYMLINK_NOFOLLOW) == 0 &&
                   S_ISDIR(entry_st.st_mode);
        }
        if (is_dir) {
          if (recursive) subdirs.emplace_back(name);
        } else if (is_access_file(name)) {
          if (auto file = read(join_path(dir, name), fd, entry->d_name)) {
            access_files.emplace_back(std::string(name), std::move(*file));
          }
        }
      }
    }
    close(fd);
    std::sort(names.begin(), names.end());
    std::sort(subdirs.begin(), subdirs.end());
    std::sort(access_files.begin(), access_files.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    if (served(dir)) report(core::lint_directory_entries(dir, names, config_.facts));
    for (auto& [name, file] : access_files) lint_htaccess(join_path(dir, name), std::move(file));
    for (const auto& sub : subdirs) lint_directory(join_path(dir, sub), true);
  }

  // Settings in force in `dir` before its own .htaccess: parents' .htaccess files and the
  // server's <Directory> sections, level by level.
  core::AuthScope scope_before(const std::string& dir) {
    core::AuthScope parent = dir == "/" ? core::AuthScope{} : scope_after(parent_of(dir));
    return config_.merge_sections(parent, dir);
  }

  core::AuthScope scope_after(const std::string& dir) {
    auto it = scope_after_.find(dir);
    if (it != scope_after_.end()) return it->second;
    core::AuthScope scope = scope_before(dir);
    if (config_.directory_facts(dir).htaccess_read != false) {
      for (const auto& name : config_.access_file_names) {
        std::string path = join_path(dir, name);
        const core::FileFacts& facts = env_.file(path);
        if (!facts.content) continue;
        core::HtaccessDocument doc = core::parse_htaccess(*facts.content);
        scope = core::merge_auth_level(scope, doc.directives, path, config_.facts);
        break;
      }
    }
    return scope_after_.emplace(dir, std::move(scope)).first->second;
  }

  void lint_htaccess(const std::string& path, OpenedFile file) {
    ++result_.htaccess_files;
    const std::string dir = parent_of(path);
    const core::FileFacts& facts = env_.remember(path, std::move(file));
    core::HtaccessDocument doc = core::parse_htaccess(*facts.content);
    core::HtaccessLintInput input;
    input.path = path;
    input.directory = dir;
    input.bytes = *facts.content;
    input.document = &doc;
    input.server = &config_.facts;
    input.directory_facts = config_.directory_facts(dir);
    input.inherited = scope_before(dir);
    report(core::lint_htaccess(input, env_));
    if (!scope_after_.contains(dir) && input.directory_facts.htaccess_read != false) {
      scope_after_.emplace(
          dir, core::merge_auth_level(input.inherited, doc.directives, path, config_.facts));
    }
  }

  // <Directory> sections of the server config that protect a linted directory, one of its
  // ancestors or one of its descendants: panels that write vhost includes (Plesk, HestiaCP,
  // aaPanel) keep their auth settings there.
  void lint_server_sections() {
    for (const auto& section : config_.directories) {
      if (section.regex || !linted_dir_related(section.path)) continue;
      bool has_auth = std::any_of(section.body.begin(), section.body.end(), [](const auto& d) {
        return d.kind == core::DirectiveKind::Directive &&
               (core::iequals(d.name, "AuthType") || core::iequals(d.name, "AuthName") ||
                core::iequals(d.name, "AuthUserFile") || core::iequals(d.name, "AuthGroupFile"));
      });
      if (!has_auth) continue;
      core::HtaccessDocument doc;
      doc.directives = section.body;
      core::HtaccessLintInput input;
      input.path = section.file;
      input.directory = section.path;
      input.document = &doc;
      input.server = &config_.facts;
      input.directory_facts = config_.directory_facts(section.path);
      input.inherited =
          section.path == "/" ? core::AuthScope{} : scope_after(parent_of(section.path));
      input.in_server_config = true;
      report(core::lint_htaccess(input, env_));
    }
  }

  bool linted_dir_related(const std::string& dir) const {
    auto under = [](const std::string& path, const std::string& root) {
      return path == root || root == "/" ||
             (path.starts_with(root) && path.size() > root.size() && path[root.size()] == '/');
    };
    return std::any_of(linted_dirs_.begin(), linted_dirs_.end(), [&](const std::string& linted) {
      return under(linted, dir) || (options_.recursive && under(dir, linted));
    });
  }

  void lint_password_file(const std::string& path) {
    const core::FileFacts& facts = env_.file(path);
    if (!facts.content) {
      output_.error(ExitCode::FileAccess, "cannot read " + path + ": " + facts.error);
      result_.path_errors = true;
      return;
    }
    report(env_.user_file(path).findings);
  }

  void report(const std::vector<core::LintFinding>& findings) {
    for (const auto& f : findings) {
      const auto& rule = core::lint_rule(f.rule);
      auto key = std::make_tuple(std::string(rule.id), f.file, f.line, f.message);
      if (!reported_.insert(std::move(key)).second) continue;
      ++result_.by_level[static_cast<std::size_t>(f.level)];
      output_.add_finding(Finding{std::string(rule.id), std::string(core::lint_level_name(f.level)),
                                  f.file, f.line, f.message, f.fix});
    }
  }

  const LintOptions& options_;
  const ServerConfig& config_;
  Output& output_;
  FsEnvironment env_;
  LintResult result_;
  std::unordered_map<std::string, core::AuthScope> scope_after_;
  std::vector<std::string> linted_dirs_;
  std::vector<char> dirents_ = std::vector<char>(32 * 1024);
  std::set<std::tuple<std::string, std::string, std::size_t, std::string>> reported_;
};

JsonValue config_json(const ServerConfig& config) {
  JsonValue object = JsonValue::object();
  object.set("file", config.facts.config_file);
  object.set("read", config.facts.known);
  if (!config.facts.known) {
    object.set("reason", config.facts.unknown_reason);
    return object;
  }
  object.set("server_root", config.facts.server_root);
  object.set("run_user", config.facts.run_user ? JsonValue(*config.facts.run_user) : JsonValue());
  if (!config.facts.run_user) object.set("run_user_note", config.facts.run_user_note);
  JsonValue roots = JsonValue::array();
  for (const auto& root : config.document_roots) roots.push(root);
  object.set("document_roots", std::move(roots));
  JsonValue modules = JsonValue::array();
  for (const auto& module : config.facts.modules) {
    if (module.ends_with("_module")) modules.push(module);
  }
  object.set("modules", std::move(modules));
  JsonValue warnings = JsonValue::array();
  for (const auto& warning : config.warnings) warnings.push(warning);
  object.set("warnings", std::move(warnings));
  return object;
}

}  // namespace

bool LintResult::reached(LintLevel level) const noexcept {
  for (auto l = static_cast<std::size_t>(level); l < by_level.size(); ++l) {
    if (by_level[l] > 0) return true;
  }
  return false;
}

LintResult run_lint_checks(const LintOptions& options, const ServerConfig& config, Output& output) {
  return LintRun(options, config, output).run();
}

ServerConfig load_config_for(const Args& args, Output& output) {
  auto named = args.value("server-config");
  ServerConfig config = load_server_config(named ? *named : default_server_config_path());
  output.root().set("server_config", config_json(config));
  if (!config.facts.known) {
    output.add_finding(Finding{
        std::string(core::lint_rule(core::LintId::ServerConfigUnknown).id),
        named ? "warning" : "info", config.facts.config_file, 0,
        "The server config could not be read (" + config.facts.unknown_reason +
            "), so AllowOverride, the user httpd runs as, DocumentRoot and loaded modules are "
            "unknown: checks AD-L002, AD-L003, AD-L011, AD-L013, AD-L027 and AD-L030 could not "
            "be made and some findings say 'unknown'.",
        "Pass --server-config with the httpd.conf in use."});
  } else if (!config.facts.run_user) {
    output.note("lint: " + config.facts.run_user_note +
                "; file readability as the httpd user was not checked");
  }
  return config;
}

int run_lint(const Args& args, Output& output) {
  output.set_action("lint");
  LintOptions options;
  options.paths = args.positionals();
  options.recursive = args.has("recursive");
  if (options.paths.empty()) return output.error(ExitCode::Usage, "lint needs at least one PATH");
  LintLevel fail_on = LintLevel::Error;
  if (auto level = args.value("fail-on")) {
    auto parsed = core::lint_level_from_name(*level);
    if (!parsed || *parsed == LintLevel::Info) {
      return output.error(ExitCode::Usage,
                          "--fail-on takes error or warning, not '" + *level + "'");
    }
    fail_on = *parsed;
  }
  ServerConfig config = load_config_for(args, output);
  LintResult result = run_lint_checks(options, config, output);

  JsonValue summary = JsonValue::object();
  summary.set("htaccess_files", std::uint64_t{result.htaccess_files});
  summary.set("directories", std::uint64_t{result.directories});
  summary.set("user_files", std::uint64_t{result.user_files});
  summary.set("errors", std::uint64_t{result.by_level[2]});
  summary.set("warnings", std::uint64_t{result.by_level[1]});
  summary.set("infos", std::uint64_t{result.by_level[0]});
  output.root().set("summary", std::move(summary));
  output.root().set("fail_on", std::string(core::lint_level_name(fail_on)));
  output.note("lint: " + std::to_string(result.by_level[2]) + " errors, " +
              std::to_string(result.by_level[1]) + " warnings, " +
              std::to_string(result.by_level[0]) + " notes in " +
              std::to_string(result.htaccess_files) + " .htaccess files");
  if (result.path_errors) return to_int(ExitCode::FileAccess);
  return result.reached(fail_on) ? to_int(ExitCode::ProblemsFound) : to_int(ExitCode::Success);
}

}  // namespace authdiag::cli
