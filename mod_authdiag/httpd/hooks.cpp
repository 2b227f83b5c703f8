// SPDX-License-Identifier: Apache-2.0
#include "httpd/hooks.hpp"

#include "core/authorization_header.hpp"
#include "core/challenge.hpp"
#include "core/text.hpp"
#include "httpd/config.hpp"
#include "httpd/denial.hpp"
#include "httpd/denial_log.hpp"
#include "httpd/file_diagnosis.hpp"
#include "httpd/guard.hpp"
#include "httpd/pool.hpp"
#include "httpd/providers.hpp"
#include "httpd/request_state.hpp"
#include "httpd/restrictions.hpp"

#include <string_view>

namespace authdiag::httpd {

namespace {

ap_filter_rec_t* response_filter_handle = nullptr;

// Phase markers: each hook runs first in its phase, records how far the request got, and
// declines. A status decided later than a marker is attributed to that phase.
int mark_phase(request_rec* r, core::Phase phase, const char* where) noexcept {
  return guarded(r, nullptr, where, DECLINED, [&] {
    request_state(r).phase = phase;
    return DECLINED;
  });
}

int mark_access(request_rec* r) noexcept {
  return mark_phase(r, core::Phase::Access, "check_access_ex");
}
int mark_authz(request_rec* r) noexcept { return mark_phase(r, core::Phase::Authz, "check_authz"); }
int mark_after_auth(request_rec* r) noexcept {
  return mark_phase(r, core::Phase::AfterAuth, "fixups");
}
int mark_handler(request_rec* r) noexcept { return mark_phase(r, core::Phase::Handler, "handler"); }

core::ConfigFault config_fault_before_authn(request_rec* r) {
  const char* auth_type = ap_auth_type(r);
  if (!auth_type) return core::ConfigFault::AuthtypeMissing;
  if (!core::iequals(auth_type, "Basic")) return core::ConfigFault::None;
  if (!ap_auth_name(r)) return core::ConfigFault::AuthnameMissing;
  return core::ConfigFault::None;
}

// Answers a configuration error as 401.2 (AuthDiagConfigErrorStatus 401) instead of httpd's 500.
int answer_config_error_as_401(request_rec* r, const DirConfig& config) {
  const char* realm = ap_auth_name(r);
  const std::string challenge = core::build_basic_challenge(
      realm ? std::string_view(realm) : config.settings.effective_default_realm(),
      config.settings.adds_charset());
  apr_table_setn(r->err_headers_out, "WWW-Authenticate", pool_copy(r->pool, challenge));
  return HTTP_UNAUTHORIZED;
}

// check_authn, first: records the credentials' shape (never the password) and catches
// configuration errors before mod_auth_basic turns them into a 500.
int observe_authentication(request_rec* r) noexcept {
  return guarded(r, nullptr, "check_authn", DECLINED, [&] {
    auto& state = request_state(r);
    state.phase = core::Phase::Authn;
    const auto& config = dir_config(r);
    if (!config.settings.is_enabled()) return DECLINED;

    const char* header = apr_table_get(
        r->headers_in, r->proxyreq == PROXYREQ_PROXY ? "Proxy-Authorization" : "Authorization");
    auto parsed = core::parse_authorization(header != nullptr, header ? header : "");
    const char* auth_type = ap_auth_type(r);
    // For AuthType Digest (or another scheme) credentials of that scheme are the expected kind.
    // Under AuthType Basic, "Basic\tTOKEN" stays another scheme: mod_auth_basic splits at SP only.
    if (auth_type && !core::iequals(auth_type, "Basic") &&
        parsed.kind == core::CredentialsKind::OtherScheme &&
        core::iequals(parsed.scheme, auth_type)) {
      parsed.kind = core::CredentialsKind::Basic;
    }
    state.credentials_parsed = true;
    state.credentials_kind = parsed.kind;
    state.malformed = parsed.malformed;
    state.scheme = parsed.scheme.empty() ? nullptr : pool_copy(r->pool, parsed.scheme);
    // Without a colon the decoded text is often "userpassword" typed into one field: never log it.
    const bool user_is_known = parsed.kind == core::CredentialsKind::Basic ||
                               (parsed.kind == core::CredentialsKind::Malformed &&
                                parsed.malformed != core::MalformedBasic::NoColon);
    state.user = user_is_known ? pool_copy(r->pool, parsed.user) : nullptr;

    state.config_fault = config_fault_before_authn(r);
    if (config.settings.effective_config_error_status() != HTTP_UNAUTHORIZED) return DECLINED;
    if (state.config_fault == core::ConfigFault::None && config.facts.user_file &&
        core::iequals(auth_type, "Basic")) {
      const FileDiagnosis diagnosis = diagnose_file_recently(config.facts.user_file);
      state.config_fault = diagnosis.fault;
      state.user_file_errno = diagnosis.error_number;
    }
    if (state.config_fault == core::ConfigFault::None) return DECLINED;
    return answer_config_error_as_401(r, config);
  });
}

// insert_error_filter: httpd is about to send its canned error page (no ErrorDocument URL).
void prepare_error_response(request_rec* r) noexcept {
  guarded_void(r, nullptr, "insert_error_filter", [&] {
    if (r->main) return;
    if (Denial* denial = denial_for(r, r->status)) install_detail_body(r, *denial);
  });
}

// A protocol filter on the initial request: it sees every response, canned error, ErrorDocument
// page, handler or proxy output, before HTTP_HEADER serialises the headers. It acts on the first
// brigade and removes itself.
apr_status_t finish_response(ap_filter_t* f, apr_bucket_brigade* bb) noexcept {
  request_rec* r = f->r;
  guarded_void(r, nullptr, "response filter", [&] {
    request_rec* origin = originating_request(r);
    if (r->status != HTTP_UNAUTHORIZED && r->status != HTTP_INTERNAL_SERVER_ERROR &&
        !restriction_refused(origin)) {
      return;
    }
    if (!dir_config(origin).settings.is_enabled()) return;
    Denial* denial = denial_for(origin, r->status);
    if (denial) note_denial_sent(origin, *denial);
    finish_response_headers(r, origin, denial);
  });
  ap_remove_output_filter(f);
  return ap_pass_brigade(f->next, bb);
}

int add_response_filter(request_rec* r) noexcept {
  if (!r->main && !r->prev)
    ap_add_output_filter_handle(response_filter_handle, nullptr, r, r->connection);
  return OK;
}

// log_transaction, before mod_log_config: the final status is known; log the denial and set the
// env vars on every request of the redirect chain so %{AUTHDIAG_...}e works in LogFormat.
int log_transaction(request_rec* r) noexcept {
  return guarded(r, nullptr, "log_transaction", DECLINED, [&] {
    request_rec* last = r;
    while (last->next) last = last->next;
    if (Denial* denial = denial_for(r, last->status)) log_denial(r, *denial, last->status);
    return DECLINED;
  });
}

// httpd offers a directive to the most recently loaded module first, so the AuthName guard only
// sees a value before mod_authn_core when this module was loaded after it.
void warn_if_loaded_before_authn_core(server_rec* s) {
  for (const module* m = ap_top_module; m; m = m->next) {
    if (m == &authdiag_module) return;  // found first: loaded later, the guard works
    if (std::string_view(m->name) == "mod_authn_core.c") {
      ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s,
                   "AD0503: mod_authdiag is loaded before mod_authn_core, so an AuthName ending "
                   "in a backslash still aborts the child; put its LoadModule line after "
                   "mod_authn_core's (Debian: a2enmod authdiag does)");
      return;
    }
  }
}

int post_config(apr_pool_t* pconf, apr_pool_t*, apr_pool_t*, server_rec* s) noexcept {
  // httpd runs the configuration twice at startup; open pipes and files on the real pass only.
  if (ap_state_query(AP_SQ_MAIN_STATE) == AP_SQ_MS_CREATE_PRE_CONFIG) return OK;
  guarded_void(nullptr, s, "post_config", [&] { warn_if_loaded_before_authn_core(s); });
  return open_denial_logs(pconf, s);
}

}  // namespace

