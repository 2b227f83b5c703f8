// SPDX-License-Identifier: Apache-2.0
// httpd config reader for lint: one pass over the config in httpd's order, sections tracked on
// a stack that spans included files.
#include "cli/server_config.hpp"

#include "core/text.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fnmatch.h>
#include <fstream>
#include <glob.h>
#include <grp.h>
#include <map>
#include <pwd.h>
#include <regex>
#include <sstream>
#include <unistd.h>

namespace authdiag::cli {

namespace fs = std::filesystem;
using core::DirectiveKind;
using core::HtaccessDirective;
using core::iequals;

namespace {

// Compiled into Debian's apache2 (apache2 -l).
constexpr std::array<std::string_view, 16> kStaticModules{
    "core_module",       "core.c",           "so_module",    "mod_so.c",
    "watchdog_module",   "mod_watchdog.c",   "http_module",  "http_core.c",
    "log_config_module", "mod_log_config.c", "logio_module", "mod_logio.c",
    "version_module",    "mod_version.c",    "unixd_module", "mod_unixd.c"};

constexpr int kMaxIncludeDepth = 32;

std::optional<std::string> read_text(const std::string& path, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = std::strerror(errno);
    return std::nullopt;
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::string strip_trailing_slashes(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

bool has_wildcard(std::string_view path) {
  return path.find_first_of("*?[") != std::string_view::npos;
}

// "/" → 0, "/var" → 1, "/var/www" → 2.
std::size_t component_count(std::string_view path) {
  if (path == "/") return 0;
  return static_cast<std::size_t>(std::count(path.begin(), path.end(), '/'));
}

bool is_under_or_equal(std::string_view path, std::string_view root) {
  if (root == "/") return path.starts_with('/');
  return path == root ||
         (path.size() > root.size() && path.starts_with(root) && path[root.size()] == '/');
}

// Does the non-regex <Directory> pattern name `directory` itself?
bool directory_pattern_names(std::string_view pattern, std::string_view directory) {
  std::string pat = strip_trailing_slashes(std::string(pattern));
  if (!has_wildcard(pat)) return pat == directory;
  std::string dir(directory);
  return fnmatch(pat.c_str(), dir.c_str(), FNM_PATHNAME) == 0;
}

// Does the non-regex <Directory> pattern apply to `directory` (the directory itself or one of
// its ancestors, as httpd's directory walk does)?
bool directory_pattern_applies(std::string_view pattern, std::string_view directory) {
  std::string pat = strip_trailing_slashes(std::string(pattern));
  if (!has_wildcard(pat)) return is_under_or_equal(directory, pat);
  // Compare the pattern with the ancestor of `directory` that has as many components.
  std::size_t wanted = component_count(pat);
  std::string dir(directory);
  while (component_count(dir) > wanted) dir.resize(dir.rfind('/') == 0 ? 1 : dir.rfind('/'));
  return directory_pattern_names(pat, dir);
}

bool regex_matches(const std::string& pattern, const std::string& text) {
  try {
    return std::regex_search(text, std::regex(pattern, std::regex::extended));
  } catch (const std::regex_error&) {
    try {
      return std::regex_search(text, std::regex(pattern));
    } catch (const std::regex_error&) {
      return false;
    }
  }
}

// Applies the conditions httpd evaluates while reading the config.
class Evaluator {
 public:
  explicit Evaluator(ServerConfig& config) : config_(config) {}

  std::map<std::string, std::string> defines;
  std::map<std::string, std::string> envvars;

  bool condition(const HtaccessDirective& open) {
    if (open.args.empty()) return true;
    std::string arg = open.args.front();
    bool negate = arg.starts_with('!');
    if (negate) arg.erase(0, 1);
    bool value = true;
    if (iequals(open.name, "IfModule")) {
      value = has_module(arg);
    } else if (iequals(open.name, "IfDefine")) {
      value = defines.contains(arg);
    } else if (iequals(open.name, "IfFile")) {
      std::string path = arg.starts_with('/') ? arg : config_.facts.server_root + "/" + arg;
      std::error_code ec;
      value = fs::exists(path, ec);
    } else {
      return true;  // IfVersion, IfDirective, IfSection: assume they hold
    }
    return value != negate;
  }

  bool has_module(std::string_view name) const {
    const auto& modules = config_.facts.modules;
    if (std::any_of(modules.begin(), modules.end(),
                    [&](const std::string& m) { return iequals(m, name); })) {
      return true;
    }
    return std::any_of(kStaticModules.begin(), kStaticModules.end(),
                       [&](std::string_view m) { return iequals(m, name); });
  }

  // ${NAME} from Define, then envvars, then the environment; unknown names stay as written.
  std::string expand(std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i < text.size();) {
      if (text.compare(i, 2, "${") == 0) {
        auto end = text.find('}', i + 2);
        if (end != std::string_view::npos) {
          std::string name(text.substr(i + 2, end - i - 2));
          if (auto value = lookup(name)) {
            out += *value;
          } else {
            out += text.substr(i, end - i + 1);
            unresolved.push_back(name);
          }
          i = end + 1;
          continue;
        }
      }
      out += text[i++];
    }
    return out;
  }

  std::optional<std::string> lookup(const std::string& name) const {
    if (auto it = defines.find(name); it != defines.end()) return it->second;
    if (auto it = envvars.find(name); it != envvars.end()) return it->second;
    if (const char* value = std::getenv(name.c_str())) return std::string(value);
    return std::nullopt;
  }

  std::vector<std::string> unresolved;

 private:
  ServerConfig& config_;
};

// Debian's envvars is a shell fragment; its NAME=value assignments are all lint needs.
std::map<std::string, std::string> read_envvars(const std::string& path) {
  std::map<std::string, std::string> vars;
  std::string error;
  auto text = read_text(path, error);
  if (!text) return vars;
  std::istringstream in(*text);
  std::string line;
  std::regex assignment(R"(^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$)");
  while (std::getline(in, line)) {
    std::smatch m;
    if (!std::regex_match(line, m, assignment)) continue;
    std::string value = m[2].str();
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
        value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    }
    // $NAME and ${NAME} of earlier assignments.
    std::string expanded;
    for (std::size_t i = 0; i < value.size();) {
      if (value[i] == '$') {
        std::size_t start = i + 1;
        bool braced = start < value.size() && value[start] == '{';
        if (braced) ++start;
        std::size_t end = start;
        while (end < value.size() &&
               (std::isalnum(static_cast<unsigned char>(value[end])) != 0 || value[end] == '_')) {
          ++end;
        }
        if (end > start && (!braced || (end < value.size() && value[end] == '}'))) {
          auto it = vars.find(value.substr(start, end - start));
          if (it != vars.end()) expanded += it->second;
          i = braced ? end + 1 : end;
          continue;
        }
      }
      expanded += value[i++];
    }
    vars[m[1].str()] = expanded;
  }
  return vars;
}

enum class FrameKind : std::uint8_t { Conditional, Directory, VirtualHost, Files, Location, Other };

struct Frame {
  FrameKind kind = FrameKind::Other;
  bool active = true;
  HtaccessDirective open;
  std::vector<HtaccessDirective> body;  // for captured sections
  std::string vhost_root;               // VirtualHost: its DocumentRoot
  std::string server_name;              // VirtualHost: its ServerName
  std::string file;
};

bool body_requires(const std::vector<HtaccessDirective>& body, std::string_view provider,
                   std::string_view arg) {
  return std::any_of(body.begin(), body.end(), [&](const HtaccessDirective& d) {
    return d.kind == DirectiveKind::Directive && iequals(d.name, "Require") && d.args.size() >= 2 &&
           d.args[0] == provider && d.args[1] == arg;
  });
}

bool body_sets_auth_none(const std::vector<HtaccessDirective>& body) {
  return std::any_of(body.begin(), body.end(), [](const HtaccessDirective& d) {
    return d.kind == DirectiveKind::Directive && iequals(d.name, "AuthType") && !d.args.empty() &&
           iequals(d.args[0], "None");
  });
}

class Loader {
 public:
  explicit Loader(ServerConfig& config) : config_(config), eval_(config) {}

