// SPDX-License-Identifier: Apache-2.0
// Renders a DenialRecord as one bounded JSON line and as error-log logfmt fields; also the
// timestamp format and the SHA-256 used to pseudonymise user names.
#include "core/denial_record.hpp"

#include "core/civil_time.hpp"
#include "core/json_writer.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace authdiag::core {

namespace {

constexpr std::string_view kHexDigits = "0123456789abcdef";

// ---------------------------------------------------------------------------------------------
// JSON line

// Fields a client chooses (directly or through the request it sends) are cut first, down to
// this many escaped bytes, before the fields that come from the configuration.
constexpr std::size_t kClientFieldFloor = 128;
constexpr std::string_view kTruncatedMember = R"(,"truncated":true)";

enum class FieldKind : std::uint8_t { String, Signed, Unsigned, Bool };

struct JsonField {
  std::string_view key;
  FieldKind kind = FieldKind::String;
  std::string_view text;  // String
  std::int64_t signed_value = 0;
  std::uint64_t unsigned_value = 0;
  bool client_controlled = false;
  std::size_t escaped_size = 0;  // String: size of the full escape
  std::size_t limit = 0;         // String: escaped bytes allowed
};

class JsonFieldList {
 public:
  void string(std::string_view key, std::string_view value, bool client_controlled = false) {
    JsonField& field = add(key, FieldKind::String);
    field.text = value;
    field.client_controlled = client_controlled;
  }
  void optional_string(std::string_view key, const std::optional<std::string>& value,
                       bool client_controlled = false) {
    if (value) string(key, *value, client_controlled);
  }
  void non_empty_string(std::string_view key, std::string_view value,
                        bool client_controlled = false) {
    if (!value.empty()) string(key, value, client_controlled);
  }
  void number(std::string_view key, std::int64_t value) {
    add(key, FieldKind::Signed).signed_value = value;
  }
  void optional_number(std::string_view key, const std::optional<std::uint64_t>& value) {
    if (value) add(key, FieldKind::Unsigned).unsigned_value = *value;
  }
  void flag(std::string_view key) { add(key, FieldKind::Bool); }

  std::vector<JsonField>& fields() { return fields_; }

