// SPDX-License-Identifier: Apache-2.0
// .htaccess tokenizer, managed protection block and foreign auth detection (see htaccess.hpp).
#include "core/htaccess.hpp"

#include "core/denial_record.hpp"
#include "core/password_file.hpp"
#include "core/text.hpp"
#include "core/utf8.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace authdiag::core {
namespace {

constexpr std::string_view kBeginMarker = "# BEGIN authdiag protection";
constexpr std::string_view kEndMarker = "# END authdiag protection";
constexpr std::string_view kMarkerTail = "-- managed by authdiag, do not edit";

bool istarts_with(std::string_view s, std::string_view prefix) noexcept {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

// ap_getword_conf: one word, quotes removed, \\ and \<quote> unescaped.
std::string getword_conf(std::string_view& rest) {
  while (!rest.empty() && is_space(rest.front())) rest.remove_prefix(1);
  std::string word;
  if (rest.empty()) return word;
  const char quote = rest.front();
  std::size_t end = 0;
  std::string_view body;
  if (quote == '"' || quote == '\'') {
    end = 1;
    while (end < rest.size() && rest[end] != quote) {
      if (rest[end] == '\\' && end + 1 < rest.size() &&
          (rest[end + 1] == quote || rest[end + 1] == '\\')) {
        end += 2;
      } else {
        ++end;
      }
    }
    body = rest.substr(1, end - 1);
    if (end < rest.size()) ++end;  // closing quote
  } else {
    while (end < rest.size() && !is_space(rest[end])) ++end;
    body = rest.substr(0, end);
  }
  for (std::size_t i = 0; i < body.size(); ++i) {
    if (body[i] == '\\' && i + 1 < body.size() &&
        (body[i + 1] == '\\' || ((quote == '"' || quote == '\'') && body[i + 1] == quote))) {
      ++i;
    }
    word += body[i];
  }
  rest.remove_prefix(end);
  while (!rest.empty() && is_space(rest.front())) rest.remove_prefix(1);
  return word;
}

std::vector<std::string> split_args(std::string_view raw) {
  std::vector<std::string> args;
  raw = trim(raw);
  while (!raw.empty()) args.push_back(getword_conf(raw));
  return args;
}

bool is_scoping_section(std::string_view name) noexcept {
  static constexpr std::array<std::string_view, 7> kScoping{
      "Files", "FilesMatch", "If", "ElseIf", "Else", "Limit", "LimitExcept"};
  return std::any_of(kScoping.begin(), kScoping.end(),
                     [name](std::string_view s) { return iequals(s, name); });
}

bool is_require_section(std::string_view name) noexcept {
  return iequals(name, "RequireAll") || iequals(name, "RequireAny") || iequals(name, "RequireNone");
}

// Require providers that do not involve a login.
bool is_access_provider(std::string_view provider) noexcept {
  static constexpr std::array<std::string_view, 8> kAccess{
      "all", "ip", "host", "env", "method", "expr", "forward-dns", "local"};
  return std::any_of(kAccess.begin(), kAccess.end(),
                     [provider](std::string_view s) { return iequals(s, provider); });
}

bool is_hex64(std::string_view s) noexcept {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

std::string body_checksum(const std::vector<std::string>& body) {
  std::string joined;
  for (const auto& line : body) {
    joined += line;
    joined += '\n';
  }
  return sha256_hex(joined);
}

bool has_control(std::string_view s) noexcept {
  return std::any_of(s.begin(), s.end(), [](char c) {
    const auto b = static_cast<unsigned char>(c);
    return b < 0x20 || b == 0x7f;
  });
}

// Undoes the ap_expr string escapes quote_realm adds (\X → X).
std::string expr_unescape(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) ++i;
    out += s[i];
  }
  return out;
}

// Settings of a body written by render_block_body(), or nullopt.
std::optional<ProtectionSettings> parse_block_body(const std::vector<std::string>& body) {
  if (body.size() != 4) return std::nullopt;
  ProtectionSettings settings;
  std::vector<std::vector<std::string>> lines;
  for (const auto& line : body) {
    std::string_view rest = line;
    std::vector<std::string> words;
    while (!trim(rest).empty()) words.push_back(getword_conf(rest));
    lines.push_back(std::move(words));
  }
  if (lines[0] != std::vector<std::string>{"AuthType", "Basic"}) return std::nullopt;
  if (lines[1].size() != 2 || lines[1][0] != "AuthName") return std::nullopt;
  if (lines[2].size() != 2 || lines[2][0] != "AuthUserFile") return std::nullopt;
  if (lines[3].size() < 2 || lines[3][0] != "Require") return std::nullopt;
  settings.realm = expr_unescape(lines[1][1]);
  settings.user_file = lines[2][1];
  if (lines[3][1] == "valid-user" && lines[3].size() == 2) {
    settings.require_kind = "valid-user";
  } else if ((lines[3][1] == "user" || lines[3][1] == "group") && lines[3].size() > 2) {
    settings.require_kind = lines[3][1];
    settings.require_names.assign(lines[3].begin() + 2, lines[3].end());
  } else {
    return std::nullopt;
  }
  return settings;
}

std::string join_lines(const HtaccessDocument& document, std::size_t first, std::size_t last) {
  std::string out;
  for (std::size_t i = first; i < last && i < document.lines.size(); ++i) {
    out += document.lines[i].text;
    out += document.lines[i].ending;
  }
  return out;
}

}  // namespace

