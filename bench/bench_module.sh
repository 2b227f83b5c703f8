#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Compares stock httpd with httpd + mod_authdiag on loopback: two servers with the same config
# (event MPM, same htdocs and user files; they differ only in the LoadModule line), measured
# alternately with wrk. Prints module/stock ratios of throughput and latency, the children's
# private memory, and unknown-user vs wrong-password response times for a bcrypt cost-12 user
# with AuthDiagEqualizeTiming On and Off. See bench/README.md.
#
# Environment: AUTHDIAG_MODULE (default build/mod_authdiag/mod_authdiag.so), BENCH_DURATION
# (seconds per wrk run, 10), BENCH_ROUNDS (runs per server and scenario, 3), BENCH_THREADS (2),
# BENCH_CONNECTIONS (50), BENCH_TIMING_SAMPLES (curl requests per timing cell, 15),
# BENCH_DIR (work directory, /tmp/authdiag-bench; removed at the end unless BENCH_KEEP=1).
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
duration=${BENCH_DURATION:-10}
rounds=${BENCH_ROUNDS:-3}
threads=${BENCH_THREADS:-2}
connections=${BENCH_CONNECTIONS:-50}
samples=${BENCH_TIMING_SAMPLES:-15}
work=${BENCH_DIR:-/tmp/authdiag-bench}

require_tools wrk curl htpasswd python3 "$httpd"
module=$(resolve_module)

pids=()
stop_servers() {
  local pid
  for pid in "${pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null || continue
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  done
  if [[ ${BENCH_KEEP:-0} != 1 ]]; then rm -rf "$work"; fi
}
trap stop_servers EXIT

rm -rf "$work"
mkdir -p "$work/shared/htdocs"/{static,protected,eq-on,eq-off}
chmod 755 "$work" "$work/shared" "$work/shared/htdocs"
head -c 4096 /dev/zero | tr '\0' 'x' > "$work/shared/htdocs/static/index.html"
for dir in protected eq-on eq-off; do echo "$dir" > "$work/shared/htdocs/$dir/index.html"; done
chmod -R a+rX "$work/shared"
htpasswd -cbm "$work/shared/htpasswd" apr1user apr1pass 2>/dev/null
htpasswd -cbB -C 12 "$work/shared/htpasswd-bcrypt" bcryptuser bcryptpass 2>/dev/null
chmod 644 "$work/shared/htpasswd" "$work/shared/htpasswd-bcrypt"

# write_server NAME PORT LOADMODULE-LINE: the only difference between the two configs.
write_server() {
  local name=$1 port=$2 load=$3 root=$work/$1
  mkdir -p "$root"/{conf,logs,run}
  chmod 755 "$root"
  {
    server_head "$root" "$port" "$work/shared/htdocs" "$load"
    cat <<EOF
<IfModule authdiag_module>
    # What a remote client gets (the default DetailedLocalOnly would render the detailed page
    # for this loopback client).
    AuthDiagTrustedClients none
</IfModule>
<Directory />
    AllowOverride None
    Require all denied
</Directory>
<Directory "$work/shared/htdocs">
    Require all granted
</Directory>
<Directory "$work/shared/htdocs/protected">
    AuthType Basic
    AuthName "bench"
    AuthUserFile "$work/shared/htpasswd"
    Require valid-user
</Directory>
<Directory "$work/shared/htdocs/eq-on">
    AuthType Basic
    AuthName "bench"
    AuthUserFile "$work/shared/htpasswd-bcrypt"
    Require valid-user
    <IfModule authdiag_module>
        AuthDiagEqualizeTiming On
    </IfModule>
</Directory>
<Directory "$work/shared/htdocs/eq-off">
    AuthType Basic
    AuthName "bench"
    AuthUserFile "$work/shared/htpasswd-bcrypt"
    Require valid-user
    <IfModule authdiag_module>
        AuthDiagEqualizeTiming Off
    </IfModule>
</Directory>
EOF
  } > "$root/conf/httpd.conf"
  "$httpd" -d "$root" -f "$root/conf/httpd.conf" -t >/dev/null 2>&1 \
    || "$httpd" -d "$root" -f "$root/conf/httpd.conf" -t
  "$httpd" -d "$root" -f "$root/conf/httpd.conf" -k start
  for _ in $(seq 100); do
    [[ -f $root/run/httpd.pid ]] && curl -s -o /dev/null "http://127.0.0.1:$port/static/" && break
    sleep 0.1
  done
  [[ -f $root/run/httpd.pid ]] || { echo "bench: $name did not start" >&2; exit 1; }
  pids+=("$(<"$root/run/httpd.pid")")
}

stock_port=$(free_port)
write_server stock "$stock_port" ""
module_port=$(free_port)
while [[ $module_port == "$stock_port" ]]; do module_port=$(free_port); done
write_server module "$module_port" "LoadModule authdiag_module $module"
declare -A port=([stock]=$stock_port [module]=$module_port)

# scenario name | path | Authorization header | expected status
scenarios=(
  "static file|/static/index.html||200"
  "valid apr1 credentials|/protected/index.html|$(basic apr1user:apr1pass)|200"
  "no credentials (401)|/protected/index.html||401"
  "wrong password (401)|/protected/index.html|$(basic apr1user:wrong)|401"
)

request_status() {  # SERVER PATH HEADER
  local header=()
  [[ -n $3 ]] && header=(-H "$3")
  curl -s -o /dev/null -w '%{http_code}' "${header[@]}" "http://127.0.0.1:${port[$1]}$2"
}