 private:
  JsonField& add(std::string_view key, FieldKind kind) {
    JsonField& field = fields_.emplace_back();
    field.key = key;
    field.kind = kind;
    return field;
  }
  std::vector<JsonField> fields_;
};

// Size of everything but the escaped string contents: braces, keys, quotes, commas, numbers.
std::size_t frame_size(const std::vector<JsonField>& fields) {
  std::size_t size = 2 + (fields.empty() ? 0 : fields.size() - 1);  // braces, commas
  for (const JsonField& field : fields) {
    size += json_escaped_size(field.key) + 3;
    switch (field.kind) {
      case FieldKind::String:
        size += 2;
        break;
      case FieldKind::Signed:
        size += std::to_string(field.signed_value).size();
        break;
      case FieldKind::Unsigned:
        size += std::to_string(field.unsigned_value).size();
        break;
      case FieldKind::Bool:
        size += 4;
        break;
    }
  }
  return size;
}

// Lowers the limits of `selected` fields, longest first ("water filling"), so that their total
// shrinks by `excess` without going below `floor`. Returns the excess still left.
std::size_t cut_longest(std::vector<JsonField*>& selected, std::size_t excess, std::size_t floor) {
  if (excess == 0 || selected.empty()) return excess;
  const auto removable_at = [&selected](std::size_t level) {
    std::size_t removed = 0;
    for (const JsonField* field : selected) {
      if (field->limit > level) removed += field->limit - level;
    }
    return removed;
  };
  std::size_t highest = floor;
  for (const JsonField* field : selected) highest = std::max(highest, field->limit);
  if (removable_at(floor) < excess) {
    const std::size_t removed = removable_at(floor);
    for (JsonField* field : selected) field->limit = std::min(field->limit, floor);
    return excess - removed;
  }
  // The highest level that still removes enough.
  std::size_t low = floor;
  std::size_t high = highest;
  while (low < high) {
    const std::size_t mid = low + (high - low + 1) / 2;
    if (removable_at(mid) >= excess) {
      low = mid;
    } else {
      high = mid - 1;
    }
  }
  for (JsonField* field : selected) field->limit = std::min(field->limit, low);
  return 0;
}

// ---------------------------------------------------------------------------------------------
// logfmt

constexpr std::size_t kMaxLogfmtValueBytes = 512;
constexpr std::string_view kLogfmtCutMarker = "...";

constexpr bool is_logfmt_plain(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
         std::string_view("._:/@+,()=-").find(static_cast<char>(c)) != std::string_view::npos;
}

// The escape of one byte inside a logfmt value; returns its length.
std::size_t logfmt_unit(char c, std::array<char, 4>& unit) {
  const auto byte = static_cast<unsigned char>(c);
  // Percent-encoding, not backslash escapes: httpd escapes the whole error-log message again and
  // doubles every backslash, which would turn \" into \\" and let a user name close the quotes.
  if (byte == '"' || byte == '\\' || byte == '%' || byte < 0x20 || byte >= 0x7f) {
    unit = {'%', kHexDigits[byte >> 4], kHexDigits[byte & 0xfU]};
    return 3;
  }
  unit[0] = c;
  return 1;
}

void append_logfmt(std::string& out, std::string_view key, std::string_view value) {
  if (!out.empty()) out += ' ';
  out += key;
  out += '=';
  const bool quoted = value.empty() || !std::all_of(value.begin(), value.end(), [](char c) {
                        return is_logfmt_plain(static_cast<unsigned char>(c));
                      });
  std::array<char, 4> unit{};
  std::size_t full = 0;
  for (const char c : value) {
    full += logfmt_unit(c, unit);
    if (full > kMaxLogfmtValueBytes) break;
  }
  const bool cut = full > kMaxLogfmtValueBytes;
  const std::size_t limit = cut ? kMaxLogfmtValueBytes - kLogfmtCutMarker.size() : full;
  if (quoted) out += '"';
  std::size_t written = 0;
  for (const char c : value) {
    const std::size_t length = logfmt_unit(c, unit);
    if (written + length > limit) break;
    out.append(unit.data(), length);
    written += length;
  }
  if (cut) out += kLogfmtCutMarker;
  if (quoted) out += '"';
}

// ---------------------------------------------------------------------------------------------
// SHA-256 (FIPS 180-4)

constexpr std::array<std::uint32_t, 64> kRoundConstants = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

constexpr std::uint32_t rotr(std::uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

class Sha256 {
 public:
  void update(std::string_view data) {
    for (const char c : data) {
      block_[block_size_++] = static_cast<std::uint8_t>(c);
      if (block_size_ == block_.size()) {
        compress();
        block_size_ = 0;
      }
    }
    length_bits_ += static_cast<std::uint64_t>(data.size()) * 8;
  }

  std::array<std::uint8_t, 32> finish() {
    const std::uint64_t length_bits = length_bits_;
    block_[block_size_++] = 0x80;
    if (block_size_ > 56) {
      std::fill(block_.begin() + static_cast<std::ptrdiff_t>(block_size_), block_.end(), 0);
      compress();
      block_size_ = 0;
    }
    std::fill(block_.begin() + static_cast<std::ptrdiff_t>(block_size_), block_.begin() + 56, 0);
    for (std::size_t i = 0; i < 8; ++i) {
      block_[56 + i] = static_cast<std::uint8_t>(length_bits >> (56 - 8 * i));
    }
    compress();
    std::array<std::uint8_t, 32> digest{};
    for (std::size_t i = 0; i < 32; ++i) {
      digest[i] = static_cast<std::uint8_t>(state_[i / 4] >> (24 - 8 * (i % 4)));
    }
    return digest;
  }

 private:
  void compress() {
    std::array<std::uint32_t, 64> w{};
    for (std::size_t t = 0; t < 16; ++t) {
      w[t] = static_cast<std::uint32_t>(block_[4 * t]) << 24 |
             static_cast<std::uint32_t>(block_[4 * t + 1]) << 16 |
             static_cast<std::uint32_t>(block_[4 * t + 2]) << 8 |
             static_cast<std::uint32_t>(block_[4 * t + 3]);
    }
    for (std::size_t t = 16; t < 64; ++t) {
      const std::uint32_t s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >> 3);
      const std::uint32_t s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >> 10);
      w[t] = w[t - 16] + s0 + w[t - 7] + s1;
    }
    auto [a, b, c, d, e, f, g, h] = state_;
    for (std::size_t t = 0; t < 64; ++t) {
      const std::uint32_t big_s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
      const std::uint32_t choose = (e & f) ^ (~e & g);
      const std::uint32_t t1 = h + big_s1 + choose + kRoundConstants[t] + w[t];
      const std::uint32_t big_s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
      const std::uint32_t majority = (a & b) ^ (a & c) ^ (b & c);
      const std::uint32_t t2 = big_s0 + majority;
      h = g;
      g = f;
      f = e;
      e = d + t1;
      d = c;
      c = b;
      b = a;
      a = t1 + t2;
    }
    const std::array<std::uint32_t, 8> added{a, b, c, d, e, f, g, h};
    for (std::size_t i = 0; i < 8; ++i) state_[i] += added[i];
  }