HtaccessDocument parse_htaccess(std::string_view bytes) {
  HtaccessDocument document;
  document.has_bom = starts_with_utf8_bom(bytes);
  document.lines.reserve(raw_line_capacity(bytes));
  for_each_raw_line(bytes, [&](const RawLine& raw) {
    HtaccessLine line;
    line.number = document.lines.size() + 1;
    line.offset = raw.offset;
    line.text = std::string(raw.text);
    line.ending = std::string(raw.ending);
    document.lines.push_back(std::move(line));
  });

  std::vector<std::string> stack;
  std::vector<std::size_t> stack_lines;
  for (std::size_t i = 0; i < document.lines.size();) {
    const std::size_t first = i;
    std::string logical;
    while (true) {
      std::string_view text = document.lines[i].text;
      if (const auto nul = text.find('\0'); nul != std::string_view::npos) {
        document.issues.push_back({HtaccessIssueKind::Nul, i + 1, "NUL byte"});
        text = text.substr(0, nul);
      }
      ++i;
      if (!text.empty() && text.back() == '\\' && i < document.lines.size()) {
        logical.append(text.substr(0, text.size() - 1));
        continue;
      }
      logical.append(text);
      break;
    }
    std::string_view content = trim(logical);
    if (content.empty() || content.front() == '#') continue;

    HtaccessDirective directive;
    directive.first_line = first + 1;
    directive.last_line = i;
    directive.sections = stack;
    if (content.size() >= 2 && content[0] == '<' && content[1] == '/') {
      directive.kind = DirectiveKind::SectionClose;
      std::string_view name = content.substr(2);
      if (!name.empty() && name.back() == '>') name.remove_suffix(1);
      directive.name = std::string(trim(name));
      if (stack.empty()) {
        document.issues.push_back(
            {HtaccessIssueKind::UnexpectedClose, first + 1, "</" + directive.name + "> without <"});
      } else {
        if (!iequals(stack.back(), directive.name)) {
          document.issues.push_back({HtaccessIssueKind::MismatchedClose, first + 1,
                                     "</" + directive.name + "> closes <" + stack.back() + ">"});
        }
        stack.pop_back();
        stack_lines.pop_back();
        directive.sections = stack;
      }
    } else if (content[0] == '<') {
      directive.kind = DirectiveKind::SectionOpen;
      std::string_view rest = content.substr(1);
      std::size_t name_end = 0;
      while (name_end < rest.size() && !is_space(rest[name_end]) && rest[name_end] != '>') {
        ++name_end;
      }
      directive.name = std::string(rest.substr(0, name_end));
      std::string_view args = trim(rest.substr(name_end));
      if (!args.empty() && args.back() == '>') {
        args.remove_suffix(1);
      } else {
        document.issues.push_back({HtaccessIssueKind::SectionWithoutClose, first + 1,
                                   "<" + directive.name + " without '>'"});
      }
      directive.raw_args = std::string(trim(args));
      directive.args = split_args(directive.raw_args);
      stack.push_back(directive.name);
      stack_lines.push_back(first + 1);
    } else {
      directive.kind = DirectiveKind::Directive;
      std::string_view rest = content;
      directive.name = getword_conf(rest);
      directive.raw_args = std::string(trim(rest));
      directive.args = split_args(directive.raw_args);
    }
    document.directives.push_back(std::move(directive));
  }
  for (std::size_t k = 0; k < stack.size(); ++k) {
    document.issues.push_back(
        {HtaccessIssueKind::UnclosedSection, stack_lines[k], "<" + stack[k] + "> is never closed"});
  }
  return document;
}

std::string serialize_htaccess(const HtaccessDocument& document) {
  return join_lines(document, 0, document.lines.size());
}

