// SPDX-License-Identifier: Apache-2.0
#include "core/restriction_status.hpp"

#include "core/denial_record.hpp"
#include "core/json_writer.hpp"

namespace authdiag::core {

namespace {

// Members of one object, written in order; values are JSON already.
class ObjectBuilder {
 public:
  ObjectBuilder& raw(std::string_view key, std::string_view json) {
    out_ += out_.empty() ? "{" : ",";
    out_ += '"';
    append_json_escaped(out_, key);
    out_ += "\":";
    out_ += json;
    return *this;
  }
  ObjectBuilder& string(std::string_view key, std::string_view value) {
    std::string json = "\"";
    append_json_escaped(json, value);
    json += '"';
    return raw(key, json);
  }
  ObjectBuilder& number(std::string_view key, std::uint64_t value) {
    return raw(key, std::to_string(value));
  }
  ObjectBuilder& boolean(std::string_view key, bool value) {
    return raw(key, value ? "true" : "false");
  }
  std::string finish() const { return out_.empty() ? "{}" : out_ + "}"; }

 private:
  std::string out_;
};

std::string array(const std::vector<std::string>& items) {
  std::string out = "[";
  for (const auto& item : items) {
    if (out.size() > 1) out += ',';
    out += item;
  }
  return out + "]";
}

std::string store_json(const StoreStatus& store) {
  return ObjectBuilder()
      .string("type", store.type)
      .string("description", store.description)
      .boolean("reachable", store.reachable)
      .number("failures", store.failures)
      .finish();
}

}  // namespace

std::string_view counter_kind_name(CounterKind kind) noexcept {
  switch (kind) {
    case CounterKind::Concurrent:
      return "conc";
    case CounterKind::Rate:
      return "rate";
    case CounterKind::Failures:
      return "fail";
    case CounterKind::Lockout:
      return "lock";
    case CounterKind::Blocked:
      return "block";
  }
  return "unknown";
}

std::string render_status_json(const RestrictionStatus& status) {
  ObjectBuilder document;
  document.string("time", format_rfc3339_us(status.time_us));
  document.string("counting_since", format_rfc3339_us(status.counting_since_us));
  document.raw("store", store_json(status.store));
  document.raw("shared_memory", ObjectBuilder()
                                    .number("slots", status.shared_memory.slots)
                                    .number("in_use", status.shared_memory.in_use)
                                    .number("full_events", status.shared_memory.full_events)
                                    .finish());
  ObjectBuilder denials;
  for (const auto& tally : status.denials) {
    denials.raw(reason_info(tally.reason).token, ObjectBuilder()
                                                     .number("denied", tally.denied)
                                                     .number("logged_only", tally.logged_only)
                                                     .finish());
  }
  document.raw("denials", denials.finish());
  std::vector<std::string> blocked;
  for (const auto& entry : status.blocked) {
    blocked.push_back(
        ObjectBuilder()
            .string("address", to_string(entry.address))
            .string("reason", reason_info(entry.reason).token)
            .string("substatus", format_substatus(401, reason_info(entry.reason).substatus))
            .number("time_left_ms", entry.time_left_ms)
            .finish());
  }
  document.raw("blocked", array(blocked));
  std::vector<std::string> counters;
  for (const auto& counter : status.counters) {
    ObjectBuilder item;
    item.string("kind", counter_kind_name(counter.key.kind))
        .string("address", to_string(counter.key.address))
        .number("value", static_cast<std::uint64_t>(counter.value < 0 ? 0 : counter.value));
    if (counter.key.window_ms != 0) item.number("window_ms", counter.key.window_ms);
    item.number("expires_in_ms", counter.expires_in_ms);
    counters.push_back(item.finish());
  }
  document.raw("counters", array(counters));
  document.number("counters_omitted", status.counters_omitted);
  std::vector<std::string> lists;
  for (const auto& list : status.deny_lists) {
    ObjectBuilder item;
    item.string("file", list.file)
        .number("entries", list.entries)
        .number("ipv4_ranges", list.ipv4_ranges)
        .number("ipv6_ranges", list.ipv6_ranges)
        .number("bytes", list.bytes)
        .string("loaded", format_rfc3339_us(list.loaded_at_us))
        .number("load_time_us", list.load_time_us)
        .number("malformed_lines", list.malformed_lines);
    if (list.error) item.string("error", *list.error);
    lists.push_back(item.finish());
  }
  document.raw("deny_lists", array(lists));
  return document.finish() + "\n";
}

}  // namespace authdiag::core
