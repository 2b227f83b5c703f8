// SPDX-License-Identifier: Apache-2.0
#include "httpd/config.hpp"

#include "httpd/guard.hpp"
#include "httpd/pool.hpp"

#include <array>
#include <string_view>
#include <vector>

namespace authdiag::httpd {

namespace {

constexpr std::string_view kGuardMessageSuffix =
    " ends with an unescaped backslash, which aborts the httpd child process that parses it; "
    "remove the trailing backslash (or double it)";

const char* facts_or(const char* child, const char* parent) { return child ? child : parent; }

// Every directive of the module goes through here; the row it belongs to is cmd->info.
const char* set_setting(cmd_parms* cmd, void* mconfig, int argc, char* const argv[]) noexcept {
  const auto* spec = static_cast<const core::SettingSpec*>(cmd->info);
  return guarded(nullptr, cmd->server, spec->name, "AD0500: internal error", [&]() -> const char* {
    const std::vector<std::string_view> args(argv, argv + argc);
    core::ParseError error =
        spec->apply_server ? spec->apply_server(server_config(cmd->server).settings, args)
                           : spec->apply_dir(static_cast<DirConfig*>(mconfig)->settings, args);
    return error ? pool_copy(cmd->pool, *error) : nullptr;
  });
}

// An odd number of trailing backslashes leaves httpd's expression scanner without a rule and it
// calls exit() ("flex scanner jammed"): refuse such AuthName/AuthType values before it sees them.
const char* refuse_trailing_backslash(cmd_parms* cmd, const char* directive, const char* value) {
  std::string_view text(value);
  std::size_t backslashes = 0;
  while (backslashes < text.size() && text[text.size() - 1 - backslashes] == '\\') ++backslashes;
  if (backslashes % 2 == 0) return nullptr;
  // In an .htaccess file cmd->pool is the request's pool: the mark lets the 500 that follows be
  // classified. In the main config the start fails anyway.
  apr_pool_userdata_setn("1", kRealmGuardTripped, nullptr, cmd->pool);
  return apr_pstrcat(cmd->pool, "AD0120: ", directive, " '", value, "'",
                     std::string(kGuardMessageSuffix).c_str(), nullptr);
}

DirConfig& as_dir(void* mconfig) { return *static_cast<DirConfig*>(mconfig); }

const char* shadow_auth_type(cmd_parms* cmd, void* mconfig, const char* value) noexcept {
  return guarded(nullptr, cmd->server, "AuthType", static_cast<const char*>(nullptr), [&] {
    if (const char* refusal = refuse_trailing_backslash(cmd, "AuthType", value)) return refusal;
    auto& facts = as_dir(mconfig).facts;
    facts.auth_type = apr_pstrdup(cmd->pool, value);
    if (cmd->directive && cmd->directive->filename) {
      facts.config_file = apr_pstrdup(cmd->pool, cmd->directive->filename);
    }
    return static_cast<const char*>(nullptr);
  });
}

const char* shadow_auth_name(cmd_parms* cmd, void*, const char* value) noexcept {
  return guarded(nullptr, cmd->server, "AuthName", static_cast<const char*>(nullptr),
                 [&] { return refuse_trailing_backslash(cmd, "AuthName", value); });
}

const char* shadow_user_file(cmd_parms* cmd, void* mconfig, const char* path,
                             const char*) noexcept {
  as_dir(mconfig).facts.user_file = ap_server_root_relative(cmd->pool, path);
  return nullptr;
}

const char* shadow_group_file(cmd_parms* cmd, void* mconfig, const char* path) noexcept {
  as_dir(mconfig).facts.group_file = ap_server_root_relative(cmd->pool, path);
  return nullptr;
}

// ITERATE: called once per provider name on the line.
const char* shadow_basic_provider(cmd_parms* cmd, void* mconfig, const char* name) noexcept {
  auto& facts = as_dir(mconfig).facts;
  // mod_auth_basic appends too: several names or lines accumulate within one section.
  facts.providers = facts.providers ? apr_pstrcat(cmd->pool, facts.providers, ",", name, nullptr)
                                    : apr_pstrdup(cmd->pool, name);
  return nullptr;
}

template <typename Handler>
cmd_func as_cmd_func(Handler handler) {
  // command_rec stores every handler as `const char *(*)()` (httpd's C++ fallback when designated
  // initializers are unavailable); the cast through void(*)() is the warning-free way back.
  return reinterpret_cast<cmd_func>(reinterpret_cast<void (*)()>(handler));  // NOLINT
}

int override_for(core::SettingScope scope) {
  switch (scope) {
    case core::SettingScope::Anywhere:
      return RSRC_CONF | ACCESS_CONF | OR_AUTHCFG;
    case core::SettingScope::ServerAndDirectory:
      return RSRC_CONF | ACCESS_CONF;
    case core::SettingScope::ServerOnly:
      return RSRC_CONF;
  }
  return RSRC_CONF;
}

constexpr std::size_t kMaxCommands = 64;

std::array<command_rec, kMaxCommands> build_commands() {
  std::array<command_rec, kMaxCommands> table{};
  std::size_t next = 0;
  for (const auto& spec : core::setting_specs()) {
    table.at(next++) = command_rec{spec.name,
                                   as_cmd_func(set_setting),
                                   const_cast<core::SettingSpec*>(&spec),  // NOLINT: C API slot
                                   override_for(spec.scope),
                                   TAKE_ARGV,
                                   spec.help};
  }
  // Same names, overrides and argument forms as the owning stock modules, so configs behave
  // exactly as before; each handler records the value and returns NULL so the owner runs too.
  table.at(next++) = command_rec{"AuthType", as_cmd_func(shadow_auth_type),
                                 nullptr,    OR_AUTHCFG,
                                 TAKE1,      "authentication type (recorded by mod_authdiag)"};
  table.at(next++) = command_rec{"AuthName", as_cmd_func(shadow_auth_name),    nullptr, OR_AUTHCFG,
                                 TAKE1,      "realm (checked by mod_authdiag)"};
  table.at(next++) =
      command_rec{"AuthUserFile", as_cmd_func(shadow_user_file),         nullptr, OR_AUTHCFG,
                  TAKE12,         "user file (recorded by mod_authdiag)"};
  table.at(next++) =
      command_rec{"AuthGroupFile", as_cmd_func(shadow_group_file),         nullptr, OR_AUTHCFG,
                  TAKE1,           "group file (recorded by mod_authdiag)"};
  table.at(next++) = command_rec{"AuthBasicProvider",
                                 as_cmd_func(shadow_basic_provider),
                                 nullptr,
                                 OR_AUTHCFG,
                                 ITERATE,
                                 "authentication providers (recorded by mod_authdiag)"};
  return table;  // the remaining zeroed rows terminate the table
}

const std::array<command_rec, kMaxCommands> kCommands = build_commands();

}  // namespace

const DirConfig& dir_config(const request_rec* r) noexcept {
  return *static_cast<const DirConfig*>(ap_get_module_config(r->per_dir_config, &authdiag_module));
}

ServerConfig& server_config(const server_rec* s) noexcept {
  return *static_cast<ServerConfig*>(ap_get_module_config(s->module_config, &authdiag_module));
}

const command_rec* command_table() noexcept { return kCommands.data(); }

extern "C" {

void* create_dir_config(apr_pool_t* pool, char*) noexcept {
  return guarded(nullptr, nullptr, "create_dir_config", static_cast<void*>(nullptr),
                 [&] { return static_cast<void*>(pool_make<DirConfig>(pool)); });
}

void* merge_dir_config(apr_pool_t* pool, void* parent_ptr, void* child_ptr) noexcept {
  return guarded(nullptr, nullptr, "merge_dir_config", child_ptr, [&] {
    const auto& parent = *static_cast<const DirConfig*>(parent_ptr);
    const auto& child = *static_cast<const DirConfig*>(child_ptr);
    auto* merged = pool_make<DirConfig>(pool);
    merged->settings = core::merge(parent.settings, child.settings);
    merged->facts.auth_type = facts_or(child.facts.auth_type, parent.facts.auth_type);
    merged->facts.user_file = facts_or(child.facts.user_file, parent.facts.user_file);
    merged->facts.group_file = facts_or(child.facts.group_file, parent.facts.group_file);
    merged->facts.providers = facts_or(child.facts.providers, parent.facts.providers);
    merged->facts.config_file = facts_or(child.facts.config_file, parent.facts.config_file);
    return static_cast<void*>(merged);
  });
}

void* create_server_config(apr_pool_t* pool, server_rec*) noexcept {
  return guarded(nullptr, nullptr, "create_server_config", static_cast<void*>(nullptr),
                 [&] { return static_cast<void*>(pool_make<ServerConfig>(pool)); });
}

void* merge_server_config(apr_pool_t* pool, void* parent_ptr, void* child_ptr) noexcept {
  return guarded(nullptr, nullptr, "merge_server_config", child_ptr, [&] {
    const auto& parent = *static_cast<const ServerConfig*>(parent_ptr);
    const auto& child = *static_cast<const ServerConfig*>(child_ptr);
    auto* merged = pool_make<ServerConfig>(pool);
    merged->settings = core::merge(parent.settings, child.settings);
    return static_cast<void*>(merged);
  });
}

}  // extern "C"

}  // namespace authdiag::httpd
