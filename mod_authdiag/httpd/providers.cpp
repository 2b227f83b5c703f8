// SPDX-License-Identifier: Apache-2.0
#include "httpd/providers.hpp"

#include "core/hash_scheme.hpp"
#include "httpd/config.hpp"
#include "httpd/guard.hpp"
#include "httpd/request_state.hpp"

#include <array>
#include <cstring>
#include <string>
#include <utility>

namespace authdiag::httpd {

namespace {

// Provider callbacks carry no context, so each wrapped provider gets its own slot and its own
// instantiation of the trampolines below. The tables are written in pre_config (parent process,
// before any request) and only read afterwards.
constexpr std::size_t kAuthnSlots = 48;
constexpr std::size_t kAuthzSlots = 64;

struct AuthnSlot {
  const authn_provider* original;
  const char* name;
  authn_provider wrapper;
};

struct AuthzSlot {
  const authz_provider* original;
  const char* name;
  authz_provider wrapper;
};

std::array<AuthnSlot, kAuthnSlots> authn_slots{};
std::size_t authn_slot_count = 0;
std::array<AuthzSlot, kAuthzSlots> authz_slots{};
std::size_t authz_slot_count = 0;

APR_OPTIONAL_FN_TYPE(ap_authn_cache_store) * previous_cache_store = nullptr;

core::ProviderResult to_result(authn_status status) {
  switch (status) {
    case AUTH_GRANTED:
      return core::ProviderResult::Granted;
    case AUTH_DENIED:
      return core::ProviderResult::Denied;
    case AUTH_USER_FOUND:
      return core::ProviderResult::UserFound;
    case AUTH_USER_NOT_FOUND:
      return core::ProviderResult::UserNotFound;
    case AUTH_GENERAL_ERROR:
      break;
  }
  return core::ProviderResult::GeneralError;
}

// For an unknown user, verify the password against the first entry of the same user file that
// can verify, and ignore the answer: an unknown name then costs what a wrong password costs for
// that file's hash scheme and cost, so response time no longer tells which names exist.
void equalize_unknown_user(request_rec* r, const char* password) {
  const auto& config = dir_config(r);
  if (!password || !config.facts.user_file || !config.settings.is_enabled() ||
      !config.settings.equalizes_timing()) {
    return;
  }
  ap_configfile_t* file = nullptr;
  if (ap_pcfg_openfile(&file, r->pool, config.facts.user_file) != APR_SUCCESS) return;
  constexpr int kMaxLinesScanned = 1000;
  std::array<char, MAX_STRING_LEN> line{};
  for (int scanned = 0;
       scanned < kMaxLinesScanned && ap_cfg_getline(line.data(), line.size(), file) == APR_SUCCESS;
       ++scanned) {
    const char* colon = std::strchr(line.data(), ':');
    if (line[0] == '#' || !colon) continue;
    const std::string stored(colon + 1, std::strcspn(colon + 1, ":"));
    if (core::identify_hash(stored).verifiable) {
      apr_password_validate(password, stored.c_str());
      break;
    }
  }
  ap_cfg_closefile(file);
}

// The name the provider was asked under: mod_auth_basic and mod_auth_digest note the configured
// name before each call, so an AuthnProviderAlias shows as its alias rather than as the provider
// it wraps (whose trampoline is the one that runs).
const char* configured_name(const request_rec* r, const AuthnSlot& slot) {
  const char* noted = apr_table_get(r->notes, AUTHN_PROVIDER_NAME_NOTE);
  return noted ? noted : slot.name;
}

authn_status check_password_through(const AuthnSlot& slot, request_rec* r, const char* user,
                                    const char* password) noexcept {
  const authn_status status = slot.original->check_password(r, user, password);
  guarded_void(r, nullptr, "authn provider", [&] {
    record_provider(r, configured_name(r, slot), to_result(status));
    if (status == AUTH_USER_NOT_FOUND && std::strcmp(slot.name, "file") == 0) {
      equalize_unknown_user(r, password);
    }
  });
  return status;
}

authn_status get_realm_hash_through(const AuthnSlot& slot, request_rec* r, const char* user,
                                    const char* realm, char** hash) noexcept {
  const authn_status status = slot.original->get_realm_hash(r, user, realm, hash);
  guarded_void(r, nullptr, "authn provider",
               [&] { record_provider(r, configured_name(r, slot), to_result(status)); });
  return status;
}

authz_status check_authorization_through(const AuthzSlot& slot, request_rec* r,
                                         const char* require_line, const void* parsed) noexcept {
  const authz_status status = slot.original->check_authorization(r, require_line, parsed);
  // Only the second evaluation (after authentication, r->user set) explains a 401.3; the first
  // one runs before any user is known and user-dependent providers always say DENIED_NO_USER.
  if ((status == AUTHZ_DENIED || status == AUTHZ_DENIED_NO_USER) && r->user) {
    guarded_void(r, nullptr, "authz provider",
                 [&] { record_failed_requirement(r, slot.name, require_line); });
  }
  return status;
}

template <std::size_t I>
authn_status check_password_slot(request_rec* r, const char* user, const char* password) noexcept {
  return check_password_through(authn_slots[I], r, user, password);
}

template <std::size_t I>
authn_status get_realm_hash_slot(request_rec* r, const char* user, const char* realm,
                                 char** hash) noexcept {
  return get_realm_hash_through(authn_slots[I], r, user, realm, hash);
}

template <std::size_t I>
authz_status check_authorization_slot(request_rec* r, const char* require_line,
                                      const void* parsed) noexcept {
  return check_authorization_through(authz_slots[I], r, require_line, parsed);
}

template <std::size_t... I>
constexpr auto make_authn_trampolines(std::index_sequence<I...>) {
  return std::pair{std::array{&check_password_slot<I>...}, std::array{&get_realm_hash_slot<I>...}};
}

template <std::size_t... I>
constexpr auto make_authz_trampolines(std::index_sequence<I...>) {
  return std::array{&check_authorization_slot<I>...};
}

constexpr auto kAuthnTrampolines = make_authn_trampolines(std::make_index_sequence<kAuthnSlots>{});
constexpr auto kAuthzTrampolines = make_authz_trampolines(std::make_index_sequence<kAuthzSlots>{});

bool is_wrapper(const void* provider) {
  const auto* begin = static_cast<const void*>(authn_slots.data());
  const auto* end = static_cast<const void*>(authn_slots.data() + authn_slots.size());
  const auto* zbegin = static_cast<const void*>(authz_slots.data());
  const auto* zend = static_cast<const void*>(authz_slots.data() + authz_slots.size());
  return (provider >= begin && provider < end) || (provider >= zbegin && provider < zend);
}

void wrap_authn(apr_pool_t* pconf, const char* name) {
  const auto* original = static_cast<const authn_provider*>(
      ap_lookup_provider(AUTHN_PROVIDER_GROUP, name, AUTHN_PROVIDER_VERSION));
  if (!original || is_wrapper(original)) return;
  if (authn_slot_count == kAuthnSlots) {
    ap_log_perror(APLOG_MARK, APLOG_WARNING, 0, pconf,
                  "AD0502: more than %zu authn providers; '%s' is not observed", kAuthnSlots, name);
    return;
  }
  const std::size_t index = authn_slot_count++;
  auto& slot = authn_slots.at(index);
  // A NULL callback means "not supported" to callers (mod_auth_basic, mod_auth_digest): keep it.
  slot = {original,
          apr_pstrdup(pconf, name),
          {original->check_password ? kAuthnTrampolines.first.at(index) : nullptr,
           original->get_realm_hash ? kAuthnTrampolines.second.at(index) : nullptr}};
  ap_register_auth_provider(pconf, AUTHN_PROVIDER_GROUP, name, AUTHN_PROVIDER_VERSION,
                            &slot.wrapper, AP_AUTH_INTERNAL_PER_CONF);
}

void wrap_authz(apr_pool_t* pconf, const char* name) {
  const auto* original = static_cast<const authz_provider*>(
      ap_lookup_provider(AUTHZ_PROVIDER_GROUP, name, AUTHZ_PROVIDER_VERSION));
  if (!original || !original->check_authorization || is_wrapper(original)) return;
  if (authz_slot_count == kAuthzSlots) {
    ap_log_perror(APLOG_MARK, APLOG_WARNING, 0, pconf,
                  "AD0502: more than %zu authz providers; '%s' is not observed", kAuthzSlots, name);
    return;
  }
  const std::size_t index = authz_slot_count++;
  auto& slot = authz_slots.at(index);
  // parse_require_line is passed through unchanged: its result comes back as `parsed`.
  slot = {original,
          apr_pstrdup(pconf, name),
          {kAuthzTrampolines.at(index), original->parse_require_line}};
  ap_register_auth_provider(pconf, AUTHZ_PROVIDER_GROUP, name, AUTHZ_PROVIDER_VERSION,
                            &slot.wrapper, AP_AUTH_INTERNAL_PER_CONF);
}

template <typename Wrap>
void wrap_group(apr_pool_t* pconf, apr_pool_t* ptemp, const char* group, const char* version,
                Wrap wrap) {
  const apr_array_header_t* names = ap_list_provider_names(ptemp, group, version);
  const auto* entries = reinterpret_cast<const ap_list_provider_names_t*>(names->elts);  // NOLINT
  for (int i = 0; i < names->nelts; ++i) wrap(pconf, entries[i].provider_name);
}

// mod_authn_file (and dbm, dbd) hand every found user's stored hash to the optional function
// ap_authn_cache_store before verifying it; interposing it tells which hash scheme a "password
// mismatch" was checked against. The hash itself is never kept. The previous holder
// (mod_authn_socache) is always called on.
extern "C" void observe_stored_hash(request_rec* r, const char* module, const char* user,
                                    const char* realm, const char* data) noexcept {
  guarded_void(r, nullptr, "ap_authn_cache_store", [&] {
    if (data) request_state(r).stored_hash = core::identify_hash(data);
  });
  if (previous_cache_store) previous_cache_store(r, module, user, realm, data);
}

}  // namespace

int wrap_auth_providers(apr_pool_t* pconf, apr_pool_t*, apr_pool_t* ptemp) noexcept {
  return guarded(nullptr, nullptr, "pre_config", OK, [&] {
    authn_slot_count = 0;
    authz_slot_count = 0;
    wrap_group(pconf, ptemp, AUTHN_PROVIDER_GROUP, AUTHN_PROVIDER_VERSION, wrap_authn);
    wrap_group(pconf, ptemp, AUTHZ_PROVIDER_GROUP, AUTHZ_PROVIDER_VERSION, wrap_authz);

    previous_cache_store = APR_RETRIEVE_OPTIONAL_FN(ap_authn_cache_store);
    if (previous_cache_store == &observe_stored_hash) previous_cache_store = nullptr;
    apr_dynamic_fn_register("ap_authn_cache_store",
                            reinterpret_cast<apr_opt_fn_t*>(&observe_stored_hash));  // NOLINT
    return OK;
  });
}

}  // namespace authdiag::httpd