std::string_view dominant_line_ending(const HtaccessDocument& document) {
  for (const auto& line : document.lines) {
    if (!line.ending.empty()) return line.ending == "\r\n" ? "\r\n" : "\n";
  }
  return "\n";
}

std::string_view quote_error_message(QuoteError error) noexcept {
  switch (error) {
    case QuoteError::Empty:
      return "must not be empty";
    case QuoteError::ControlCharacter:
      return "must not contain control characters";
    case QuoteError::Backslash:
      return "must not contain a backslash (httpd does not escape it in the challenge, and a "
             "trailing one aborts the httpd child)";
    case QuoteError::NotAbsolute:
      return "must be an absolute path";
    case QuoteError::InvalidUtf8:
      return "must be valid UTF-8";
  }
  return "is invalid";
}

QuotedResult quote_realm(std::string_view realm) {
  if (realm.empty()) return {{}, QuoteError::Empty};
  if (has_control(realm)) return {{}, QuoteError::ControlCharacter};
  if (realm.find('\\') != std::string_view::npos) return {{}, QuoteError::Backslash};
  if (!is_valid_utf8(realm)) return {{}, QuoteError::InvalidUtf8};
  std::string quoted = "\"";
  for (const char c : realm) {
    if (c == '"') {
      quoted += "\\\"";
    } else if (c == '%') {
      quoted += "\\%";
    } else {
      quoted += c;
    }
  }
  quoted += '"';
  return {std::move(quoted), std::nullopt};
}

QuotedResult quote_path(std::string_view path) {
  if (path.empty()) return {{}, QuoteError::Empty};
  if (has_control(path)) return {{}, QuoteError::ControlCharacter};
  if (path.front() != '/') return {{}, QuoteError::NotAbsolute};
  std::string quoted = "\"";
  for (const char c : path) {
    if (c == '"' || c == '\\') quoted += '\\';
    quoted += c;
  }
  quoted += '"';
  return {std::move(quoted), std::nullopt};
}

bool is_safe_require_name(std::string_view name) noexcept {
  if (validate_username(name)) return false;
  return name.find_first_of("\"'\\%") == std::string_view::npos;
}

std::vector<std::string> render_block_body(const ProtectionSettings& settings) {
  std::string require = "Require " + settings.require_kind;
  for (const auto& name : settings.require_names) require += " " + name;
  return {"AuthType Basic", "AuthName " + quote_realm(settings.realm).quoted,
          "AuthUserFile " + quote_path(settings.user_file).quoted, std::move(require)};
}

BlockScan find_managed_block(const HtaccessDocument& document) {
  BlockScan scan;
  constexpr std::size_t kOutsideBlock = std::string_view::npos;
  std::size_t begin = kOutsideBlock;  // index of the open block's BEGIN line
  ManagedBlock current;
  for (std::size_t i = 0; i < document.lines.size(); ++i) {
    const std::string_view text = trim(document.lines[i].text);
    if (text.substr(0, kBeginMarker.size()) == kBeginMarker) {
      if (begin != kOutsideBlock) return {std::nullopt, BlockScanError::Nested, i + 1};
      if (scan.block) return {std::nullopt, BlockScanError::Multiple, i + 1};
      current = ManagedBlock{};
      current.begin_line = i + 1;
      std::string_view rest = text.substr(kBeginMarker.size());
      bool version_ok = false;
      while (!trim(rest).empty()) {
        const std::string word = getword_conf(rest);
        if (word == "--") break;
        if (word == "v1") {
          current.version = 1;
          version_ok = true;
        } else if (word.rfind("sha256=", 0) == 0) {
          current.recorded_sha256 = word.substr(7);
        } else if (word == "created") {
          current.created_file = true;
        } else {
          return {std::nullopt, BlockScanError::BadMarker, i + 1};
        }
      }
      if (!version_ok || !is_hex64(current.recorded_sha256)) {
        return {std::nullopt, BlockScanError::BadMarker, i + 1};
      }
      begin = i;
    } else if (text == kEndMarker) {
      if (begin == kOutsideBlock) return {std::nullopt, BlockScanError::UnexpectedEnd, i + 1};
      current.end_line = i + 1;
      for (std::size_t k = begin + 1; k < i; ++k) current.body.push_back(document.lines[k].text);
      current.actual_sha256 = body_checksum(current.body);
      current.settings = parse_block_body(current.body);
      scan.block = std::exchange(current, ManagedBlock{});
      begin = kOutsideBlock;
    }
  }
  if (begin != kOutsideBlock) return {std::nullopt, BlockScanError::Unterminated, begin + 1};
  return scan;
}

