// SPDX-License-Identifier: Apache-2.0
// The IP and rate restrictions (401.501-401.504) on httpd: deny lists and limits in the access
// phase, the failed-logon lockout in the authentication phase of protected scopes, failed logons
// counted when their 401.1 is sent, in-flight requests counted down by a request-pool cleanup,
// and the authdiag-status handler.
#pragma once

#include "httpd/httpd_api.hpp"

namespace authdiag::httpd {

struct Denial;

void register_restriction_hooks() noexcept;

// True when a restriction refused `r` (the response filter then treats 403, 404 and 429 as
// denials too).
bool restriction_refused(const request_rec* r) noexcept;

// Called when the response of `origin` carrying `denial` is about to be sent: a 401.1 in a scope
// with AuthDiagMaxFailedLogons counts as a failed logon (once per request).
void note_denial_sent(request_rec* origin, Denial& denial) noexcept;

}  // namespace authdiag::httpd
