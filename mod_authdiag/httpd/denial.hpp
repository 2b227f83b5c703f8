// SPDX-License-Identifier: Apache-2.0
// A classified denial of one request and everything the module tells about it: the record for
// the logs, the client view, the challenge that was sent.
#pragma once

#include "core/denial_record.hpp"
#include "httpd/request_state.hpp"

#include "httpd/httpd_api.hpp"

namespace authdiag::httpd {

struct Denial {
  core::DenialRecord record;
  bool logged = false;
};

// Classifies the denial of `r` (the request whose processing produced `status`) once and returns
// it; nullptr when the status is not a denial the module explains or AuthDiag is Off.
Denial* denial_for(request_rec* r, int status);

// The request whose processing produced the response `r` is sending: for an ErrorDocument
// redirect that is the request that failed, not the error page.
request_rec* originating_request(request_rec* r) noexcept;

// Trusted clients see details: AuthDiagErrorMode and AuthDiagTrustedClients decide.
bool shows_details(const request_rec* r);

// Chooses and installs the detailed body for a canned error response (insert_error_filter).
void install_detail_body(request_rec* r, Denial& denial);

// Repairs the challenge and adds the detail headers on the response being sent by `r`.
void finish_response_headers(request_rec* r, request_rec* origin, Denial* denial);

// Error-log line, JSON line and, with `set_env`, the access-log env vars (log_transaction).
void log_denial(request_rec* r, Denial& denial, int final_status, bool set_env = true);

// The record of a restriction that only logs (AuthDiagLoggingOnly): what would have been
// denied, apart from any denial the request got; nullptr when there is none.
Denial* restriction_record(request_rec* r, int status);

// Turns `denial` into the restriction `hit` (a failed logon past the limit becomes the lockout).
void apply_restriction(Denial& denial, const core::RestrictionHit& hit);

}  // namespace authdiag::httpd