  bool load_main(const std::string& path) {
    std::string error;
    auto text = read_text(path, error);
    if (!text) {
      config_.facts.unknown_reason = "cannot read " + path + ": " + error;
      return false;
    }
    // ServerRoot defaults to the directory of the main file (Debian: /etc/apache2).
    config_.facts.server_root = fs::path(path).parent_path().string();
    eval_.envvars = read_envvars(config_.facts.server_root + "/envvars");
    stack_.push_back(Frame{});
    process_text(path, *text, 0);
    return true;
  }

  std::vector<std::string> unresolved() const { return eval_.unresolved; }
  std::optional<std::string> user;
  std::optional<std::string> group;

 private:
  Frame& top() { return stack_.back(); }
  Frame* innermost_capture() {
    for (auto it = stack_.rbegin(); it != stack_.rend(); ++it) {
      if (it->kind == FrameKind::Directory || it->kind == FrameKind::Files ||
          it->kind == FrameKind::Location) {
        return &*it;
      }
    }
    return nullptr;
  }
  Frame* vhost_frame() {
    for (auto it = stack_.rbegin(); it != stack_.rend(); ++it) {
      if (it->kind == FrameKind::VirtualHost) return &*it;
    }
    return nullptr;
  }
  const Frame* vhost() const {
    for (auto it = stack_.rbegin(); it != stack_.rend(); ++it) {
      if (it->kind == FrameKind::VirtualHost) return &*it;
    }
    return nullptr;
  }

