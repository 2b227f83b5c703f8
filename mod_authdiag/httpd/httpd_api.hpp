// SPDX-License-Identifier: Apache-2.0
// The one place that includes httpd and APR headers, in the order httpd requires (httpd.h first),
// and declares the module with C linkage for mod_so's dlsym and for APLOG_USE_MODULE.
#pragma once

// clang-format off
#include <httpd.h>
#include <http_config.h>
#include <http_core.h>
#include <http_log.h>
#include <http_protocol.h>
#include <http_request.h>
#include <ap_provider.h>
#include <mod_auth.h>
#include <mod_core.h>
#include <util_filter.h>
#include <apr_file_io.h>
#include <apr_lib.h>
#include <apr_md5.h>
#include <apr_optional.h>
#include <apr_strings.h>
// clang-format on

extern "C" {
extern module AP_MODULE_DECLARE_DATA authdiag_module;
}

APLOG_USE_MODULE(authdiag);