for entry in "${scenarios[@]}"; do
  IFS='|' read -r name path header expected <<<"$entry"
  for server in stock module; do
    got=$(request_status "$server" "$path" "$header")
    [[ $got == "$expected" ]] || {
      echo "bench: $server $name answered $got, expected $expected" >&2; exit 1; }
  done
done

read -r stock_idle_kb _ < <(private_kb "${pids[0]}")
read -r module_idle_kb _ < <(private_kb "${pids[1]}")

load_before=$(cut -d' ' -f1 /proc/loadavg)
echo "bench: stock httpd on 127.0.0.1:$stock_port, httpd + mod_authdiag on 127.0.0.1:$module_port"
echo "bench: wrk -t$threads -c$connections -d${duration}s, $rounds rounds per server, A B A B ..."
results=$work/results.txt
: > "$results"
for entry in "${scenarios[@]}"; do
  IFS='|' read -r name path header expected <<<"$entry"
  for ((round = 1; round <= rounds; round++)); do
    for server in stock module; do
      header_args=()
      [[ -n $header ]] && header_args=(-H "$header")
      out=$(wrk -t"$threads" -c"$connections" -d"${duration}s" --latency "${header_args[@]}" \
              "http://127.0.0.1:${port[$server]}$path")
      wrk_result "$name" "$server" "$expected" "$out" >> "$results"
      printf '  %-24s %-7s %s\n' "$name" "$server" "$(tail -n 1 "$results" | cut -f3 | xargs printf '%.0f req/s')"
    done
  done
done

read -r stock_kb stock_children < <(private_kb "${pids[0]}")
read -r module_kb module_children < <(private_kb "${pids[1]}")

# Timing: unknown user vs wrong password for the bcrypt cost-12 user, sequential requests,
# interleaved so that drift hits both columns alike.
timing_cell() {  # SERVER PATH -> "median_unknown_ms median_wrong_ms"
  local server=$1 path=$2 i
  local -a unknown=() wrong=()
  for ((i = 0; i < samples; i++)); do
    unknown+=("$(curl -s -o /dev/null -w '%{time_total}' -u nosuchuser:bcryptpass \
                 "http://127.0.0.1:${port[$server]}$path")")
    wrong+=("$(curl -s -o /dev/null -w '%{time_total}' -u bcryptuser:wrongpass \
               "http://127.0.0.1:${port[$server]}$path")")
  done
  python3 -c 'import statistics, sys
n = int(sys.argv[1]); v = [float(x) * 1000 for x in sys.argv[2:]]
print(f"{statistics.median(v[:n]):.1f} {statistics.median(v[n:]):.1f}")' \
    "$samples" "${unknown[@]}" "${wrong[@]}"
}
echo "bench: timing, $samples sequential requests per cell"
read -r t_stock_u t_stock_w < <(timing_cell stock /eq-on/)
read -r t_off_u t_off_w < <(timing_cell module /eq-off/)
read -r t_on_u t_on_w < <(timing_cell module /eq-on/)

load_after=$(cut -d' ' -f1 /proc/loadavg)

python3 - "$results" <<EOF
import collections, statistics, sys
runs = collections.defaultdict(list)
notes = []
order = []
for line in open(sys.argv[1]):
    name, server, rps, p50, p99, note = line.rstrip("\n").split("\t")
    if name not in order:
        order.append(name)
    runs[(name, server)].append((float(rps), float(p50), float(p99)))
    if note:
        notes.append(f"{name} / {server}: {note}")
def med(name, server, i):
    return statistics.median(r[i] for r in runs[(name, server)])
print()
print("Throughput and latency (median of $rounds runs each; ratio = module / stock)")
print(f"{'scenario':<24} {'stock req/s':>12} {'module req/s':>13} {'ratio':>6}   "
      f"{'p50 ms s/m':>13} {'ratio':>6}   {'p99 ms s/m':>13} {'ratio':>6}")
for name in order:
    rs, rm = med(name, "stock", 0), med(name, "module", 0)
    ls, lm = med(name, "stock", 1), med(name, "module", 1)
    qs, qm = med(name, "stock", 2), med(name, "module", 2)
    print(f"{name:<24} {rs:>12.0f} {rm:>13.0f} {rm / rs:>6.3f}   "
          f"{ls:>6.2f}/{lm:<6.2f} {lm / ls:>6.3f}   {qs:>6.2f}/{qm:<6.2f} {qm / qs:>6.3f}")
for note in notes:
    print("warning:", note)
cpus = $(nproc)
print(f"1-minute load average before/after: $load_before / $load_after on {cpus} CPUs")
if max($load_before, $load_after) > cpus / 2:
    print("warning: other processes were busy during the runs; ratios are noisy")
print()
print("Private memory of the children (sum of Private_Dirty from smaps_rollup, kB)")
print(f"{'':<8} {'idle':>8} {'after runs':>11}  children")
print(f"{'stock':<8} {$stock_idle_kb:>8} {$stock_kb:>11}  $stock_children")
print(f"{'module':<8} {$module_idle_kb:>8} {$module_kb:>11}  $module_children")
print(f"{'ratio':<8} {$module_idle_kb / max($stock_idle_kb, 1):>8.3f} "
      f"{$module_kb / max($stock_kb, 1):>11.3f}")
print()
print("Response time, bcrypt cost 12 (median of $samples sequential requests, ms)")
print(f"{'':<36} {'unknown user':>13} {'wrong password':>15}")
print(f"{'stock httpd':<36} {$t_stock_u:>13} {$t_stock_w:>15}")
print(f"{'module, AuthDiagEqualizeTiming Off':<36} {$t_off_u:>13} {$t_off_w:>15}")
print(f"{'module, AuthDiagEqualizeTiming On':<36} {$t_on_u:>13} {$t_on_w:>15}")
EOF