  void process_text(const std::string& file, const std::string& text, int depth) {
    core::HtaccessDocument doc = core::parse_htaccess(text);
    for (auto directive : doc.directives) {
      for (auto& arg : directive.args) arg = eval_.expand(arg);
      directive.raw_args = eval_.expand(directive.raw_args);
      process(file, directive, depth);
    }
  }

  void process(const std::string& file, const HtaccessDirective& d, int depth) {
    const bool active = top().active;
    if (d.kind == DirectiveKind::SectionOpen) {
      open_section(file, d, active);
      return;
    }
    if (d.kind == DirectiveKind::SectionClose) {
      close_section(d);
      return;
    }
    if (!active) return;
    if (Frame* capture = innermost_capture()) {
      capture->body.push_back(d);
      if (!(iequals(d.name, "Include") || iequals(d.name, "IncludeOptional"))) return;
    }
    if (iequals(d.name, "Include") || iequals(d.name, "IncludeOptional")) {
      for (const auto& pattern : d.args) {
        include(file, d, pattern, iequals(d.name, "IncludeOptional"), depth);
      }
    } else if (iequals(d.name, "ServerRoot") && !d.args.empty()) {
      config_.facts.server_root = strip_trailing_slashes(d.args[0]);
    } else if (iequals(d.name, "Define") && !d.args.empty()) {
      eval_.defines[d.args[0]] = d.args.size() > 1 ? d.args[1] : "";
    } else if (iequals(d.name, "UnDefine") && !d.args.empty()) {
      eval_.defines.erase(d.args[0]);
    } else if (iequals(d.name, "LoadModule") && d.args.size() >= 2) {
      config_.facts.modules.push_back(d.args[0]);
      std::string stem = fs::path(d.args[1]).stem().string();  // mod_access_compat
      config_.facts.modules.push_back(stem + ".c");
    } else if (iequals(d.name, "User") && !d.args.empty() && vhost() == nullptr) {
      user = d.args[0];
    } else if (iequals(d.name, "Group") && !d.args.empty() && vhost() == nullptr) {
      group = d.args[0];
    } else if (iequals(d.name, "DocumentRoot") && !d.args.empty()) {
      std::string root = strip_trailing_slashes(absolute(d.args[0]));
      add_unique(config_.document_roots, root);
      add_unique(config_.facts.served_roots, root);
      if (Frame* host = vhost_frame()) {
        host->vhost_root = root;
      } else {
        config_.main_document_root = root;
      }
    } else if (iequals(d.name, "ServerName") && !d.args.empty()) {
      if (Frame* host = vhost_frame()) {
        host->server_name = d.args[0];
      } else {
        config_.main_server_name = d.args[0];
      }
    } else if (iequals(d.name, "Listen") && !d.args.empty()) {
      if (d.args.size() < 2 || iequals(d.args[1], "http")) config_.listen.push_back(d.args[0]);
    } else if ((iequals(d.name, "Alias") || iequals(d.name, "ScriptAlias")) && d.args.size() >= 2) {
      add_unique(config_.facts.served_roots, strip_trailing_slashes(absolute(d.args[1])));
    } else if (iequals(d.name, "AccessFileName") && !d.args.empty()) {
      config_.access_file_names = d.args;
    }
  }

  std::string absolute(const std::string& path) const {
    return path.starts_with('/') ? path : config_.facts.server_root + "/" + path;
  }

  static void add_unique(std::vector<std::string>& list, const std::string& value) {
    if (std::find(list.begin(), list.end(), value) == list.end()) list.push_back(value);
  }

