// SPDX-License-Identifier: Apache-2.0
#include "core/shared_store_spec.hpp"

#include "core/ip_address.hpp"
#include "core/text.hpp"

#include <charconv>

namespace authdiag::core {

namespace {

constexpr std::int64_t kMaxTimeoutMs = 60000;
constexpr std::uint16_t kRedisPort = 6379;
constexpr std::uint16_t kMemcachePort = 11211;

std::optional<std::int64_t> parse_decimal(std::string_view text, std::int64_t max) {
  std::int64_t value = 0;
  if (text.empty() || text[0] == '+' || text[0] == '-') return std::nullopt;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < 1 || value > max) {
    return std::nullopt;
  }
  return value;
}

bool is_host_name(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  for (const char c : host) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '.' || c == '_';
    if (!ok) return false;
  }
  return host.front() != '.' && host.front() != '-';
}

}  // namespace

std::optional<SharedStoreSpec> parse_shared_store(std::string_view target,
                                                  std::optional<std::string_view> timeout_ms,
                                                  std::string& error) {
  const std::string quoted = "'" + std::string(target) + "'";
  SharedStoreSpec spec;
  if (iequals(target, "shm")) {
    if (timeout_ms) {
      error = "AuthDiagSharedStore: a timeout applies to redis:// and memcache:// stores only";
      return std::nullopt;
    }
    spec.text = "shm";
    return spec;
  }
  std::string_view rest;
  std::string_view scheme;
  if (target.size() > 8 && iequals(target.substr(0, 8), "redis://")) {
    spec.kind = StoreKind::Redis;
    spec.port = kRedisPort;
    scheme = "redis://";
    rest = target.substr(8);
  } else if (target.size() > 11 && iequals(target.substr(0, 11), "memcache://")) {
    spec.kind = StoreKind::Memcache;
    spec.port = kMemcachePort;
    scheme = "memcache://";
    rest = target.substr(11);
  } else {
    error = "AuthDiagSharedStore: " + quoted +
            " is not one of shm, redis://host:port, memcache://host:port";
    return std::nullopt;
  }
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  std::string_view host = rest;
  std::string_view port;
  bool bracketed = false;
  if (rest.starts_with('[')) {
    const std::size_t close = rest.find(']');
    if (close == std::string_view::npos) {
      error = "AuthDiagSharedStore: " + quoted + " has an unclosed [ in its address";
      return std::nullopt;
    }
    host = rest.substr(1, close - 1);
    bracketed = true;
    const std::string_view after = rest.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') {
        error = "AuthDiagSharedStore: " + quoted + " has text after the address";
        return std::nullopt;
      }
      port = after.substr(1);
      if (port.empty()) port = "x";  // "host:" without a number is an error below
    }
  } else if (const std::size_t colon = rest.rfind(':'); colon != std::string_view::npos) {
    host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
    if (port.empty()) port = "x";
  }
  const bool valid_host =
      bracketed ? parse_ip_address(host).has_value() && host.find(':') != std::string_view::npos
                : is_host_name(host);
  if (!valid_host) {
    error = "AuthDiagSharedStore: " + quoted +
            " needs a host name or address (IPv6 in brackets: redis://[::1]:6379)";
    return std::nullopt;
  }
  if (!port.empty()) {
    const auto number = parse_decimal(port, 65535);
    if (!number) {
      error = "AuthDiagSharedStore: " + quoted + " has an invalid port (1..65535)";
      return std::nullopt;
    }
    spec.port = static_cast<std::uint16_t>(*number);
  }
  if (timeout_ms) {
    const auto timeout = parse_decimal(*timeout_ms, kMaxTimeoutMs);
    if (!timeout) {
      error = "AuthDiagSharedStore: timeout '" + std::string(*timeout_ms) +
              "' is not a number of milliseconds from 1 to 60000";
      return std::nullopt;
    }
    spec.timeout = std::chrono::milliseconds(*timeout);
  }
  spec.host = std::string(host);
  spec.text = std::string(scheme) + (bracketed ? "[" + spec.host + "]" : spec.host) + ":" +
              std::to_string(spec.port);
  return spec;
}

}  // namespace authdiag::core
