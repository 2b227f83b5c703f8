// SPDX-License-Identifier: Apache-2.0
#include "core/classifier.hpp"

#include <algorithm>
#include <string>

namespace authdiag::core {

namespace {

constexpr int kUnauthorized = 401;
constexpr int kInternalServerError = 500;

std::optional<Reason> reason_for_fault(ConfigFault fault) {
  switch (fault) {
    case ConfigFault::None:
      return std::nullopt;
    case ConfigFault::UserFileMissing:
      return Reason::UserFileMissing;
    case ConfigFault::UserFileUnreadable:
      return Reason::UserFileUnreadable;
    case ConfigFault::AuthnameMissing:
      return Reason::AuthnameMissing;
    case ConfigFault::AuthtypeMissing:
      return Reason::AuthtypeMissing;
    case ConfigFault::RealmInvalid:
      return Reason::RealmInvalid;
    case ConfigFault::ProviderError:
      return Reason::ProviderError;
  }
  return std::nullopt;
}

// The reason's explanation, with the child's own account of the failure when there is one.
std::string detail_for_fault(Reason reason, const std::optional<std::string>& problem) {
  std::string detail(reason_info(reason).explanation);
  if (problem && !detail.empty() && detail.back() == '.') {
    detail.pop_back();
    detail += " (" + *problem + ").";
  }
  return detail;
}

std::string detail_for_malformed(MalformedBasic malformed) {
  switch (malformed) {
    case MalformedBasic::Empty:
      return "The Basic credentials are empty.";
    case MalformedBasic::InvalidBase64:
      return "The Basic credentials are not valid base64.";
    case MalformedBasic::NoColon:
      return "The decoded Basic credentials have no colon between user name and password.";
    case MalformedBasic::ControlCharacter:
      return "The user name or password contains control characters.";
    case MalformedBasic::None:
      break;
  }
  return "The Basic credentials are malformed.";
}

Classification classify_authentication(const Observation& seen) {
  switch (seen.credentials.kind) {
    case CredentialsKind::Missing:
      return {Reason::CredentialsMissing, "The request carried no Authorization header.", {}};
    case CredentialsKind::OtherScheme:
      return {Reason::SchemeUnsupported,
              "The request used an authentication scheme other than Basic.",
              "Send Basic credentials; this resource only accepts AuthType Basic."};
    case CredentialsKind::Malformed:
      return {Reason::CredentialsMalformed, detail_for_malformed(seen.credentials.malformed), {}};
    case CredentialsKind::Basic:
      break;
  }
  const bool user_found =
      std::any_of(seen.providers.begin(), seen.providers.end(), [](const ProviderOutcome& outcome) {
        return outcome.result == ProviderResult::Denied ||
               outcome.result == ProviderResult::UserFound;
      });
  if (!user_found) {
    return {Reason::UserUnknown,
            seen.providers.empty() ? "No authentication provider knows the user."
                                   : "None of the authentication providers knows the user.",
            {}};
  }
  if (seen.stored_hash && !seen.stored_hash->verifiable) {
    std::string detail = "The stored entry is ";
    detail += seen.stored_hash->scheme == HashScheme::Plaintext
                  ? "plaintext or an htdigest line, which never verifies on this server."
                  : "a malformed " + describe_hash(*seen.stored_hash) + " hash.";
    return {Reason::HashUnverifiable, std::move(detail),
            "Set the password again: authdiag user set --user-file FILE --user NAME "
            "--password-stdin"};
  }
  std::string detail = "The password does not match the stored hash";
  if (seen.stored_hash) detail += " (" + describe_hash(*seen.stored_hash) + ")";
  detail += ".";
  return {Reason::PasswordMismatch, std::move(detail), {}};
}

Classification classify_handler(const Observation& seen) {
  if (seen.handler_is_cgi && !seen.cgi_passes_auth &&
      seen.credentials.kind != CredentialsKind::Missing) {
    return {Reason::ApplicationDenied,
            "The application answered 401; httpd did not pass it the Authorization header.",
            "Set CGIPassAuth On for this directory so the application sees the credentials."};
  }
  return {Reason::ApplicationDenied, "The application (content handler) answered 401 itself.", {}};
}

Classification classify_restriction(const RestrictionHit& hit) {
  const auto number = [](const std::optional<std::uint64_t>& value) {
    return std::to_string(value.value_or(0));
  };
  std::string detail;
  switch (hit.reason) {
    case Reason::ConcurrentLimit:
      detail = "This client address had " + number(hit.counter) +
               " requests in flight; AuthDiagMaxConcurrentRequests allows " + number(hit.limit) +
               ".";
      break;
    case Reason::RateLimit:
      detail = "This client address sent " + number(hit.counter) + " requests within " +
               number(hit.window_ms) + " ms; AuthDiagMaxRequestRate allows " + number(hit.limit) +
               ".";
      break;
    case Reason::FailedLogonLimit:
      detail = "This client address failed to log on " + number(hit.limit) +
               " times and is locked out of protected areas until the lockout ends.";
      break;
    case Reason::HostDenied:
      detail = "The client's host name is on the deny list (AuthDiagDenyHost).";
      break;
    default:
      detail = "The client address is on the deny list (AuthDiagDenyIP, AuthDiagDenyIPFile).";
      break;
  }
  if (!hit.enforced) detail += " AuthDiagLoggingOnly is On: the request was not refused.";
  if (hit.connection_closed) {
    detail += " The connection was closed without a response (AuthDiagDenyAction Abort).";
  }
  return {hit.reason, std::move(detail), {}};
}

std::optional<Classification> classify_observation(const Observation& seen) {
  if (seen.restriction) return classify_restriction(*seen.restriction);
  if (auto reason = reason_for_fault(seen.config_fault)) {
    if (seen.status != kUnauthorized && seen.status != kInternalServerError) return std::nullopt;
    return Classification{*reason, detail_for_fault(*reason, seen.user_file_problem), {}};
  }
  if (seen.status == kInternalServerError) {
    // A 500 while credentials were being checked is the provider chain failing: a database or
    // DBM file that cannot be read, or AuthBasicAuthoritative Off with nothing to fall back to.
    if (seen.phase != Phase::Authn) return std::nullopt;
    return Classification{
        Reason::ProviderError, std::string(reason_info(Reason::ProviderError).explanation), {}};
  }
  if (seen.status != kUnauthorized) return std::nullopt;

  switch (seen.phase) {
    case Phase::BeforeAuth:
    case Phase::Access:
    case Phase::AfterAuth:
      return Classification{
          Reason::ModuleDenied, "A module answered 401 outside the authentication checks.", {}};
    case Phase::Authn:
      return classify_authentication(seen);
    case Phase::Authz:
      if (seen.group_file_unreadable) {
        return Classification{Reason::GroupFileUnreadable,
                              "The AuthGroupFile could not be read, so no group admits the user.",
                              {}};
      }
      return Classification{
          Reason::AuthzDenied, "The user logged on, but no Require rule admits this user.", {}};
    case Phase::Handler:
      return classify_handler(seen);
  }
  return std::nullopt;
}

}  // namespace

std::optional<Classification> classify(const Observation& seen) {
  std::optional<Classification> classification = classify_observation(seen);
  // Without a finding of its own, the hint is the reason's first remedy: every record says
  // what to try.
  if (classification && !classification->hint) {
    const std::string_view remedy = reason_info(classification->reason).remedies.front();
    if (!remedy.empty()) classification->hint = std::string(remedy);
  }
  return classification;
}

}  // namespace authdiag::core