  void open_section(const std::string& file, const HtaccessDirective& d, bool active) {
    Frame frame;
    frame.open = d;
    frame.file = file;
    frame.active = active;
    const std::string& name = d.name;
    if (iequals(name, "IfModule") || iequals(name, "IfDefine") || iequals(name, "IfVersion") ||
        iequals(name, "IfFile") || iequals(name, "IfDirective") || iequals(name, "IfSection")) {
      frame.kind = FrameKind::Conditional;
      frame.active = active && eval_.condition(d);
      stack_.push_back(std::move(frame));
      return;
    }
    // Sections nested in a captured section belong to its body.
    if (active && innermost_capture() != nullptr) innermost_capture()->body.push_back(d);
    if (iequals(name, "Directory") || iequals(name, "DirectoryMatch")) {
      frame.kind = FrameKind::Directory;
    } else if (iequals(name, "VirtualHost")) {
      frame.kind = FrameKind::VirtualHost;
    } else if (iequals(name, "Files") || iequals(name, "FilesMatch")) {
      frame.kind = FrameKind::Files;
    } else if (iequals(name, "Location") || iequals(name, "LocationMatch")) {
      frame.kind = FrameKind::Location;
    } else {
      frame.kind = FrameKind::Other;
    }
    if (frame.kind != FrameKind::Other && innermost_capture() != nullptr &&
        frame.kind != FrameKind::VirtualHost) {
      // Nested inside a captured section: the outer body already holds it.
      frame.kind = FrameKind::Other;
    }
    stack_.push_back(std::move(frame));
  }

  void close_section(const HtaccessDirective& d) {
    if (stack_.size() <= 1) return;
    Frame frame = std::move(stack_.back());
    stack_.pop_back();
    if (frame.kind == FrameKind::Conditional) return;
    if (frame.active && innermost_capture() != nullptr) innermost_capture()->body.push_back(d);
    if (!frame.active) return;
    switch (frame.kind) {
      case FrameKind::Directory:
        finish_directory(frame);
        break;
      case FrameKind::Files:
        finish_files(frame);
        break;
      case FrameKind::Location:
        finish_location(frame);
        break;
      case FrameKind::VirtualHost:
        assign_vhost_roots(frame.vhost_root);
        config_.virtual_hosts.push_back({frame.open.args, frame.server_name, frame.vhost_root});
        break;
      default:
        break;
    }
  }

  void finish_directory(Frame& frame) {
    DirectorySection section;
    const auto& args = frame.open.args;
    section.regex =
        iequals(frame.open.name, "DirectoryMatch") || (args.size() >= 2 && args[0] == "~");
    section.path = args.empty() ? std::string() : args.back();
    if (!section.regex) section.path = strip_trailing_slashes(absolute(section.path));
    section.file = frame.file;
    section.line = frame.open.first_line;
    section.in_vhost = vhost() != nullptr;
    section.body = std::move(frame.body);
    if (section.in_vhost) pending_vhost_sections_.push_back(config_.directories.size());
    config_.directories.push_back(std::move(section));
    if (body_requires(config_.directories.back().body, "all", "granted") &&
        config_.directories.back().path.find(".well-known") != std::string::npos) {
      config_.facts.acme_open = true;
    }
  }

  void assign_vhost_roots(const std::string& root) {
    // A virtual host without DocumentRoot serves the main server's.
    for (std::size_t index : pending_vhost_sections_) {
      auto& section = config_.directories[index];
      if (root.empty()) {
        section.in_vhost = false;
      } else {
        section.vhost_roots.push_back(root);
      }
    }
    pending_vhost_sections_.clear();
  }

  void finish_files(const Frame& frame) {
    if (frame.open.args.empty() || !body_requires(frame.body, "all", "denied")) return;
    bool match = iequals(frame.open.name, "FilesMatch") ||
                 (frame.open.args.size() >= 2 && frame.open.args[0] == "~");
    const std::string& pattern = frame.open.args.back();
    bool denies =
        match ? regex_matches(pattern, ".htpasswd") : fnmatch(pattern.c_str(), ".htpasswd", 0) == 0;
    if (denies && innermost_capture() == nullptr) config_.facts.denies_ht_files = true;
  }

