// SPDX-License-Identifier: Apache-2.0
// Per-directory and per-server configuration: the module's own settings plus the facts it records
// from httpd's auth directives (AuthType, AuthName, AuthUserFile, ...) by registering the same
// directive names (httpd calls every module that registered a directive, in turn).
#pragma once

#include "core/settings.hpp"

#include "httpd/httpd_api.hpp"

namespace authdiag::httpd {

class DenialLog;

// What the stock auth directives of a scope say, as strings in the config pool.
struct AuthFacts {
  const char* auth_type = nullptr;
  const char* user_file = nullptr;    // resolved against ServerRoot, as mod_authn_file does
  const char* group_file = nullptr;   // likewise for mod_authz_groupfile
  const char* providers = nullptr;    // AuthBasicProvider list, "file,dbm"
  const char* config_file = nullptr;  // file of the AuthType line: .htaccess or a config file
};

struct DirConfig {
  core::DirSettings settings;
  AuthFacts facts;
};

struct ServerConfig {
  core::ServerSettings settings;
  DenialLog* denial_log = nullptr;  // opened in post_config when settings.log_target is set
};

const DirConfig& dir_config(const request_rec* r) noexcept;
ServerConfig& server_config(const server_rec* s) noexcept;

extern "C" {
void* create_dir_config(apr_pool_t* pool, char* dir) noexcept;
void* merge_dir_config(apr_pool_t* pool, void* parent, void* child) noexcept;
void* create_server_config(apr_pool_t* pool, server_rec* s) noexcept;
void* merge_server_config(apr_pool_t* pool, void* parent, void* child) noexcept;
}

// The directive table handed to httpd, NULL-terminated.
const command_rec* command_table() noexcept;

// Name of the pool userdata key set when the AuthName/AuthType guard refuses a value in an
// .htaccess file (the request's pool), so the 500 that follows can be classified realm_invalid.
inline constexpr const char* kRealmGuardTripped = "authdiag-realm-guard";

}  // namespace authdiag::httpd
