// SPDX-License-Identifier: Apache-2.0
// A raw HTTP/1.1 client over a socket: sends exact bytes, optionally from another 127.0.0.0/8
// source address, and parses the response keeping every header field in order, byte for byte.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace authdiag::itest {

struct HttpResponse {
  std::string raw;  // every byte received
  std::string version;
  int status = 0;
  std::string reason_phrase;
  std::vector<std::pair<std::string, std::string>> headers;  // in order, values as sent
  std::string body;                                          // de-chunked

  // Every value of the field `name` (case-insensitive), in order.
  std::vector<std::string> values(std::string_view name) const;
  std::size_t count(std::string_view name) const { return values(name).size(); }
  // The single value of `name`; nullopt when absent (several values: the first).
  std::optional<std::string> header(std::string_view name) const;
  std::string header_block() const;  // the raw status line and header fields
};

struct HttpRequest {
  std::string method = "GET";
  std::string target = "/";
  std::vector<std::pair<std::string, std::string>> headers;  // sent after Host, in order
  std::string body;

  HttpRequest& with(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
    return *this;
  }
  // "Host: localhost" first, then `headers`, then "Connection: close" unless given.
  std::string to_bytes() const;
};

struct ClientOptions {
  std::string source_address;  // bind the client socket here, e.g. "127.0.0.2"
  int timeout_ms = 15000;
};

// Sends `bytes` to 127.0.0.1:`port` and reads one response (to end of body, or EOF).
// `head_request` means the response has no body. Throws std::runtime_error on socket
// errors, a malformed response, or an empty reply (connection closed without a response).
HttpResponse http_exchange(int port, std::string_view bytes, bool head_request,
                           const ClientOptions& options = {});

HttpResponse http_send(int port, const HttpRequest& request, const ClientOptions& options = {});

// Parses a complete response; `head_request` as above.
HttpResponse parse_response(std::string raw, bool head_request);

// "Basic " + base64(user ":" password)
std::string basic_credentials(std::string_view user, std::string_view password);

}  // namespace authdiag::itest