std::string apply_managed_block(const HtaccessDocument& document, const BlockScan& scan,
                                const ProtectionSettings& settings, bool file_existed) {
  const std::string ending(dominant_line_ending(document));
  const std::vector<std::string> body = render_block_body(settings);
  const bool created = scan.block ? scan.block->created_file : !file_existed;
  std::string block = std::string(kBeginMarker) + " v" + std::to_string(kManagedBlockVersion) +
                      " sha256=" + body_checksum(body) + (created ? " created" : "") + " " +
                      std::string(kMarkerTail) + ending;
  for (const auto& line : body) block += line + ending;
  block += kEndMarker;
  if (!scan.block) return block + ending + serialize_htaccess(document);
  const auto& old_end = document.lines[scan.block->end_line - 1];
  block += old_end.ending.empty() ? std::string() : ending;
  return join_lines(document, 0, scan.block->begin_line - 1) + block +
         join_lines(document, scan.block->end_line, document.lines.size());
}

std::string remove_managed_block(const HtaccessDocument& document, const BlockScan& scan) {
  if (!scan.block) return serialize_htaccess(document);
  return join_lines(document, 0, scan.block->begin_line - 1) +
         join_lines(document, scan.block->end_line, document.lines.size());
}

std::string_view panel_name(Panel panel) noexcept {
  switch (panel) {
    case Panel::None:
      return "none";
    case Panel::Manual:
      return "manual";
    case Panel::Cpanel:
      return "cpanel";
    case Panel::Ispconfig:
      return "ispconfig";
    case Panel::Cyberpanel:
      return "cyberpanel";
    case Panel::Aapanel:
      return "aapanel";
  }
  return "none";
}

std::optional<Panel> panel_from_name(std::string_view name) noexcept {
  static constexpr std::array<std::pair<std::string_view, Panel>, 9> kNames{{
      {"manual", Panel::Manual},
      {"hand-written", Panel::Manual},
      {"webmin", Panel::Manual},
      {"virtualmin", Panel::Manual},
      {"cpanel", Panel::Cpanel},
      {"ispconfig", Panel::Ispconfig},
      {"cyberpanel", Panel::Cyberpanel},
      {"aapanel", Panel::Aapanel},
      {"baota", Panel::Aapanel},
  }};
  for (const auto& [key, panel] : kNames) {
    if (iequals(key, name)) return panel;
  }
  return std::nullopt;
}

namespace {

struct MarkerPair {
  Panel panel;
  bool (*is_begin)(std::string_view);
  bool (*is_end)(std::string_view);
  std::string_view summary;
};

bool cpanel_marker(std::string_view t) {
  return !t.empty() && t.front() == '#' && t.size() >= 7 && t.substr(t.size() - 7) == "-cp:ppd";
}
bool cpanel_end(std::string_view t) {
  return cpanel_marker(t) && t.find("End section managed by cPanel") != std::string_view::npos;
}
bool ispconfig_begin(std::string_view t) {
  return istarts_with(t, "### ISPConfig folder protection begin");
}
bool ispconfig_end(std::string_view t) {
  return istarts_with(t, "### ISPConfig folder protection end");
}
bool cyberpanel_begin(std::string_view t) {
  return t.substr(0, 35) == "### PASSWORD PROTECTION CONF STARTS";
}
bool cyberpanel_end(std::string_view t) {
  return t.substr(0, 33) == "### PASSWORD PROTECTION CONF ENDS";
}
bool aapanel_begin(std::string_view t) { return t == "#AUTH_START"; }
bool aapanel_end(std::string_view t) { return t == "#AUTH_END"; }

constexpr std::array<MarkerPair, 4> kMarkers{{
    {Panel::Cpanel, cpanel_marker, cpanel_end, "cPanel Password Protected Directories block"},
    {Panel::Ispconfig, ispconfig_begin, ispconfig_end, "ISPConfig folder protection block"},
    {Panel::Cyberpanel, cyberpanel_begin, cyberpanel_end, "CyberPanel password protection block"},
    {Panel::Aapanel, aapanel_begin, aapanel_end, "aaPanel #AUTH_START block"},
}};

bool is_auth_directive(const HtaccessDirective& d) {
  if (d.kind != DirectiveKind::Directive) return false;
  if (istarts_with(d.name, "Auth") || iequals(d.name, "Satisfy")) return true;
  return false;
}

}  // namespace

