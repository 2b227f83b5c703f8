// SPDX-License-Identifier: Apache-2.0
// Process and file helpers for the CLI tests.
#include "cli_test_support.hpp"

#include "core/denial_record.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <iterator>
#include <poll.h>
#include <random>
#include <signal.h>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace authdiag::clitest {
namespace {

std::vector<char*> to_argv(std::vector<std::string>& storage) {
  std::vector<char*> argv;
  for (auto& s : storage) argv.push_back(s.data());
  argv.push_back(nullptr);
  return argv;
}

struct Child {
  pid_t pid = -1;
  int in = -1;
  int out = -1;
  int err = -1;
};

Child start(const std::vector<std::string>& args, const RunOptions& options, bool capture) {
  int in_pipe[2];
  int out_pipe[2] = {-1, -1};
  int err_pipe[2] = {-1, -1};
  if (::pipe2(in_pipe, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  if (capture && (::pipe2(out_pipe, O_CLOEXEC) != 0 || ::pipe2(err_pipe, O_CLOEXEC) != 0)) {
    throw std::runtime_error("pipe failed");
  }
  std::vector<std::string> argv_storage{AUTHDIAG_BINARY};
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  // The environment, with the names in options.env replaced (the last assignment wins).
  std::vector<std::string> env_storage;
  for (char** e = environ; *e != nullptr; ++e) env_storage.emplace_back(*e);
  for (const std::string& assignment : options.env) {
    const std::string name = assignment.substr(0, assignment.find('=') + 1);
    std::erase_if(env_storage, [&](const std::string& e) { return e.rfind(name, 0) == 0; });
    env_storage.push_back(assignment);
  }
  std::vector<char*> argv = to_argv(argv_storage);
  std::vector<char*> envp = to_argv(env_storage);
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    ::dup2(in_pipe[0], 0);
    if (capture) {
      ::dup2(out_pipe[1], 1);
      ::dup2(err_pipe[1], 2);
    } else {
      const int null = ::open("/dev/null", O_WRONLY);
      ::dup2(null, 1);
      ::dup2(null, 2);
    }
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  ::close(in_pipe[0]);
  Child child{pid, in_pipe[1], -1, -1};
  if (capture) {
    ::close(out_pipe[1]);
    ::close(err_pipe[1]);
    child.out = out_pipe[0];
    child.err = err_pipe[0];
  }
  return child;
}

void feed_stdin(int fd, std::string_view data) {
  ::signal(SIGPIPE, SIG_IGN);
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n <= 0) break;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  ::close(fd);
}

}  // namespace

std::optional<core::JsonValue> RunResult::json() const {
  core::JsonParseResult parsed = core::parse_json(out);
  if (!parsed.ok()) return std::nullopt;
  return std::move(parsed.value);
}

RunResult run_authdiag(const std::vector<std::string>& args, const RunOptions& options) {
  Child child = start(args, options, true);
  feed_stdin(child.in, options.stdin_data);
  RunResult result;
  pollfd fds[2] = {{child.out, POLLIN, 0}, {child.err, POLLIN, 0}};
  int open_fds = 2;
  char buffer[65536];
  while (open_fds > 0) {
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      const ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
      if (n <= 0) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      } else {
        (i == 0 ? result.out : result.err).append(buffer, static_cast<std::size_t>(n));
      }
    }
  }
  result.exit_code = wait_child(child.pid);
  return result;
}

pid_t spawn_authdiag(const std::vector<std::string>& args, const RunOptions& options) {
  Child child = start(args, options, false);
  feed_stdin(child.in, options.stdin_data);
  return child.pid;
}

int wait_child(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

ScratchDir::ScratchDir(std::string_view name) {
  std::random_device random;
  path_ = fs::path(AUTHDIAG_CLI_TEST_TMP) /
          (std::string(name) + "-" + std::to_string(::getpid()) + "-" + std::to_string(random()));
  fs::remove_all(path_);
  fs::create_directories(path_);
}

ScratchDir::~ScratchDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const fs::path& path, std::string_view bytes, unsigned mode) {
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error("cannot write " + path.string());
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  fs::permissions(path, static_cast<fs::perms>(mode));
}

std::string fixture(std::string_view name) {
  return read_bytes(fs::path(AUTHDIAG_CLI_FIXTURES) / std::string(name));
}

std::string sha256_of(std::string_view bytes) { return core::sha256_hex(bytes); }

const core::JsonValue* json_find(const core::JsonValue& value, std::string_view path) {
  const core::JsonValue* current = &value;
  while (current != nullptr && !path.empty()) {
    const std::size_t dot = path.find('.');
    current = current->find(path.substr(0, dot));
    path = dot == std::string_view::npos ? std::string_view() : path.substr(dot + 1);
  }
  return current;
}

std::optional<std::string> json_string(const core::JsonValue& value, std::string_view path) {
  const core::JsonValue* found = json_find(value, path);
  if (found == nullptr || found->as_string() == nullptr) return std::nullopt;
  return *found->as_string();
}

std::optional<bool> json_bool(const core::JsonValue& value, std::string_view path) {
  const core::JsonValue* found = json_find(value, path);
  return found == nullptr ? std::nullopt : found->as_bool();
}

}  // namespace authdiag::clitest