void register_hooks(apr_pool_t*) noexcept {
  ap_hook_pre_config(wrap_auth_providers, nullptr, nullptr, APR_HOOK_REALLY_LAST);
  ap_hook_post_config(post_config, nullptr, nullptr, APR_HOOK_MIDDLE);
  ap_hook_create_request(add_response_filter, nullptr, nullptr, APR_HOOK_MIDDLE);
  // Auth-phase hooks are per-configuration, like httpd's own, so httpd keeps skipping auth on
  // subrequests and internal redirects that share the configuration.
  ap_hook_check_access_ex(mark_access, nullptr, nullptr, APR_HOOK_FIRST, AP_AUTH_INTERNAL_PER_CONF);
  ap_hook_check_authn(observe_authentication, nullptr, nullptr, APR_HOOK_FIRST,
                      AP_AUTH_INTERNAL_PER_CONF);
  ap_hook_check_authz(mark_authz, nullptr, nullptr, APR_HOOK_FIRST, AP_AUTH_INTERNAL_PER_CONF);
  ap_hook_fixups(mark_after_auth, nullptr, nullptr, APR_HOOK_REALLY_FIRST);
  ap_hook_handler(mark_handler, nullptr, nullptr, APR_HOOK_REALLY_FIRST);
  ap_hook_insert_error_filter(prepare_error_response, nullptr, nullptr, APR_HOOK_MIDDLE);
  ap_hook_log_transaction(log_transaction, nullptr, nullptr, APR_HOOK_REALLY_FIRST);
  response_filter_handle =
      ap_register_output_filter("AUTHDIAG_RESPONSE", finish_response, nullptr, AP_FTYPE_PROTOCOL);
  register_restriction_hooks();
}

}  // namespace authdiag::httpd
