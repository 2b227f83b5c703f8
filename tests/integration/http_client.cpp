// SPDX-License-Identifier: Apache-2.0
// Socket-level HTTP/1.1 client used for exact assertions on status, header fields and bodies.
#include "http_client.hpp"

#include "support.hpp"

#include <arpa/inet.h>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <netinet/in.h>
#include <poll.h>
#include <stdexcept>
#include <sys/socket.h>
#include <unistd.h>

namespace authdiag::itest {

namespace {

bool iequals(std::string_view a, std::string_view b) { return to_lower(a) == to_lower(b); }

class Socket {
 public:
  explicit Socket(int fd) : fd_(fd) {}
  ~Socket() {
    if (fd_ >= 0) close(fd_);
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
};

std::runtime_error socket_error(const std::string& what) {
  return std::runtime_error(what + ": " + std::strerror(errno));
}

sockaddr_in loopback(const std::string& address, int port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  if (inet_pton(AF_INET, address.c_str(), &addr.sin_addr) != 1) {
    throw std::invalid_argument("bad IPv4 address " + address);
  }
  return addr;
}

struct Head {
  std::size_t end = 0;  // offset of the body
  HttpResponse response;
};

// Parses the status line and fields of `raw` up to the empty line; nullopt if incomplete.
std::optional<Head> parse_head(const std::string& raw) {
  const auto end = raw.find("\r\n\r\n");
  if (end == std::string::npos) return std::nullopt;
  Head head;
  head.end = end + 4;
  auto& r = head.response;
  std::size_t pos = raw.find("\r\n");
  const std::string status_line = raw.substr(0, pos);
  const auto sp1 = status_line.find(' ');
  if (sp1 == std::string::npos || !status_line.starts_with("HTTP/")) {
    throw std::runtime_error("malformed status line: " + printable(status_line));
  }
  r.version = status_line.substr(0, sp1);
  const auto sp2 = status_line.find(' ', sp1 + 1);
  const std::string code =
      status_line.substr(sp1 + 1, sp2 == std::string::npos ? std::string::npos : sp2 - sp1 - 1);
  if (code.size() != 3) throw std::runtime_error("malformed status code: " + printable(code));
  r.status = std::stoi(code);
  r.reason_phrase = sp2 == std::string::npos ? "" : status_line.substr(sp2 + 1);
  pos += 2;
  while (pos < end) {
    const auto eol = raw.find("\r\n", pos);
    const std::string line = raw.substr(pos, eol - pos);
    pos = eol + 2;
    const auto colon = line.find(':');
    if (colon == std::string::npos || colon == 0 || line[0] == ' ' || line[0] == '\t') {
      throw std::runtime_error("malformed header line: " + printable(line));
    }
    std::string value = line.substr(colon + 1);
    const auto first = value.find_first_not_of(" \t");
    const auto last = value.find_last_not_of(" \t");
    value = first == std::string::npos ? "" : value.substr(first, last - first + 1);
    r.headers.emplace_back(line.substr(0, colon), value);
  }
  return head;
}

bool has_no_body(const HttpResponse& r, bool head_request) {
  return head_request || (r.status >= 100 && r.status < 200) || r.status == 204 || r.status == 304;
}

// Decodes a chunked body starting at `pos`; nullopt while incomplete.
std::optional<std::string> dechunk(const std::string& raw, std::size_t pos) {
  std::string body;
  for (;;) {
    const auto eol = raw.find("\r\n", pos);
    if (eol == std::string::npos) return std::nullopt;
    const std::string size_text = raw.substr(pos, eol - pos);
    std::size_t size = 0;
    try {
      size = std::stoul(size_text, nullptr, 16);
    } catch (const std::exception&) {
      throw std::runtime_error("malformed chunk size: " + printable(size_text));
    }
    pos = eol + 2;
    if (size == 0) {
      // Trailer section ends with an empty line.
      for (;;) {
        const auto trailer_end = raw.find("\r\n", pos);
        if (trailer_end == std::string::npos) return std::nullopt;
        if (trailer_end == pos) return body;
        pos = trailer_end + 2;
      }
    }
    if (raw.size() < pos + size + 2) return std::nullopt;
    body.append(raw, pos, size);
    pos += size + 2;
  }
}

// The response once complete; nullopt while more bytes are needed. `eof` means the peer
// closed the connection.
std::optional<HttpResponse> try_complete(const std::string& raw, bool head_request, bool eof) {
  auto head = parse_head(raw);
  if (!head) {
    if (eof) {
      throw std::runtime_error(raw.empty() ? "empty reply from server (connection closed)"
                                           : "truncated response head: " + printable(raw));
    }
    return std::nullopt;
  }
  HttpResponse r = std::move(head->response);
  r.raw = raw;
  if (has_no_body(r, head_request)) return r;
  const auto te = r.header("Transfer-Encoding");
  if (te && contains(to_lower(*te), "chunked")) {
    auto body = dechunk(raw, head->end);
    if (!body) {
      if (eof) throw std::runtime_error("truncated chunked body");
      return std::nullopt;
    }
    r.body = std::move(*body);
    return r;
  }
  if (const auto cl = r.header("Content-Length")) {
    const std::size_t length = std::stoul(*cl);
    if (raw.size() < head->end + length) {
      if (eof) throw std::runtime_error("truncated body");
      return std::nullopt;
    }
    r.body = raw.substr(head->end, length);
    return r;
  }
  if (!eof) return std::nullopt;
  r.body = raw.substr(head->end);
  return r;
}

}  // namespace

std::vector<std::string> HttpResponse::values(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [n, v] : headers) {
    if (iequals(n, name)) out.push_back(v);
  }
  return out;
}

std::optional<std::string> HttpResponse::header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (iequals(n, name)) return v;
  }
  return std::nullopt;
}

