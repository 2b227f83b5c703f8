// SPDX-License-Identifier: Apache-2.0
#include "httpd/deny_files.hpp"

#include "httpd/config.hpp"
#include "httpd/guard.hpp"
#include "httpd/pool.hpp"

#include <algorithm>
#include <memory>
#include <unordered_map>

namespace authdiag::httpd {

namespace {

struct Registry {
  std::vector<std::unique_ptr<DenyFile>> files;
  std::unordered_map<std::string, const DenyFile*> by_path;
};

// This generation's files: set in post_config, cleared with pconf.
Registry* registry = nullptr;

void add_paths(const ap_conf_vector_t* section, std::vector<std::string>& paths) {
  if (!section) return;
  const auto* config =
      static_cast<const DirConfig*>(ap_get_module_config(section, &authdiag_module));
  if (config && config->settings.deny_ip_files) {
    for (const auto& path : *config->settings.deny_ip_files) {
      if (std::find(paths.begin(), paths.end(), path) == paths.end()) paths.push_back(path);
    }
  }
  const auto* core =
      static_cast<const core_dir_config*>(ap_get_module_config(section, &core_module));
  if (!core) return;
  for (const apr_array_header_t* nested : {core->sec_file, core->sec_if}) {
    if (!nested) continue;
    const auto* items = reinterpret_cast<ap_conf_vector_t* const*>(nested->elts);
    for (int i = 0; i < nested->nelts; ++i) add_paths(items[i], paths);
  }
}

// Every AuthDiagDenyIPFile path of the configuration: server and virtual host contexts and
// their <Directory>, <Location>, <Files> and <If> sections (.htaccess may not name one).
std::vector<std::string> configured_paths(server_rec* s) {
  std::vector<std::string> paths;
  for (server_rec* each = s; each; each = each->next) {
    add_paths(each->lookup_defaults, paths);
    const auto* core = static_cast<const core_server_config*>(
        ap_get_module_config(each->module_config, &core_module));
    if (!core) continue;
    for (const apr_array_header_t* sections : {core->sec_dir, core->sec_url}) {
      if (!sections) continue;
      const auto* items = reinterpret_cast<ap_conf_vector_t* const*>(sections->elts);
      for (int i = 0; i < sections->nelts; ++i) add_paths(items[i], paths);
    }
  }
  return paths;
}

// Reads a whole file; on failure, nothing and `error` says why.
std::optional<std::string> read_whole_file(apr_pool_t* pool, const char* path, std::string& error) {
  apr_file_t* file = nullptr;
  apr_status_t status = apr_file_open(&file, path, APR_FOPEN_READ | APR_FOPEN_BINARY, 0, pool);
  apr_finfo_t info;
  if (status == APR_SUCCESS) status = apr_file_info_get(&info, APR_FINFO_SIZE, file);
  std::string text;
  if (status == APR_SUCCESS) {
    text.resize(static_cast<std::size_t>(info.size));
    apr_size_t got = 0;
    if (!text.empty()) status = apr_file_read_full(file, text.data(), text.size(), &got);
    text.resize(got);
  }
  if (file) apr_file_close(file);
  if (status != APR_SUCCESS && status != APR_EOF) {
    char buffer[256];
    error = apr_strerror(status, buffer, sizeof(buffer));
    return std::nullopt;
  }
  return text;
}

}  // namespace

int check_deny_files(apr_pool_t*, apr_pool_t*, apr_pool_t* ptemp, server_rec* s) noexcept {
  if (ap_state_query(AP_SQ_RUN_MODE) == AP_SQ_RM_NORMAL) return OK;
  return guarded(nullptr, s, "check_config", OK, [&] {
    int result = OK;
    for (const auto& path : configured_paths(s)) {
      const char* resolved = ap_server_root_relative(ptemp, path.c_str());
      std::string error;
      const auto text = read_whole_file(ptemp, resolved, error);
      if (!text) {
        ap_log_error(APLOG_MARK, APLOG_STARTUP | APLOG_ERR, 0, s,
                     "AD0510: AuthDiagDenyIPFile %s: cannot read: %s", resolved, error.c_str());
        result = HTTP_INTERNAL_SERVER_ERROR;
        continue;
      }
      const auto parsed = core::parse_deny_list(*text);
      for (const auto& bad : parsed.errors) {
        ap_log_error(APLOG_MARK, APLOG_STARTUP | APLOG_ERR, 0, s,
                     "AD0510: AuthDiagDenyIPFile %s:%" APR_SIZE_T_FMT
                     ": '%s' is not an IPv4/IPv6 address or CIDR range",
                     resolved, bad.line, bad.value.c_str());
        result = HTTP_INTERNAL_SERVER_ERROR;
      }
      if (parsed.error_count > parsed.errors.size()) {
        ap_log_error(APLOG_MARK, APLOG_STARTUP | APLOG_ERR, 0, s,
                     "AD0510: AuthDiagDenyIPFile %s: %" APR_SIZE_T_FMT " more malformed lines",
                     resolved, parsed.error_count - parsed.errors.size());
      }
    }
    return result;
  });
}

void load_deny_files(apr_pool_t* pconf, server_rec* s) {
  auto* loaded = pool_make<Registry>(pconf);
  apr_pool_cleanup_register(
      pconf, loaded,
      [](void* data) noexcept -> apr_status_t {
        if (registry == data) registry = nullptr;
        return APR_SUCCESS;
      },
      apr_pool_cleanup_null);
  for (const auto& path : configured_paths(s)) {
    auto file = std::make_unique<DenyFile>();
    file->path = path;
    file->resolved = ap_server_root_relative(pconf, path.c_str());
    const apr_time_t started = apr_time_now();
    std::string error;
    const auto text = read_whole_file(pconf, file->resolved.c_str(), error);
    core::DenyListStatus& status = file->status;
    status.file = file->resolved;
    if (!text) {
      status.error = "cannot read: " + error;
      ap_log_error(APLOG_MARK, APLOG_ERR, 0, s,
                   "AD0510: AuthDiagDenyIPFile %s: cannot read: %s; the list is empty",
                   file->resolved.c_str(), error.c_str());
    } else {
      const auto parsed = core::parse_deny_list(*text, 1);
      file->list = core::DenyList(parsed.ranges);
      status.entries = parsed.ranges.size();
      status.malformed_lines = parsed.error_count;
      if (!parsed.errors.empty()) {
        ap_log_error(APLOG_MARK, APLOG_ERR, 0, s,
                     "AD0510: AuthDiagDenyIPFile %s: skipped %" APR_SIZE_T_FMT
                     " malformed line(s), the first at line %" APR_SIZE_T_FMT
                     ": '%s' is not an IPv4/IPv6 address or CIDR range; %" APR_SIZE_T_FMT
                     " entries loaded",
                     file->resolved.c_str(), parsed.error_count, parsed.errors[0].line,
                     parsed.errors[0].value.c_str(), parsed.ranges.size());
      }
    }
    status.ipv4_ranges = file->list.view().ipv4_ranges();
    status.ipv6_ranges = file->list.view().ipv6_ranges();
    status.bytes = file->list.bytes();
    status.loaded_at_us = apr_time_now();
    status.load_time_us = static_cast<std::uint64_t>(status.loaded_at_us - started);
    ap_log_error(APLOG_MARK, APLOG_INFO, 0, s,
                 "AuthDiagDenyIPFile %s: %" APR_UINT64_T_FMT " entries in %" APR_UINT64_T_FMT
                 " IPv4 and %" APR_UINT64_T_FMT " IPv6 ranges, loaded in %" APR_UINT64_T_FMT " us",
                 file->resolved.c_str(), status.entries, status.ipv4_ranges, status.ipv6_ranges,
                 status.load_time_us);
    loaded->by_path.emplace(path, file.get());
    loaded->files.push_back(std::move(file));
  }
  registry = loaded;
}

const DenyFile* find_deny_file(const std::string& path) noexcept {
  if (!registry) return nullptr;
  const auto found = registry->by_path.find(path);
  return found == registry->by_path.end() ? nullptr : found->second;
}

std::vector<const DenyFile*> all_deny_files() {
  std::vector<const DenyFile*> files;
  if (!registry) return files;
  for (const auto& file : registry->files) files.push_back(file.get());
  return files;
}

}  // namespace authdiag::httpd