  void finish_location(const Frame& frame) {
    if (frame.open.args.empty()) return;
    const std::string& pattern = frame.open.args.back();
    bool match = iequals(frame.open.name, "LocationMatch") ||
                 (frame.open.args.size() >= 2 && frame.open.args[0] == "~");
    bool covers = match ? regex_matches(pattern, "/.well-known/acme-challenge/x")
                        : std::string_view("/.well-known/acme-challenge/x")
                              .starts_with(strip_trailing_slashes(pattern));
    if (covers &&
        (body_requires(frame.body, "all", "granted") || body_sets_auth_none(frame.body))) {
      config_.facts.acme_open = true;
    }
  }

  void include(const std::string& file, const HtaccessDirective& d, const std::string& pattern,
               bool optional, int depth) {
    if (depth >= kMaxIncludeDepth) {
      config_.warnings.push_back(file + ":" + std::to_string(d.first_line) +
                                 ": includes nested too deeply");
      return;
    }
    std::string full = absolute(pattern);
    std::vector<std::string> files;
    if (has_wildcard(full)) {
      glob_t matches{};
      if (glob(full.c_str(), 0, nullptr, &matches) == 0) {
        for (std::size_t i = 0; i < matches.gl_pathc; ++i) files.emplace_back(matches.gl_pathv[i]);
      } else if (!optional) {
        config_.warnings.push_back(file + ":" + std::to_string(d.first_line) +
                                   ": no file matches Include " + pattern);
      }
      globfree(&matches);
    } else {
      files.push_back(full);
    }
    for (const auto& path : files) {
      std::error_code ec;
      if (fs::is_directory(path, ec)) {
        std::vector<std::string> inner;
        for (const auto& entry : fs::recursive_directory_iterator(path, ec)) {
          if (entry.is_regular_file(ec)) inner.push_back(entry.path().string());
        }
        std::sort(inner.begin(), inner.end());
        for (const auto& p : inner) include_file(file, d, p, optional, depth);
      } else {
        include_file(file, d, path, optional, depth);
      }
    }
  }

  void include_file(const std::string& file, const HtaccessDirective& d, const std::string& path,
                    bool optional, int depth) {
    std::string error;
    auto text = read_text(path, error);
    if (!text) {
      if (!optional || has_wildcard(path)) {
        config_.warnings.push_back(file + ":" + std::to_string(d.first_line) + ": cannot read " +
                                   path + ": " + error);
      }
      return;
    }
    process_text(path, *text, depth + 1);
  }

