// SPDX-License-Identifier: Apache-2.0
// WWW-Authenticate challenges: a lenient parser that remembers where each challenge stood in the
// field value, canonical rendering, and the repair rules of AuthDiagRepairChallenge/Charset.
#include "core/challenge.hpp"

#include "core/text.hpp"

#include <algorithm>
#include <cstddef>
#include <iterator>
#include <utility>

namespace authdiag::core {

namespace {

constexpr std::string_view kCharsetParam = R"(charset="UTF-8")";

// CTL except HTAB (RFC 9110 §5.6.4 allows HTAB in quoted-string and in field values).
constexpr bool is_ctl(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return (byte < 0x20 && byte != '\t') || byte == 0x7f;
}

constexpr bool is_ows(char c) { return c == ' ' || c == '\t'; }

constexpr bool is_alnum(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

// RFC 9110 §5.6.2 tchar.
constexpr bool is_tchar(char c) {
  return is_alnum(c) || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// RFC 9110 §11.2 token68 characters before the trailing '='.
constexpr bool is_token68_char(char c) {
  return is_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
}

bool has_ctl(std::string_view text) { return std::any_of(text.begin(), text.end(), is_ctl); }

struct ParamSpan {
  std::size_t value_begin = 0;  // raw value text, quotes included
  std::size_t value_end = 0;
};

struct ChallengeSpan {
  Challenge challenge;
  std::vector<ParamSpan> params;  // parallel to challenge.params
  std::size_t begin = 0;          // scheme start
  std::size_t end = 0;            // end of the last scheme/token68/param value
  bool well_formed = true;        // nothing skipped, every quoted-string terminated
};

class ChallengeParser {
 public:
  explicit ChallengeParser(std::string_view text) : text_(text) {}

  std::vector<ChallengeSpan> parse() {
    std::vector<ChallengeSpan> challenges;
    while (true) {
      skip_separators();
      if (at_end()) break;
      const std::size_t start = pos_;
      const std::string_view token = read_while(is_tchar);
      if (token.empty()) {
        skip_to_comma();
        if (!challenges.empty()) challenges.back().well_formed = false;
        continue;
      }
      if (next_non_ows_is('=')) {
        if (challenges.empty()) {
          skip_to_comma();  // a parameter without a scheme
        } else {
          parse_param(token, challenges.back());
        }
        continue;
      }
      ChallengeSpan& current = challenges.emplace_back();
      current.challenge.scheme.assign(token);
      current.begin = start;
      current.end = pos_;
      parse_challenge_body(current);
    }
    return challenges;
  }

 private:
  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return text_[pos_]; }

  std::string_view read_while(bool (*predicate)(char)) {
    const std::size_t start = pos_;
    while (!at_end() && predicate(peek())) ++pos_;
    return text_.substr(start, pos_ - start);
  }

  void skip_ows() {
    while (!at_end() && is_ows(peek())) ++pos_;
  }

  void skip_separators() {
    while (!at_end() && (is_ows(peek()) || peek() == ',')) ++pos_;
  }

  bool next_non_ows_is(char c) const {
    std::size_t p = pos_;
    while (p < text_.size() && is_ows(text_[p])) ++p;
    return p < text_.size() && text_[p] == c;
  }

  // Skips junk up to the next ',' that is not inside a quoted-string.
  void skip_to_comma() {
    while (!at_end() && peek() != ',') {
      if (peek() == '"') {
        std::string ignored;
        read_quoted(ignored);
      } else {
        ++pos_;
      }
    }
  }

  // A quoted-string, read as httpd writes realms: only \" and \\ are quoted-pairs, any other
  // backslash is literal, CTLs are dropped. Returns false when the closing quote is missing.
  bool read_quoted(std::string& value) {
    ++pos_;  // opening quote
    while (!at_end()) {
      const char c = peek();
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (c == '\\' && pos_ + 1 < text_.size() &&
          (text_[pos_ + 1] == '"' || text_[pos_ + 1] == '\\')) {
        value += text_[pos_ + 1];
        pos_ += 2;
        continue;
      }
      if (!is_ctl(c)) value += c;
      ++pos_;
    }
    return false;
  }

  void parse_challenge_body(ChallengeSpan& current) {
    if (at_end() || peek() == ',') return;
    if (!is_ows(peek())) {
      current.well_formed = false;
      skip_to_comma();
      return;
    }
    skip_ows();
    if (at_end() || peek() == ',') return;
    const std::size_t start = pos_;
    const std::string_view token68_body = read_while(is_token68_char);
    while (!at_end() && peek() == '=') ++pos_;
    const std::size_t token68_end = pos_;
    skip_ows();
    if (!token68_body.empty() && (at_end() || peek() == ',')) {
      current.challenge.token68.assign(text_.substr(start, token68_end - start));
      current.end = token68_end;
      return;
    }
    pos_ = start;
    const std::string_view name = read_while(is_tchar);
    if (name.empty() || !next_non_ows_is('=')) {
      current.well_formed = false;
      skip_to_comma();
      return;
    }
    parse_param(name, current);
  }

  // At the BWS after a parameter name; reads "= value" up to the next ','.
  void parse_param(std::string_view name, ChallengeSpan& current) {
    skip_ows();
    ++pos_;  // '='
    skip_ows();
    AuthParam param;
    param.name.assign(name);
    ParamSpan span;
    span.value_begin = pos_;
    if (!current.challenge.token68.empty()) current.well_formed = false;
    if (!at_end() && peek() == '"') {
      if (!read_quoted(param.value)) current.well_formed = false;
      span.value_end = pos_;
      skip_ows();
      if (!at_end() && peek() != ',') {
        current.well_formed = false;
        skip_to_comma();
      }
    } else {
      const std::size_t start = pos_;
      while (!at_end() && peek() != ',') ++pos_;
      std::size_t end = pos_;
      while (end > start && is_ows(text_[end - 1])) --end;
      const std::string_view raw = text_.substr(start, end - start);
      if (raw.empty() || !std::all_of(raw.begin(), raw.end(), is_tchar)) {
        current.well_formed = false;
      }
      std::copy_if(raw.begin(), raw.end(), std::back_inserter(param.value),
                   [](char c) { return !is_ctl(c); });
      span.value_end = end;
    }
    current.end = std::max(current.end, span.value_end);
    current.challenge.params.push_back(std::move(param));
    current.params.push_back(span);
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

std::string keep_chars(std::string_view text, bool (*predicate)(char)) {
  std::string out;
  std::copy_if(text.begin(), text.end(), std::back_inserter(out), predicate);
  return out;
}

bool is_basic(const Challenge& challenge) { return iequals(challenge.scheme, "Basic"); }

const AuthParam* find_param(const Challenge& challenge, std::string_view name) {
  const auto it = std::find_if(challenge.params.begin(), challenge.params.end(),
                               [name](const AuthParam& p) { return iequals(p.name, name); });
  return it == challenge.params.end() ? nullptr : &*it;
}

// `Basic realm="…"`, then every other parameter once (first occurrence wins), then the charset
// when asked for and not already there.
std::string render_basic(const ChallengeSpan& parsed, std::string_view source,
                         const ChallengeRepairInput& input, bool& sanitized) {
  const Challenge& challenge = parsed.challenge;
  std::string realm;
  const AuthParam* realm_param = find_param(challenge, "realm");
  if (realm_param != nullptr) {
    realm = realm_param->value;
    const auto index = static_cast<std::size_t>(realm_param - challenge.params.data());
    const ParamSpan& span = parsed.params[index];
    const std::string_view raw = source.substr(span.value_begin, span.value_end - span.value_begin);
    if (raw != quote_string(realm)) sanitized = true;
  } else {
    realm = input.fallback_realm;
    if (has_ctl(realm)) sanitized = true;
  }
  std::string out = "Basic realm=" + quote_string(realm);
  std::vector<std::string_view> seen{"realm"};
  for (const AuthParam& param : challenge.params) {
    const bool duplicate = std::any_of(
        seen.begin(), seen.end(), [&param](std::string_view n) { return iequals(n, param.name); });
    if (duplicate) continue;
    seen.push_back(param.name);
    out += ", ";
    out += param.name;
    out += '=';
    out += quote_string(param.value);
  }
  if (input.add_charset && find_param(challenge, "charset") == nullptr) {
    out += ", ";
    out += kCharsetParam;
  }
  return out;
}

// With repair off: the value byte for byte, plus charset on each well-formed Basic challenge
// (with parameters or none, not token68) that lacks one.
std::string add_charset_in_place(std::string_view value) {
  std::string out(value);
  const std::vector<ChallengeSpan> challenges = ChallengeParser(value).parse();
  for (auto it = challenges.rbegin(); it != challenges.rend(); ++it) {
    const Challenge& challenge = it->challenge;
    if (!is_basic(challenge) || !it->well_formed || !challenge.token68.empty() ||
        find_param(challenge, "charset") != nullptr) {
      continue;
    }
    const std::string insertion =
        std::string(challenge.params.empty() ? " " : ", ") + std::string(kCharsetParam);
    out.insert(it->end, insertion);
  }
  return out;
}

}  // namespace

std::string quote_string(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out += '"';
  for (const char c : text) {
    if (is_ctl(c)) continue;
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

std::string build_basic_challenge(std::string_view realm, bool with_charset) {
  std::string out = "Basic realm=" + quote_string(realm);
  if (with_charset) {
    out += ", ";
    out += kCharsetParam;
  }
  return out;
}

std::vector<Challenge> parse_challenges(std::string_view field_value) {
  std::vector<Challenge> out;
  for (ChallengeSpan& parsed : ChallengeParser(field_value).parse()) {
    out.push_back(std::move(parsed.challenge));
  }
  return out;
}

std::string render_challenge(const Challenge& challenge) {
  std::string out = keep_chars(challenge.scheme, is_tchar);
  const std::string token68 =
      keep_chars(challenge.token68, [](char c) { return is_token68_char(c) || c == '='; });
  if (!token68.empty()) {
    out += ' ';
    out += token68;
    return out;
  }
  bool first = true;
  for (const AuthParam& param : challenge.params) {
    const std::string name = keep_chars(param.name, is_tchar);
    if (name.empty()) continue;
    out += first ? " " : ", ";
    first = false;
    out += name;
    out += '=';
    out += quote_string(param.value);
  }
  return out;
}

ChallengeRepairResult repair_challenges(const ChallengeRepairInput& input) {
  ChallengeRepairResult result;
  if (!input.repair) {
    for (const std::string& value : input.existing_values) {
      result.values.push_back(input.add_charset ? add_charset_in_place(value) : value);
    }
    result.changed = result.values != input.existing_values;
    return result;
  }

  bool basic_seen = false;
  for (const std::string& value : input.existing_values) {
    for (const ChallengeSpan& parsed : ChallengeParser(value).parse()) {
      if (is_basic(parsed.challenge)) {
        if (basic_seen) continue;  // a second Basic challenge makes browsers re-prompt
        basic_seen = true;
        result.values.push_back(render_basic(parsed, value, input, result.sanitized));
        continue;
      }
      const std::string_view raw =
          std::string_view(value).substr(parsed.begin, parsed.end - parsed.begin);
      result.values.push_back(has_ctl(raw) ? render_challenge(parsed.challenge) : std::string(raw));
    }
  }
  if (result.values.empty()) {
    result.values.push_back(build_basic_challenge(input.fallback_realm, input.add_charset));
    result.added = true;
    if (has_ctl(input.fallback_realm)) result.sanitized = true;
  }
  result.changed = result.values != input.existing_values;
  return result;
}

}  // namespace authdiag::core