std::string HttpResponse::header_block() const {
  const auto end = raw.find("\r\n\r\n");
  return end == std::string::npos ? raw : raw.substr(0, end);
}

std::string HttpRequest::to_bytes() const {
  std::string out = method + " " + target + " HTTP/1.1\r\n";
  bool has_host = false;
  bool has_connection = false;
  for (const auto& [n, v] : headers) {
    has_host = has_host || iequals(n, "Host");
    has_connection = has_connection || iequals(n, "Connection");
  }
  if (!has_host) out += "Host: localhost\r\n";
  for (const auto& [n, v] : headers) out += n + ": " + v + "\r\n";
  if (!body.empty()) out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  if (!has_connection) out += "Connection: close\r\n";
  out += "\r\n";
  out += body;
  return out;
}

HttpResponse http_exchange(int port, std::string_view bytes, bool head_request,
                           const ClientOptions& options) {
  Socket sock(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (sock.fd() < 0) throw socket_error("socket");
  if (!options.source_address.empty()) {
    const sockaddr_in source = loopback(options.source_address, 0);
    if (bind(sock.fd(), reinterpret_cast<const sockaddr*>(&source), sizeof source) != 0) {
      throw socket_error("bind " + options.source_address);
    }
  }
  const sockaddr_in target = loopback("127.0.0.1", port);
  if (connect(sock.fd(), reinterpret_cast<const sockaddr*>(&target), sizeof target) != 0) {
    throw socket_error("connect 127.0.0.1:" + std::to_string(port));
  }
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    const ssize_t n = send(sock.fd(), bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      // The server may answer and close before reading everything (e.g. 400 on a huge
      // header); read what it sent.
      break;
    }
    sent += static_cast<std::size_t>(n);
  }

  std::string raw;
  std::array<char, 16384> buffer{};
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(options.timeout_ms);
  for (;;) {
    if (auto done = try_complete(raw, head_request, false)) return *done;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                          deadline - std::chrono::steady_clock::now())
                          .count();
    if (left <= 0) throw std::runtime_error("timeout; received so far: " + printable(raw));
    pollfd pfd{sock.fd(), POLLIN, 0};
    const int ready = poll(&pfd, 1, static_cast<int>(left));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) continue;
    const ssize_t n = recv(sock.fd(), buffer.data(), buffer.size(), 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == ECONNRESET) {
        if (auto done = try_complete(raw, head_request, true)) return *done;
      }
      throw socket_error("recv");
    }
    if (n == 0) {
      if (auto done = try_complete(raw, head_request, true)) return *done;
      throw std::runtime_error("incomplete response");
    }
    raw.append(buffer.data(), static_cast<std::size_t>(n));
  }
}

HttpResponse http_send(int port, const HttpRequest& request, const ClientOptions& options) {
  return http_exchange(port, request.to_bytes(), request.method == "HEAD", options);
}

HttpResponse parse_response(std::string raw, bool head_request) {
  auto done = try_complete(raw, head_request, true);
  if (!done) throw std::runtime_error("incomplete response");
  return *done;
}

std::string basic_credentials(std::string_view user, std::string_view password) {
  std::string pair(user);
  pair += ':';
  pair += password;
  return "Basic " + base64_encode(pair);
}

}  // namespace authdiag::itest