  ServerConfig& config_;
  Evaluator eval_;
  std::vector<Frame> stack_;
  std::vector<std::size_t> pending_vhost_sections_;
};

struct OverrideSetting {
  std::optional<std::vector<std::string>> allow_override;
  std::optional<std::vector<std::string>> allow_override_list;
  std::string origin;
};

// AllowOverride / AllowOverrideList at the top level of a section body.
void read_overrides(const DirectorySection& section, OverrideSetting& setting) {
  std::size_t depth = 0;
  for (const auto& d : section.body) {
    if (d.kind == DirectiveKind::SectionOpen) ++depth;
    if (d.kind == DirectiveKind::SectionClose && depth > 0) --depth;
    if (depth > 0 || d.kind != DirectiveKind::Directive) continue;
    std::string origin = fs::path(section.file).filename().string() + ":" +
                         std::to_string(d.first_line) + " <Directory " + section.path + ">";
    if (iequals(d.name, "AllowOverride")) {
      setting.allow_override = d.args;
      setting.origin = origin;
    } else if (iequals(d.name, "AllowOverrideList")) {
      setting.allow_override_list = d.args;
      setting.origin = origin;
    }
  }
}

bool contains_word(const std::vector<std::string>& words, std::string_view word) {
  return std::any_of(words.begin(), words.end(), [&](const std::string& w) {
    return iequals(w, word) || (w.size() > word.size() && iequals(w.substr(0, word.size()), word) &&
                                w[word.size()] == '=');
  });
}

}  // namespace

std::string default_server_config_path() {
  const char* dir = std::getenv("APACHE_CONFDIR");
  return std::string(dir != nullptr && *dir != '\0' ? dir : "/etc/apache2") + "/apache2.conf";
}

ServerConfig load_server_config(const std::string& main_file) {
  ServerConfig config;
  config.facts.config_file = main_file;
  Loader loader(config);
  if (!loader.load_main(main_file)) return config;
  config.facts.known = true;
  for (const auto& name : loader.unresolved()) {
    config.warnings.push_back("unknown variable ${" + name + "}");
  }
  if (!loader.user) {
    config.facts.run_user_note = "the config sets no User directive";
  } else if (loader.user->find("${") != std::string::npos) {
    config.facts.run_user_note = "User " + *loader.user + " could not be resolved";
  } else {
    std::string name = *loader.user;
    struct passwd* pw = nullptr;
    if (name.starts_with('#')) {
      pw = getpwuid(static_cast<uid_t>(std::strtoul(name.c_str() + 1, nullptr, 10)));
    } else {
      pw = getpwnam(name.c_str());
    }
    if (pw == nullptr) {
      config.facts.run_user_note = "User " + name + " does not exist on this system";
    } else {
      RunIdentity identity;
      identity.uid = pw->pw_uid;
      identity.gid = pw->pw_gid;
      if (loader.group && loader.group->find("${") == std::string::npos) {
        if (struct group* gr = loader.group->starts_with('#')
                                   ? getgrgid(static_cast<gid_t>(
                                         std::strtoul(loader.group->c_str() + 1, nullptr, 10)))
                                   : getgrnam(loader.group->c_str())) {
          identity.gid = gr->gr_gid;
        }
      }
      int count = 64;
      std::vector<gid_t> groups(static_cast<std::size_t>(count));
      if (getgrouplist(pw->pw_name, identity.gid, groups.data(), &count) == -1) {
        groups.resize(static_cast<std::size_t>(count));
        getgrouplist(pw->pw_name, identity.gid, groups.data(), &count);
      }
      groups.resize(static_cast<std::size_t>(std::max(count, 0)));
      identity.groups = std::move(groups);
      config.facts.run_user =
          std::string(pw->pw_name) + " (uid " + std::to_string(pw->pw_uid) + ")";
      config.identity = std::move(identity);
    }
  }
  return config;
}

core::DirectoryFacts ServerConfig::directory_facts(std::string_view directory) const {
  core::DirectoryFacts out;
  if (!facts.known) return out;
  std::string dir = strip_trailing_slashes(std::string(directory));
  for (const auto& root : document_roots) {
    if (is_under_or_equal(dir, root) &&
        (!out.document_root || root.size() > out.document_root->size())) {
      out.document_root = root;
    }
  }
  // Non-regex <Directory> sections that apply, shortest first; ties in config order.
  std::vector<const DirectorySection*> sections;
  for (const auto& section : directories) {
    if (section.regex || !section_serves(section, dir) ||
        !directory_pattern_applies(section.path, dir)) {
      continue;
    }
    sections.push_back(&section);
  }
  std::stable_sort(sections.begin(), sections.end(), [](const auto* a, const auto* b) {
    return component_count(a->path) < component_count(b->path);
  });
  OverrideSetting setting;
  for (const auto* section : sections) read_overrides(*section, setting);
  const auto& allow = setting.allow_override;
  const auto& list = setting.allow_override_list;
  bool none = !allow || (allow->size() == 1 && iequals(allow->front(), "None"));
  bool list_none = !list || (list->size() == 1 && iequals(list->front(), "None"));
  out.htaccess_read = !none || !list_none;
  bool all = allow && contains_word(*allow, "All");
  out.auth_config_allowed = all || (allow && contains_word(*allow, "AuthConfig")) ||
                            (list && contains_word(*list, "AuthType"));
  out.override_origin =
      setting.origin.empty() ? std::string("httpd default: AllowOverride None") : setting.origin;
  return out;
}

bool ServerConfig::section_serves(const DirectorySection& section, std::string_view directory) {
  return !section.in_vhost ||
         std::any_of(section.vhost_roots.begin(), section.vhost_roots.end(),
                     [&](const std::string& root) { return is_under_or_equal(directory, root); });
}

core::AuthScope ServerConfig::merge_sections(const core::AuthScope& parent,
                                             std::string_view directory) const {
  core::AuthScope scope = parent;
  if (!facts.known) return scope;
  std::string dir = strip_trailing_slashes(std::string(directory));
  for (const auto& section : directories) {
    if (!section.regex && section_serves(section, dir) &&
        directory_pattern_names(section.path, dir)) {
      scope = core::merge_auth_level(scope, section.body, section.file, facts);
    }
  }
  for (const auto& section : directories) {
    if (section.regex && section_serves(section, dir) && regex_matches(section.path, dir)) {
      scope = core::merge_auth_level(scope, section.body, section.file, facts);
    }
  }
  return scope;
}

}  // namespace authdiag::cli
