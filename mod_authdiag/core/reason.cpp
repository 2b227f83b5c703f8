// SPDX-License-Identifier: Apache-2.0
#include "core/reason.hpp"

#include <algorithm>

namespace authdiag::core {

namespace {
constexpr std::string_view kLogonFailed = "Logon failed";
constexpr std::string_view kLogonFailedConfig = "Logon failed due to server configuration";
constexpr std::string_view kAclDenied = "Unauthorized due to ACL on resource";
}  // namespace

const std::array<ReasonInfo, 21> kReasonTable{{
    {Reason::CredentialsMissing, "credentials_missing", "AD0101", 2, false, LogLevel::Info,
     kLogonFailedConfig,
     "The resource requires a user name and password and the request carried none.",
     {"This is the first request of a login: browsers send credentials only after this "
      "challenge.",
      "The client or a proxy in between dropped the Authorization header.", ""},
     {"Enter a user name and password when the browser asks.",
      "For scripts: send the header, e.g. curl -u USER URL.", ""}},
    {Reason::SchemeUnsupported, "scheme_unsupported", "AD0102", 2, false, LogLevel::Warn,
     kLogonFailedConfig,
     "The request used an authentication scheme this resource does not accept.",
     {"The client sent Bearer, Digest or Negotiate credentials to a Basic-auth resource.",
      "A proxy or single sign-on layer replaced the Authorization header.", ""},
     {"Send Basic credentials (user name and password).",
      "Check which scheme the WWW-Authenticate challenge asks for.", ""}},
    {Reason::CredentialsMalformed, "credentials_malformed", "AD0103", 1, false, LogLevel::Warn,
     kLogonFailed, "The Basic credentials could not be decoded into a user name and password.",
     {"The base64 value is empty or invalid, or has no colon between user and password.",
      "The user name or password contains control characters.", ""},
     {"Encode user:password in base64 (curl -u does this for you).",
      "Remove control characters from the user name and password.", ""}},
    {Reason::UserUnknown, "user_unknown", "AD0104", 1, false, LogLevel::Warn, kLogonFailed,
     "No user file or provider knows the user name that was sent.",
     {"The user name is misspelled or has different upper/lower case.",
      "The user was never added to the user file this directory uses, or was removed.",
      "The directory points at a different AuthUserFile than the one that was edited."},
     {"Check the spelling of the user name.",
      "List the users of the file named below (authdiag user list --user-file FILE).",
      "Add the user: authdiag user add --user-file FILE --user NAME --password-stdin."}},
    {Reason::PasswordMismatch, "password_mismatch", "AD0105", 1, false, LogLevel::Warn,
     kLogonFailed, "The user exists but the password does not match the stored hash.",
     {"The password is wrong or was changed.", "Caps Lock or keyboard layout differs.",
      "A cached credential (AuthnCacheSOCache) still holds an old password."},
     {"Retype the password.",
      "Reset it: authdiag user set --user-file FILE --user NAME --password-stdin.", ""}},
    {Reason::HashUnverifiable, "hash_unverifiable", "AD0106", 1, false, LogLevel::Warn,
     kLogonFailed,
     "The stored entry for this user can never verify on this server, whatever password is "
     "sent.",
     {"The user file stores a plaintext password (never accepted on Unix).",
      "The line was written by htdigest (user:realm:hash) for a Basic-auth directory.",
      "The hash uses a scheme this build cannot verify."},
     {"Set the password again with a supported hash: authdiag user set --user-file FILE "
      "--user NAME --password-stdin.",
      "Run authdiag lint on the directory to find every affected entry.", ""}},
    {Reason::AuthzDenied, "authz_denied", "AD0107", 3, false, LogLevel::Warn, kAclDenied,
     "The user logged on correctly, but a Require rule does not admit this user.",
     {"Require user or Require group names other users or groups.",
      "The user is missing from the group in AuthGroupFile.",
      "A parent directory's Require rules are merged (AuthMerging)."},
     {"Check the failed requirement shown below.",
      "Add the user to the required group, or log on as an admitted user.", ""}},
    {Reason::GroupFileUnreadable, "group_file_unreadable", "AD0108", 3, false, LogLevel::Warn,
     kAclDenied, "The group file named by AuthGroupFile cannot be read, so no group admits anyone.",
     {"The AuthGroupFile path is wrong or the file was deleted.",
      "The httpd user cannot read the file (permissions).", ""},
     {"Fix the AuthGroupFile path or create the file.",
      "Make the file readable by the user httpd's children run as.", ""}},
    {Reason::ModuleDenied, "module_denied", "AD0109", 4, false, LogLevel::Warn,
     "Authorization failed by filter",
     "Another httpd module answered 401 outside the authentication phase.",
     {"A RewriteRule with [R=401].", "A mod_lua, mod_security or similar rule.", ""},
     {"Search the configuration and .htaccess files for R=401 and similar rules.",
      "Raise LogLevel rewrite:trace3 to see which rule fired.", ""}},
    {Reason::ApplicationDenied, "application_denied", "AD0110", 5, false, LogLevel::Warn,
     "Authorization failed by ISAPI/CGI application",
     "The application (CGI, PHP, proxied backend) answered 401 itself.",
     {"The application requires its own login.",
      "The Authorization header was not passed to the application (CGIPassAuth Off).", ""},
     {"Check the application's own log.",
      "For CGI/FastCGI applications that check Basic auth themselves, set CGIPassAuth On.", ""}},
    {Reason::ConcurrentLimit, "concurrent_limit", "AD0111", 501, false, LogLevel::Warn,
     "Access denied: too many concurrent requests from the same client IP",
     "This client address has more requests in flight than AuthDiagMaxConcurrentRequests allows.",
     {"A download manager or crawler opens many connections.",
      "Many users share one address (NAT, proxy).", ""},
     {"Wait for running requests to finish.",
      "Exempt trusted addresses with AuthDiagAllowIP.", ""}},
    {Reason::RateLimit, "rate_limit", "AD0112", 502, false, LogLevel::Warn,
     "Access denied: too many requests from the same client IP",
     "This client address sent more requests than AuthDiagMaxRequestRate allows.",
     {"A script or crawler requests too fast.", "Many users share one address (NAT, proxy).",
      ""},
     {"Slow down and retry later.", "Exempt trusted addresses with AuthDiagAllowIP.", ""}},
    {Reason::FailedLogonLimit, "failed_logon_limit", "AD0113", 502, false, LogLevel::Warn,
     "Access denied: too many failed logons from the same client IP",
     "This client address failed to log on too often and is locked out for a while.",
     {"Repeated wrong passwords, or a password-guessing attack.",
      "A client keeps retrying stale saved credentials.", ""},
     {"Wait until the lockout ends, then log on with the right password.",
      "Fix or remove saved credentials in the client.", ""}},
    {Reason::IpDenied, "ip_denied", "AD0114", 503, false, LogLevel::Warn,
     "Access denied: the IP address is included in the deny list",
     "The client address is on a deny list (AuthDiagDenyIP, AuthDiagDenyIPFile).",
     {"The address or its network was blocked by an administrator.", "", ""},
     {"Ask the administrator to remove the address from the deny list.", "", ""}},
    {Reason::HostDenied, "host_denied", "AD0115", 504, false, LogLevel::Warn,
     "Access denied: the host name is included in the deny list",
     "The client's host name is on a deny list (AuthDiagDenyHost).",
     {"The host or its domain was blocked by an administrator.", "", ""},
     {"Ask the administrator to remove the host name from the deny list.", "", ""}},
    {Reason::UserFileMissing, "user_file_missing", "AD0116", 2, true, LogLevel::Warn,
     kLogonFailedConfig, "The user file named by AuthUserFile does not exist.",
     {"The AuthUserFile path is wrong (relative paths are taken from ServerRoot).",
      "The file was deleted or never created.", ""},
     {"Fix AuthUserFile to an absolute path of an existing file.",
      "Create it: authdiag user add --user-file FILE --user NAME --password-stdin.", ""}},
    {Reason::UserFileUnreadable, "user_file_unreadable", "AD0117", 2, true, LogLevel::Warn,
     kLogonFailedConfig, "The user file named by AuthUserFile exists but cannot be read by httpd.",
     {"File or directory permissions keep the httpd user out.",
      "The path names a directory, not a file.", ""},
     {"Make the file readable by the user httpd's children run as (e.g. chgrp www-data, mode "
      "0640).",
      "Run authdiag lint on the directory.", ""}},
    {Reason::AuthnameMissing, "authname_missing", "AD0118", 2, true, LogLevel::Warn,
     kLogonFailedConfig, "AuthType Basic is set but AuthName is missing.",
     {"The AuthName line was removed or never written.", "", ""},
     {"Add AuthName \"Your realm\" next to AuthType Basic.", "", ""}},
    {Reason::AuthtypeMissing, "authtype_missing", "AD0119", 2, true, LogLevel::Warn,
     kLogonFailedConfig, "A Require rule needs a user, but no AuthType is configured.",
     {"AuthType Basic was removed or never written.", "", ""},
     {"Add AuthType Basic, AuthName and AuthUserFile next to the Require line.", "", ""}},
    {Reason::RealmInvalid, "realm_invalid", "AD0120", 2, true, LogLevel::Warn, kLogonFailedConfig,
     "The AuthName (realm) cannot be used in a challenge.",
     {"AuthName ends with a backslash, which would abort the httpd child.", "", ""},
     {"Remove the trailing backslash from AuthName.", "", ""}},
    {Reason::ProviderError, "provider_error", "AD0121", 2, true, LogLevel::Warn,
     kLogonFailedConfig, "An authentication provider failed with an internal error.",
     {"The provider is misconfigured (database, LDAP or DBM file unavailable).",
      "AuthBasicAuthoritative Off without another authentication module.", ""},
     {"Read the error-log lines just before this one.", "Check AuthBasicProvider.", ""}},
}};

const ReasonInfo& reason_info(Reason reason) noexcept {
  return kReasonTable[static_cast<std::size_t>(reason)];
}

std::optional<Reason> reason_from_token(std::string_view token) noexcept {
  const auto* row = std::find_if(kReasonTable.begin(), kReasonTable.end(),
                                 [token](const ReasonInfo& info) { return info.token == token; });
  if (row == kReasonTable.end()) return std::nullopt;
  return row->reason;
}

std::string format_substatus(int status, SubstatusCode substatus) {
  return std::to_string(status) + "." + std::to_string(substatus);
}

}  // namespace authdiag::core
