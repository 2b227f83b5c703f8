// SPDX-License-Identifier: Apache-2.0
// What a trusted client sees for a denial: the detailed HTML page in the manner of IIS and the
// RFC 9457 problem object. Both are pure renderings of a DenialRecord.
#pragma once

#include "core/denial_record.hpp"

#include <string>
#include <string_view>

namespace authdiag::core {

enum class ErrorMode : std::uint8_t { DetailedLocalOnly, Custom, Detailed };

// Picks the problem+json view when the Accept header prefers application/problem+json (or
// application/json) over text/html; q-values honoured.
bool prefers_problem_json(std::string_view accept_header);

// Self-contained HTML (no external assets): title "HTTP Error 401.1 - Unauthorized", the
// meaning, most likely causes, things to try (hints for this reason), and the detailed facts.
// Every value is HTML-escaped; the page is pure ASCII (non-ASCII as numeric references).
std::string render_detail_page(const DenialRecord& record);

// RFC 9457 object with type, title, status, detail, instance and the members substatus, reason,
// request_id, hints.
std::string render_problem_json(const DenialRecord& record);

}  // namespace authdiag::core