  std::array<std::uint32_t, 8> state_{0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                      0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  std::array<std::uint8_t, 64> block_{};
  std::size_t block_size_ = 0;
  std::uint64_t length_bits_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Time

constexpr std::int64_t kMicrosPerSecond = 1'000'000;
constexpr std::int64_t kMicrosPerDay = 86'400 * kMicrosPerSecond;

// RFC 3339 has four-digit years only.
constexpr std::int64_t kMinTimeUs = days_from_civil(0, 1, 1) * kMicrosPerDay;
constexpr std::int64_t kMaxTimeUs = days_from_civil(10000, 1, 1) * kMicrosPerDay - 1;

void append_padded(std::string& out, std::uint64_t value, int width) {
  std::array<char, 20> digits{};
  int count = 0;
  do {
    digits[static_cast<std::size_t>(count++)] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  for (int i = count; i < width; ++i) out += '0';
  while (count > 0) out += digits[static_cast<std::size_t>(--count)];
}

}  // namespace

std::string to_json_line(const DenialRecord& record) {
  JsonFieldList list;
  const std::string time = format_rfc3339_us(record.time_us);
  const std::string substatus =
      record.substatus ? format_substatus(record.status, *record.substatus) : std::string();
  const ReasonInfo& info = reason_info(record.reason);

  list.string("time", time);
  list.non_empty_string("request_id", record.request_id);
  list.non_empty_string("client_ip", record.client_ip);
  list.non_empty_string("vhost", record.vhost, true);
  list.non_empty_string("method", record.method, true);
  list.non_empty_string("path", record.path, true);
  list.number("status", record.status);
  if (record.substatus) list.string("substatus", substatus);
  list.string("reason", info.token);
  list.optional_string("user", record.user, true);
  list.optional_string("realm", record.realm);
  list.optional_string("auth_type", record.auth_type);
  list.optional_string("providers", record.providers);
  list.optional_string("user_file", record.user_file);
  list.optional_string("hash_scheme", record.hash_scheme);
  list.optional_string("requirement", record.requirement);
  list.optional_string("scheme", record.scheme, true);
  list.optional_string("challenge", record.challenge, true);
  if (record.repaired) list.flag("repaired");
  list.optional_string("config_file", record.config_file);
  list.optional_number("counter", record.counter);
  list.optional_number("limit", record.limit);
  list.optional_number("window_ms", record.window_ms);
  list.optional_string("detail", record.detail);
  list.optional_string("hint", record.hint);

  std::vector<JsonField>& fields = list.fields();
  std::size_t contents = 0;
  for (JsonField& field : fields) {
    if (field.kind != FieldKind::String) continue;
    field.escaped_size = json_escaped_size(field.text);
    field.limit = field.escaped_size;
    contents += field.escaped_size;
  }
  const std::size_t frame = frame_size(fields);
  const std::size_t budget = kMaxJsonLineBytes - 1;  // the newline
  const bool truncate = frame + contents > budget;
  if (truncate) {
    // The frame of a record is a few hundred bytes, far below the cap.
    const std::size_t allowed = budget - frame - kTruncatedMember.size();
    std::vector<JsonField*> client;
    std::vector<JsonField*> strings;
    for (JsonField& field : fields) {
      if (field.kind != FieldKind::String) continue;
      strings.push_back(&field);
      if (field.client_controlled) client.push_back(&field);
    }
    const std::size_t excess = cut_longest(client, contents - allowed, kClientFieldFloor);
    cut_longest(strings, excess, 0);
  }

  JsonObjectWriter writer;
  for (const JsonField& field : fields) {
    switch (field.kind) {
      case FieldKind::String:
        writer.add_string(field.key, field.text, field.limit);
        break;
      case FieldKind::Signed:
        writer.add_number(field.key, field.signed_value);
        break;
      case FieldKind::Unsigned:
        writer.add_unsigned(field.key, field.unsigned_value);
        break;
      case FieldKind::Bool:
        writer.add_bool(field.key, true);
        break;
    }
  }
  if (truncate) writer.add_bool("truncated", true);
  std::string line = std::move(writer).finish();
  line += '\n';
  return line;
}

std::string to_logfmt(const DenialRecord& record) {
  std::string out;
  const auto optional = [&out](std::string_view key, const std::optional<std::string>& value) {
    if (value) append_logfmt(out, key, *value);
  };
  const auto non_empty = [&out](std::string_view key, std::string_view value) {
    if (!value.empty()) append_logfmt(out, key, value);
  };
  const auto number = [&out](std::string_view key, const std::optional<std::uint64_t>& value) {
    if (value) append_logfmt(out, key, std::to_string(*value));
  };
  append_logfmt(out, "status", std::to_string(record.status));
  if (record.substatus) {
    append_logfmt(out, "substatus", format_substatus(record.status, *record.substatus));
  }
  append_logfmt(out, "reason", reason_info(record.reason).token);
  optional("user", record.user);
  optional("realm", record.realm);
  non_empty("method", record.method);
  non_empty("path", record.path);
  optional("auth_type", record.auth_type);
  optional("providers", record.providers);
  optional("user_file", record.user_file);
  optional("hash_scheme", record.hash_scheme);
  optional("requirement", record.requirement);
  optional("scheme", record.scheme);
  // The challenge stays out of the error log: quoted realms would turn into %22 noise there, and
  // the JSON line carries it.
  if (record.repaired) append_logfmt(out, "repaired", "true");
  optional("config_file", record.config_file);
  non_empty("request_id", record.request_id);
  number("counter", record.counter);
  number("limit", record.limit);
  number("window_ms", record.window_ms);
  optional("detail", record.detail);
  optional("hint", record.hint);
  return out;
}

std::string format_rfc3339_us(std::int64_t time_us) {
  const std::int64_t clamped = std::clamp(time_us, kMinTimeUs, kMaxTimeUs);
  std::int64_t days = clamped / kMicrosPerDay;
  std::int64_t in_day = clamped % kMicrosPerDay;
  if (in_day < 0) {
    in_day += kMicrosPerDay;
    --days;
  }
  const CivilDate date = civil_from_days(days);
  const auto micros = static_cast<std::uint64_t>(in_day);
  const std::uint64_t seconds = micros / 1'000'000;
  std::string out;
  out.reserve(27);
  append_padded(out, static_cast<std::uint64_t>(date.year), 4);
  out += '-';
  append_padded(out, date.month, 2);
  out += '-';
  append_padded(out, date.day, 2);
  out += 'T';
  append_padded(out, seconds / 3600, 2);
  out += ':';
  append_padded(out, seconds / 60 % 60, 2);
  out += ':';
  append_padded(out, seconds % 60, 2);
  out += '.';
  append_padded(out, micros % 1'000'000, 6);
  out += 'Z';
  return out;
}

std::optional<std::string> render_user(std::string_view user, LogUserMode mode) {
  switch (mode) {
    case LogUserMode::Plain:
      return std::string(user);
    case LogUserMode::Hash:
      return sha256_hex(user).substr(0, 12);
    case LogUserMode::Off:
      return std::nullopt;
  }
  return std::nullopt;
}

std::string sha256_hex(std::string_view data) {
  Sha256 hash;
  hash.update(data);
  std::string out;
  out.reserve(64);
  for (const std::uint8_t byte : hash.finish()) {
    out += kHexDigits[byte >> 4];
    out += kHexDigits[byte & 0xfU];
  }
  return out;
}

}  // namespace authdiag::core
