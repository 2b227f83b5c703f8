# SPDX-License-Identifier: Apache-2.0
# What the benchmarks share: tool checks, the module path, free ports, the common head of each
# server's httpd.conf, wrk output parsing and the children's private memory. Sourced, not run.

httpd=/usr/sbin/apache2
modules=/usr/lib/apache2/modules
bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# require_tools TOOL...: exits with a hint when one is missing.
require_tools() {
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null || {
      echo "bench: $tool not found (scripts/install-deps.sh)" >&2; exit 1; }
  done
}

# resolve_module: prints the absolute path of the module under test (AUTHDIAG_MODULE, default
# build/mod_authdiag/mod_authdiag.so).
resolve_module() {
  local module=${AUTHDIAG_MODULE:-$bench_dir/../build/mod_authdiag/mod_authdiag.so}
  [[ -f $module ]] || { echo "bench: $module not found (scripts/build.sh)" >&2; exit 1; }
  realpath "$module"
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# server_head ROOT PORT DOCROOT [EXTRA-LOADMODULE-LINE]: the part of httpd.conf every benchmark
# server has: the same modules and a fixed set of 2 children x 50 threads (one per wrk
# connection), so the servers compared have the same processes to measure.
server_head() {
  cat <<EOF
ServerRoot "$1"
ServerName 127.0.0.1
Listen 127.0.0.1:$2
PidFile run/httpd.pid
DefaultRuntimeDir run
ErrorLog logs/error.log
LogLevel warn
User www-data
Group www-data
LoadModule mpm_event_module $modules/mod_mpm_event.so
LoadModule authn_core_module $modules/mod_authn_core.so
LoadModule authn_file_module $modules/mod_authn_file.so
LoadModule auth_basic_module $modules/mod_auth_basic.so
LoadModule authz_core_module $modules/mod_authz_core.so
LoadModule authz_user_module $modules/mod_authz_user.so
LoadModule mime_module $modules/mod_mime.so
LoadModule dir_module $modules/mod_dir.so
${4:-}
StartServers 2
ServerLimit 2
ThreadsPerChild 50
MaxRequestWorkers 100
MinSpareThreads 25
MaxSpareThreads 100
MaxConnectionsPerChild 0
MaxKeepAliveRequests 0
TypesConfig /etc/mime.types
DocumentRoot "$3"
EOF
}

# wrk_result NAME SERVER EXPECTED-STATUS WRK-OUTPUT: one tab-separated line of
# name, server, req/s, p50 ms, p99 ms and a note (unexpected statuses, socket errors).
wrk_result() {
  python3 - "$@" <<'EOF'
import re, sys
name, server, expected, out = sys.argv[1:5]
def ms(pattern):
    match = re.search(pattern, out, re.M)
    if not match:
        return float("nan")
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", match.group(1)).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
total = int(re.search(r"(\d+) requests in", out).group(1))
non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
non2xx = int(non2xx.group(1)) if non2xx else 0
errors = re.search(r"Socket errors: (.*)", out)
bad = non2xx if expected == "200" else total - non2xx
note = []
if bad:
    note.append(f"{bad} unexpected statuses")
if errors:
    note.append("socket errors: " + errors.group(1))
p50, p99 = ms(r"^\s+50%\s+(\S+)"), ms(r"^\s+99%\s+(\S+)")
print(f"{name}\t{server}\t{rps}\t{p50}\t{p99}\t{'; '.join(note)}")
EOF
}

# private_kb PARENT-PID: "total_kB children", the children's summed Private_Dirty (the parent
# forks them; their private pages are what the module adds per process).
private_kb() {
  local parent=$1 total=0 child kb
  for child in $(pgrep -P "$parent"); do
    kb=$(awk '/^Private_Dirty:/ {print $2}' "/proc/$child/smaps_rollup" 2>/dev/null || echo 0)
    total=$((total + ${kb:-0}))
  done
  echo "$total $(pgrep -P "$parent" | wc -l)"
}

basic() { printf 'Authorization: Basic %s' "$(printf '%s' "$1" | base64 -w0)"; }
