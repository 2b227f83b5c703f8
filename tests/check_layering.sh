#!/bin/sh
# The core includes no httpd or APR header; the CLI includes no httpd header.
# Usage: check_layering.sh MOD_AUTHDIAG_DIR
set -eu
dir=$1
status=0
if grep -rnE '#\s*include\s*[<"](httpd|http_[a-z_]+|ap_[a-z_]+|apr_[a-z_]+|apu_[a-z_]+|apr|apu|util_[a-z_]+|mod_[a-z_]+)\.h[>"]' "$dir/core"; then
  echo "layering: mod_authdiag/core must not include httpd or APR headers" >&2
  status=1
fi
if [ -d "$dir/cli" ] && grep -rnE '#\s*include\s*[<"](httpd|http_[a-z_]+|ap_[a-z_]+|util_[a-z_]+|mod_[a-z_]+)\.h[>"]' "$dir/cli"; then
  echo "layering: mod_authdiag/cli must not include httpd headers" >&2
  status=1
fi
[ $status -eq 0 ] && echo "layering: ok"
exit $status