ForeignAuth find_foreign_auth(const HtaccessDocument& document, const BlockScan& scan) {
  ForeignAuth result;
  const std::size_t n = document.lines.size();
  // 1-based line → owner: 0 free, 1 managed block, 2 panel region.
  std::vector<std::uint8_t> owner(n + 2, 0);
  if (scan.block) {
    for (std::size_t l = scan.block->begin_line; l <= scan.block->end_line && l < owner.size();
         ++l) {
      owner[l] = 1;
    }
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (owner[i + 1] != 0) continue;
    const std::string_view text = trim(document.lines[i].text);
    for (const auto& marker : kMarkers) {
      if (!marker.is_begin(text) || marker.is_end(text)) continue;
      std::size_t last = i;
      bool closed = false;
      for (std::size_t k = i + 1; k < n && owner[k + 1] == 0; ++k) {
        if (marker.is_end(trim(document.lines[k].text))) {
          last = k;
          closed = true;
          break;
        }
      }
      if (closed && marker.panel == Panel::Cpanel) {
        while (last + 1 < n && owner[last + 2] == 0 &&
               cpanel_marker(trim(document.lines[last + 1].text))) {
          ++last;
        }
      } else if (!closed) {
        while (last + 1 < n && owner[last + 2] == 0 &&
               marker.is_begin(trim(document.lines[last + 1].text))) {
          ++last;
        }
      }
      for (std::size_t l = i + 1; l <= last + 1; ++l) owner[l] = 2;
      result.regions.push_back({marker.panel, i + 1, last + 1, false,
                                std::string(marker.summary) + (closed ? "" : " (no end marker)")});
      if (result.panel == Panel::None || result.panel == Panel::Manual) result.panel = marker.panel;
      break;
    }
  }

  // Directives may come from elsewhere than `lines` (a server config section): no owner then.
  const auto owner_of = [&owner](std::size_t line) -> std::uint8_t {
    return line < owner.size() ? owner[line] : 0;
  };
  std::size_t skip_until = 0;  // last line of a <Require*> section already reported
  for (const auto& d : document.directives) {
    if (d.first_line <= skip_until) continue;
    if (owner_of(d.first_line) == 1) continue;
    const bool scoped = std::any_of(d.sections.begin(), d.sections.end(),
                                    [](const std::string& s) { return is_scoping_section(s); });
    bool foreign = false;
    std::size_t last = d.last_line;
    if (is_auth_directive(d)) {
      foreign = true;
    } else if (d.kind == DirectiveKind::SectionOpen && is_require_section(d.name)) {
      std::size_t depth = 0;
      for (const auto& e : document.directives) {
        if (e.first_line < d.first_line) continue;
        if (e.kind == DirectiveKind::SectionOpen) ++depth;
        if (e.kind == DirectiveKind::SectionClose && --depth == 0) {
          last = e.last_line;
          break;
        }
      }
      foreign = true;
      skip_until = last;
    } else if (d.kind == DirectiveKind::Directive && iequals(d.name, "Require")) {
      std::size_t k = 0;
      if (!d.args.empty() && iequals(d.args[0], "not")) k = 1;
      const bool access_only = k < d.args.size() && is_access_provider(d.args[k]);
      foreign = !(scoped && access_only);
    }
    if (!foreign) continue;
    if (!scoped) {
      if (iequals(d.name, "AuthName") && !d.args.empty()) result.realm = expr_unescape(d.args[0]);
      if (iequals(d.name, "AuthUserFile") && !d.args.empty()) result.user_file = d.args[0];
    }
    if (owner_of(d.first_line) == 2) continue;  // inside a panel block: already a region
    std::string summary = (d.kind == DirectiveKind::SectionOpen ? "<" : "") + d.name;
    if (!d.raw_args.empty()) summary += " " + d.raw_args;
    if (d.kind == DirectiveKind::SectionOpen) summary += ">";
    result.regions.push_back({Panel::Manual, d.first_line, last, scoped, std::move(summary)});
    if (result.panel == Panel::None) result.panel = Panel::Manual;
  }
  std::sort(
      result.regions.begin(), result.regions.end(),
      [](const ForeignRegion& a, const ForeignRegion& b) { return a.first_line < b.first_line; });
  return result;
}

std::string remove_foreign_regions(const HtaccessDocument& document, const ForeignAuth& foreign) {
  std::vector<bool> drop(document.lines.size(), false);
  for (const auto& region : foreign.regions) {
    if (region.scoped) continue;
    for (std::size_t l = region.first_line; l <= region.last_line && l <= drop.size(); ++l) {
      drop[l - 1] = true;
    }
  }
  std::string out;
  for (std::size_t i = 0; i < document.lines.size(); ++i) {
    if (drop[i]) continue;
    out += document.lines[i].text;
    out += document.lines[i].ending;
  }
  return out;
}

}  // namespace authdiag::core
