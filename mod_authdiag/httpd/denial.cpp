// SPDX-License-Identifier: Apache-2.0
#include "httpd/denial.hpp"

#include "core/challenge.hpp"
#include "core/classifier.hpp"
#include "core/client_view.hpp"
#include "core/rate_limit.hpp"
#include "core/text.hpp"
#include "httpd/config.hpp"
#include "httpd/denial_log.hpp"
#include "httpd/file_diagnosis.hpp"
#include "httpd/pool.hpp"

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

namespace authdiag::httpd {

namespace {

constexpr const char* kChallengeHeader = "WWW-Authenticate";

bool is_basic(const char* auth_type) { return auth_type && core::iequals(auth_type, "Basic"); }

// ap_auth_name() returns the realm with unescaped `"` escaped (ap_escape_quotes); undo that so
// the challenge builder can quote it correctly.
std::string realm_of(request_rec* r) {
  const char* name = ap_auth_name(r);
  std::string realm;
  for (const char* p = name; p && *p; ++p) {
    if (p[0] == '\\' && p[1] == '"') ++p;
    realm += *p;
  }
  return realm;
}

bool realm_guard_tripped(request_rec* r) {
  void* mark = nullptr;
  return apr_pool_userdata_get(&mark, kRealmGuardTripped, r->pool) == APR_SUCCESS &&
         mark != nullptr;
}

bool is_script_handler(const char* handler) {
  if (!handler) return false;
  const std::string_view name(handler);
  return name == "cgi-script" || name == "application/x-httpd-cgi" || name.starts_with("proxy:") ||
         name.find("php") != std::string_view::npos || name.find("fcgi") != std::string_view::npos;
}

core::Observation observe(request_rec* r, const RequestState& state, const DirConfig& config,
                          int status) {
  core::Observation seen;
  seen.status = status;
  seen.phase = state.phase;
  seen.credentials.kind = state.credentials_kind;
  seen.credentials.malformed = state.malformed;
  seen.providers = {state.providers.data(), state.provider_count};
  seen.stored_hash = state.stored_hash;
  seen.config_fault = state.config_fault;
  if (state.restriction && state.restriction->enforced) seen.restriction = state.restriction;

  if (status == HTTP_INTERNAL_SERVER_ERROR && realm_guard_tripped(r)) {
    seen.config_fault = core::ConfigFault::RealmInvalid;
  }
  // Stock httpd reports a broken user file only to clients that send credentials (with a 500);
  // report it on the anonymous 401 too, so the first visitor's request already explains it.
  const bool anonymous_challenge =
      status == HTTP_UNAUTHORIZED && state.credentials_kind == core::CredentialsKind::Missing;
  if (seen.config_fault == core::ConfigFault::None && state.phase == core::Phase::Authn &&
      config.facts.user_file && is_basic(ap_auth_type(r)) &&
      (status == HTTP_INTERNAL_SERVER_ERROR || anonymous_challenge)) {
    // A 500 is rare and must name the current cause; the anonymous 401 is every login's first
    // request.
    const FileDiagnosis diagnosis = status == HTTP_INTERNAL_SERVER_ERROR
                                        ? diagnose_file(config.facts.user_file)
                                        : diagnose_file_recently(config.facts.user_file);
    seen.config_fault = diagnosis.fault;
    if (diagnosis.fault != core::ConfigFault::None) {
      seen.user_file_problem = describe_file_problem(diagnosis);
    }
  } else if (seen.config_fault == core::ConfigFault::UserFileMissing ||
             seen.config_fault == core::ConfigFault::UserFileUnreadable) {
    seen.user_file_problem = describe_file_problem({seen.config_fault, state.user_file_errno});
  }
  if (state.phase == core::Phase::Authz && config.facts.group_file) {
    const auto* end = state.failed_requirement_providers.begin() + state.failed_requirement_count;
    const bool group_rule_failed =
        std::any_of(state.failed_requirement_providers.begin(), end, [](const char* provider) {
          return std::strcmp(provider, "group") == 0 || std::strcmp(provider, "file-group") == 0;
        });
    seen.group_file_unreadable =
        group_rule_failed &&
        diagnose_file(config.facts.group_file).fault != core::ConfigFault::None;
  }
  if (state.phase == core::Phase::Handler) {
    seen.handler_is_cgi = is_script_handler(r->handler);
    const auto* core_config =
        static_cast<const core_dir_config*>(ap_get_core_module_config(r->per_dir_config));
    seen.cgi_passes_auth = core_config->cgi_pass_auth == AP_CGI_PASS_AUTH_ON;
    seen.credentials.kind = apr_table_get(r->headers_in, "Authorization")
                                ? core::CredentialsKind::Basic
                                : core::CredentialsKind::Missing;
  }
  return seen;
}

// UNIQUE_ID when mod_unique_id runs, else httpd's log id; nullptr when neither exists yet.
const char* existing_request_id(const request_rec* r) {
  if (const char* unique_id = apr_table_get(r->subprocess_env, "UNIQUE_ID")) return unique_id;
  return r->log_id;
}

// Gives the record a request id, generating httpd's log id if need be. Called only when the
// record is about to be shown or written: generating the id costs a system call.
void ensure_request_id(request_rec* r, core::DenialRecord& record) {
  if (!record.request_id.empty()) return;
  if (!existing_request_id(r)) {
    // Generated lazily by httpd on the first error-log line; do it now so the id in the page,
    // the JSON record and the error log ([R:%L]) agree.
    const char* id = nullptr;
    ap_run_generate_log_id(r->connection, r, &id);
    r->log_id = id;
  }
  if (const char* id = existing_request_id(r)) record.request_id = id;
}

std::string join(const auto& items, std::string_view separator) {
  std::string text;
  for (const auto& item : items) {
    if (!text.empty()) text += separator;
    text += item;
  }
  return text;
}

std::optional<std::string> providers_of(const RequestState& state, const DirConfig& config,
                                        const char* auth_type) {
  if (state.provider_count > 0) {
    std::vector<std::string_view> names;
    for (std::size_t i = 0; i < state.provider_count; ++i) {
      const auto name = state.providers.at(i).provider;
      if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
    }
    return join(names, ",");
  }
  if (config.facts.providers) return std::string(config.facts.providers);
  if (is_basic(auth_type)) return std::string("file");  // mod_auth_basic's default provider
  return std::nullopt;
}

std::optional<std::string> optional_string(const char* text) {
  if (!text) return std::nullopt;
  return std::string(text);
}

void fill_record(core::DenialRecord& record, request_rec* r, const RequestState& state,
                 const DirConfig& config, const core::Classification& classification, int status) {
  const auto& info = core::reason_info(classification.reason);
  record.time_us = r->request_time;
  if (const char* id = existing_request_id(r)) record.request_id = id;
  record.client_ip = r->useragent_ip ? r->useragent_ip : "";
  record.vhost = r->server->server_hostname ? r->server->server_hostname : "";
  record.method = r->method ? r->method : "";
  record.path = r->parsed_uri.path ? r->parsed_uri.path : (r->uri ? r->uri : "");
  record.status = status;
  if (status == HTTP_UNAUTHORIZED || core::is_restriction(classification.reason)) {
    record.substatus = info.substatus;
  }
  record.reason = classification.reason;
  if (state.user && (state.credentials_kind == core::CredentialsKind::Basic ||
                     state.credentials_kind == core::CredentialsKind::Malformed)) {
    record.user =
        core::render_user(state.user, server_config(r->server).settings.effective_log_user());
  }
  const char* auth_type = ap_auth_type(r);
  record.auth_type = optional_string(auth_type);
  if (ap_auth_name(r)) record.realm = realm_of(r);
  if (auth_type) record.providers = providers_of(state, config, auth_type);
  if (is_basic(auth_type)) record.user_file = optional_string(config.facts.user_file);
  if (state.stored_hash) record.hash_scheme = core::describe_hash(*state.stored_hash);
  if (state.failed_requirement_count > 0) {
    record.requirement =
        join(std::span(state.failed_requirements.data(), state.failed_requirement_count), "; ");
  }
  if (classification.reason == core::Reason::SchemeUnsupported) {
    record.scheme = optional_string(state.scheme);
  }
  record.config_file = optional_string(config.facts.config_file);
  record.detail = classification.detail;
  record.hint = classification.hint;
  if (core::is_restriction(classification.reason) && state.restriction) {
    record.counter = state.restriction->counter;
    record.limit = state.restriction->limit;
    record.window_ms = state.restriction->window_ms;
  }
}

void set_env_on_chain(request_rec* r, const core::DenialRecord& record) {
  const char* status_text =
      record.substatus ? apr_psprintf(r->pool, "%d.%u", record.status, unsigned{*record.substatus})
                       : apr_itoa(r->pool, record.status);
  const char* substatus = record.substatus ? apr_itoa(r->pool, *record.substatus) : nullptr;
  const char* reason = pool_copy(r->pool, core::reason_info(record.reason).token);
  // ErrorDocument redirects give the error page its own env (the originals become REDIRECT_*),
  // and mod_log_config reads the env of the last request in the chain.
  for (request_rec* each = r; each; each = each->next) {
    apr_table_setn(each->subprocess_env, "AUTHDIAG_STATUS", status_text);
    if (substatus) apr_table_setn(each->subprocess_env, "AUTHDIAG_SUBSTATUS", substatus);
    apr_table_setn(each->subprocess_env, "AUTHDIAG_REASON", reason);
  }
}

std::vector<std::string> challenge_values(const request_rec* r) {
  std::vector<std::string> values;
  // ap_http_header_filter sends err_headers_out first, then headers_out.
  for (const apr_table_t* table : {r->err_headers_out, r->headers_out}) {
    apr_table_do(
        [](void* out, const char*, const char* value) -> int {
          static_cast<std::vector<std::string>*>(out)->emplace_back(value);
          return 1;
        },
        &values, table, kChallengeHeader, nullptr);
  }
  return values;
}

}  // namespace

request_rec* originating_request(request_rec* r) noexcept {
  while (r->prev && r->prev->status != HTTP_OK) r = r->prev;
  return r;
}

Denial* denial_for(request_rec* r, int status) {
  auto& state = request_state(r);
  if (state.denial) return state.denial;
  const bool refused = state.restriction && state.restriction->enforced;
  if (!refused && status != HTTP_UNAUTHORIZED && status != HTTP_INTERNAL_SERVER_ERROR) {
    return nullptr;
  }
  const auto& config = dir_config(r);
  if (!config.settings.is_enabled()) return nullptr;

  const auto seen = observe(r, state, config, status);
  const auto classification = core::classify(seen);
  if (!classification) return nullptr;
  auto* denial = pool_make<Denial>(r->pool);
  fill_record(denial->record, r, state, config, *classification, status);
  state.denial = denial;
  return denial;
}

bool shows_details(const request_rec* r) {
  switch (dir_config(r).settings.effective_error_mode()) {
    case core::ErrorMode::Custom:
      return false;
    case core::ErrorMode::Detailed:
      return true;
    case core::ErrorMode::DetailedLocalOnly:
      return r->useragent_ip &&
             core::is_trusted(r->useragent_ip,
                              server_config(r->server).settings.effective_trusted_clients());
  }
  return false;
}

void install_detail_body(request_rec* r, Denial& denial) {
  if (!shows_details(r)) return;
  // A configured ErrorDocument (text or URL) keeps precedence over the detailed page.
  if (ap_response_code_string(r, ap_index_of_response(r->status))) return;
  const char* accept = apr_table_get(r->headers_in, "Accept");
  const bool problem_json = accept && core::prefers_problem_json(accept);
  ensure_request_id(r, denial.record);
  const std::string body = problem_json ? core::render_problem_json(denial.record)
                                        : core::render_detail_page(denial.record);
  ap_custom_response(r, r->status, pool_copy(r->pool, body));
  request_state(r).client_view = problem_json ? ClientView::ProblemJson : ClientView::DetailPage;
}

void finish_response_headers(request_rec* r, request_rec* origin, Denial* denial) {
  const auto& settings = dir_config(origin).settings;
  if (r->status == HTTP_UNAUTHORIZED) {
    core::ChallengeRepairInput input;
    input.existing_values = challenge_values(r);
    input.fallback_realm =
        ap_auth_name(origin) ? realm_of(origin) : std::string(settings.effective_default_realm());
    input.add_charset = settings.adds_charset();
    input.repair = settings.repairs_challenge();
    auto repaired = core::repair_challenges(input);
    if (repaired.changed) {
      apr_table_unset(r->headers_out, kChallengeHeader);
      apr_table_unset(r->err_headers_out, kChallengeHeader);
      for (const auto& value : repaired.values) {
        apr_table_addn(r->err_headers_out, kChallengeHeader, pool_copy(r->pool, value));
      }
    }
    if (denial) {
      if (!repaired.values.empty()) denial->record.challenge = join(repaired.values, ", ");
      denial->record.repaired = repaired.added || repaired.sanitized;
    }
  }
  if (!denial || !shows_details(origin)) return;
  const auto& record = denial->record;
  if (record.substatus) {
    apr_table_setn(r->err_headers_out, "AuthDiag-Substatus",
                   apr_psprintf(r->pool, "%d.%u", record.status, unsigned{*record.substatus}));
  }
  apr_table_setn(r->err_headers_out, "AuthDiag-Reason",
                 pool_copy(r->pool, core::reason_info(record.reason).token));
  if (request_state(origin).client_view == ClientView::ProblemJson) {
    ap_set_content_type(r, "application/problem+json");
  }
}

void log_denial(request_rec* r, Denial& denial, int final_status, bool set_env) {
  if (denial.logged) return;
  denial.logged = true;
  auto& record = denial.record;
  if (final_status != record.status) {
    record.status = final_status;
    if (final_status != HTTP_UNAUTHORIZED && !core::is_restriction(record.reason)) {
      record.substatus.reset();
    }
  }
  const auto& info = core::reason_info(record.reason);
  const int level = info.level == core::LogLevel::Info ? APLOG_INFO : APLOG_WARNING;
  auto* denial_log = server_config(r->server).denial_log;
  if (APLOG_R_IS_LEVEL(r, level) || denial_log) ensure_request_id(r, record);
  if (APLOG_R_IS_LEVEL(r, level)) {
    const std::string message_id(info.message_id);
    ap_log_rerror(APLOG_MARK, level, 0, r, "%s: %s", message_id.c_str(),
                  core::to_logfmt(record).c_str());
  }
  if (denial_log) denial_log->write(core::to_json_line(record));
  if (set_env) set_env_on_chain(r, record);
}

Denial* restriction_record(request_rec* r, int status) {
  auto& state = request_state(r);
  const auto& config = dir_config(r);
  if (!state.restriction || !config.settings.is_enabled()) return nullptr;
  auto seen = observe(r, state, config, status);
  seen.restriction = state.restriction;
  const auto classification = core::classify(seen);
  if (!classification) return nullptr;
  auto* denial = pool_make<Denial>(r->pool);
  fill_record(denial->record, r, state, config, *classification, status);
  return denial;
}

void apply_restriction(Denial& denial, const core::RestrictionHit& hit) {
  core::Observation seen;
  seen.status = denial.record.status;
  seen.restriction = hit;
  const auto classification = core::classify(seen);
  if (!classification) return;
  auto& record = denial.record;
  record.reason = classification->reason;
  record.substatus = core::reason_info(classification->reason).substatus;
  record.detail = classification->detail;
  record.hint = classification->hint;
  record.counter = hit.counter;
  record.limit = hit.limit;
  record.window_ms = hit.window_ms;
}

}  // namespace authdiag::httpd
