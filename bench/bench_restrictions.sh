#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Cost of the IP and rate restrictions, side by side on loopback: three httpd servers with
# mod_authdiag and the same configuration except for the restrictions of their document root:
#   base    no list, no limit
#   list    AuthDiagDenyIPFile with 100,000 entries (the client is not listed, so every request
#           is looked up and served)
#   limits  AuthDiagMaxConcurrentRequests, AuthDiagMaxRequestRate, AuthDiagMaxFailedLogons, all
#           high enough never to refuse the benchmark client
# measured alternately with wrk. Prints list/base and limits/base throughput ratios, the time
# from `apache2 -k start` to the first answer with and without the list, and the children's
# private memory.
#
# Environment: AUTHDIAG_MODULE (default build/mod_authdiag/mod_authdiag.so), BENCH_DURATION
# (seconds per wrk run, 10), BENCH_ROUNDS (runs per server and scenario, 3), BENCH_THREADS (2),
# BENCH_CONNECTIONS (50), BENCH_STARTS (starts timed per server, 5), BENCH_LIST_SIZE (100000),
# BENCH_DIR (work directory, /tmp/authdiag-bench-restrictions; removed at the end unless
# BENCH_KEEP=1).
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
duration=${BENCH_DURATION:-10}
rounds=${BENCH_ROUNDS:-3}
threads=${BENCH_THREADS:-2}
connections=${BENCH_CONNECTIONS:-50}
starts=${BENCH_STARTS:-5}
list_size=${BENCH_LIST_SIZE:-100000}
work=${BENCH_DIR:-/tmp/authdiag-bench-restrictions}

require_tools wrk curl htpasswd python3 "$httpd"
module=$(resolve_module)

declare -A port pid
servers=(base list limits)
stop_server() {  # NAME
  local p=${pid[$1]:-}
  [[ -n $p ]] || return 0
  kill -TERM "$p" 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  pid[$1]=""
}
cleanup() {
  local name
  for name in "${servers[@]}"; do stop_server "$name"; done
  if [[ ${BENCH_KEEP:-0} != 1 ]]; then rm -rf "$work"; fi
}
trap cleanup EXIT

rm -rf "$work"
mkdir -p "$work/shared/htdocs"/{static,protected}
chmod 755 "$work" "$work/shared" "$work/shared/htdocs"
head -c 4096 /dev/zero | tr '\0' 'x' > "$work/shared/htdocs/static/index.html"
echo protected > "$work/shared/htdocs/protected/index.html"
chmod -R a+rX "$work/shared"
htpasswd -cbm "$work/shared/htpasswd" apr1user apr1pass 2>/dev/null
chmod 644 "$work/shared/htpasswd"

# The deny list: single IPv4 addresses, IPv4 networks and IPv6 networks, none of them
# 127.0.0.0/8, in random order, with comments.
python3 - "$work/shared/deny.txt" "$list_size" <<'EOF'
import random, sys
path, size = sys.argv[1], int(sys.argv[2])
rng = random.Random(20261129)
entries = {"127.0.0.2"}  # the one the script checks
while len(entries) < size:
    kind = rng.random()
    if kind < 0.85:
        a = rng.choice([10, 45, 91, 185, 203]), rng.randrange(256), rng.randrange(256), rng.randrange(256)
        entries.add("%d.%d.%d.%d" % a)
    elif kind < 0.95:
        entries.add("%d.%d.%d.0/24" % (rng.choice([23, 77, 146, 198]), rng.randrange(256), rng.randrange(256)))
    else:
        entries.add("2001:db8:%x:%x::/64" % (rng.randrange(65536), rng.randrange(65536)))
with open(path, "w") as out:
    out.write("# benchmark deny list: %d entries\n" % size)
    for i, entry in enumerate(sorted(entries, key=lambda _: rng.random())):
        out.write(entry + ("  # feed %d\n" % (i % 7) if i % 1000 == 0 else "\n"))
EOF
chmod 644 "$work/shared/deny.txt"

restrictions() {  # NAME -> the document root's restriction directives
  case $1 in
    base) ;;
    list) echo "    AuthDiagDenyIPFile \"$work/shared/deny.txt\"" ;;
    limits)
      echo "    AuthDiagMaxConcurrentRequests 100000"
      echo "    AuthDiagMaxRequestRate 100000000 1000"
      echo "    AuthDiagMaxFailedLogons 1000000 60 60"
      ;;
  esac
}

write_server() {  # NAME PORT
  local name=$1 root=$work/$1
  mkdir -p "$root"/{conf,logs,run}
  chmod 755 "$root"
  {
    server_head "$root" "$2" "$work/shared/htdocs" "LoadModule authdiag_module $module"
    cat <<EOF
AuthDiagTrustedClients none
<Location /authdiag-status>
    SetHandler authdiag-status
</Location>
<Directory />
    AllowOverride None
    Require all denied
</Directory>
<Directory "$work/shared/htdocs">
    Require all granted
$(restrictions "$name")
</Directory>
<Directory "$work/shared/htdocs/protected">
    AuthType Basic
    AuthName "bench"
    AuthUserFile "$work/shared/htpasswd"
    Require valid-user
</Directory>
EOF
  } > "$root/conf/httpd.conf"
  "$httpd" -d "$root" -f "$root/conf/httpd.conf" -t >/dev/null 2>&1 \
    || "$httpd" -d "$root" -f "$root/conf/httpd.conf" -t
}

# Starts NAME on a fresh free port (other programs on this machine pick ports too) and prints
# the seconds from `apache2 -k start` to the first served request.
start_server() {  # NAME
  local name=$1 root=$work/$1 begin end attempt i
  for attempt in 1 2 3; do
    port[$name]=$(free_port)
    write_server "$name" "${port[$name]}"
    rm -f "$root/run/httpd.pid"
    begin=$(date +%s.%N)
    "$httpd" -d "$root" -f "$root/conf/httpd.conf" -k start 2>>"$root/logs/start.log" || true
    for i in $(seq 600); do
      if curl -s -o /dev/null "http://127.0.0.1:${port[$name]}/static/"; then break; fi
      [[ -f $root/run/httpd.pid ]] || ((i < 100)) || break
      sleep 0.01
    done
    end=$(date +%s.%N)
    [[ -f $root/run/httpd.pid ]] && break
  done
  [[ -f $root/run/httpd.pid ]] || { echo "bench: $name did not start" >&2; cat "$root/logs/start.log" >&2; exit 1; }
  pid[$name]=$(<"$root/run/httpd.pid")
  python3 -c "print(f'{$end - $begin:.3f}')"
}

for name in "${servers[@]}"; do write_server "$name" "$(free_port)"; done

# Startup: base and list alternately, stopped in between.
echo "bench: startup time, $starts starts per server"
declare -A start_times
for ((i = 1; i <= starts; i++)); do
  for name in base list; do
    start_server "$name" > "$work/start-time"
    start_times[$name]+="$(<"$work/start-time") "
    stop_server "$name"
  done
done
for name in "${servers[@]}"; do start_server "$name" >/dev/null; done
echo "bench: servers on ports base=${port[base]} list=${port[list]} limits=${port[limits]}"

scenarios=(
  "static file|/static/index.html||200"
  "valid apr1 credentials|/protected/index.html|$(basic apr1user:apr1pass)|200"
)
for entry in "${scenarios[@]}"; do
  IFS='|' read -r name path header expected <<<"$entry"
  for server in "${servers[@]}"; do
    header_args=()
    [[ -n $header ]] && header_args=(-H "$header")
    got=$(curl -s -o /dev/null -w '%{http_code}' "${header_args[@]}" \
            "http://127.0.0.1:${port[$server]}$path")
    [[ $got == "$expected" ]] || {
      echo "bench: $server $name answered $got, expected $expected" >&2; exit 1; }
  done
done
# The list is in force: 127.0.0.2 is one of its entries.
got=$(curl -s -o /dev/null -w '%{http_code}' --interface 127.0.0.2 \
        "http://127.0.0.1:${port[list]}/static/index.html")
[[ $got == 401 ]] || { echo "bench: a listed address was answered $got, not 401" >&2; exit 1; }
list_status=$(curl -s "http://127.0.0.1:${port[list]}/authdiag-status")

declare -A idle_kb children
for name in "${servers[@]}"; do read -r idle_kb[$name] children[$name] < <(private_kb "${pid[$name]}"); done

load_before=$(cut -d' ' -f1 /proc/loadavg)
echo "bench: wrk -t$threads -c$connections -d${duration}s, $rounds rounds, base list limits ..."
results=$work/results.txt
: > "$results"
for entry in "${scenarios[@]}"; do
  IFS='|' read -r name path header expected <<<"$entry"
  for ((round = 1; round <= rounds; round++)); do
    for server in "${servers[@]}"; do
      header_args=()
      [[ -n $header ]] && header_args=(-H "$header")
      out=$(wrk -t"$threads" -c"$connections" -d"${duration}s" "${header_args[@]}" \
              "http://127.0.0.1:${port[$server]}$path")
      wrk_result "$name" "$server" "$expected" "$out" >> "$results"
      printf '  %-24s %-7s %s\n' "$name" "$server" \
        "$(tail -n 1 "$results" | cut -f3 | xargs printf '%.0f req/s')"
    done
  done
done
declare -A busy_kb
for name in "${servers[@]}"; do read -r busy_kb[$name] _ < <(private_kb "${pid[$name]}"); done
load_after=$(cut -d' ' -f1 /proc/loadavg)

python3 - "$results" <<EOF
import collections, statistics, sys
runs = collections.defaultdict(list)
order, notes = [], []
for line in open(sys.argv[1]):
    name, server, rps, _p50, _p99, note = line.rstrip("\n").split("\t")
    if name not in order:
        order.append(name)
    runs[(name, server)].append(float(rps))
    if note:
        notes.append(f"{name} / {server}: {note}")
med = lambda name, server: statistics.median(runs[(name, server)])
print()
print("Throughput (median of $rounds runs; targets: list/base >= 0.97, limits/base >= 0.97)")
print(f"{'scenario':<24} {'base req/s':>11} {'list req/s':>11} {'ratio':>6} "
      f"{'limits req/s':>13} {'ratio':>6}")
for name in order:
    b, l, m = med(name, "base"), med(name, "list"), med(name, "limits")
    print(f"{name:<24} {b:>11.0f} {l:>11.0f} {l / b:>6.3f} {m:>13.0f} {m / b:>6.3f}")
for note in notes:
    print("warning:", note)
cpus = $(nproc)
print(f"1-minute load average before/after: $load_before / $load_after on {cpus} CPUs")
if max($load_before, $load_after) > cpus / 2:
    print("warning: other processes were busy during the runs; ratios are noisy")
base_starts = [float(x) for x in "${start_times[base]}".split()]
list_starts = [float(x) for x in "${start_times[list]}".split()]
b, l = statistics.median(base_starts), statistics.median(list_starts)
print()
print(f"Startup, apache2 -k start to first answer (median of $starts; target +<= 0.5 s)")
print(f"  base {b:.3f} s   list of $list_size entries {l:.3f} s   difference {l - b:+.3f} s")
print()
print("Private memory of the children (sum of Private_Dirty, kB; target list - base <= 2048 "
      "per child)")
print(f"{'':<8} {'idle':>8} {'after runs':>11}  children")
for name in ("base", "list", "limits"):
    idle = {"base": ${idle_kb[base]}, "list": ${idle_kb[list]}, "limits": ${idle_kb[limits]}}[name]
    busy = {"base": ${busy_kb[base]}, "list": ${busy_kb[list]}, "limits": ${busy_kb[limits]}}[name]
    kids = {"base": ${children[base]}, "list": ${children[list]}, "limits": ${children[limits]}}[name]
    print(f"{name:<8} {idle:>8} {busy:>11}  {kids}")
per_child = (${busy_kb[list]} / max(${children[list]}, 1)) - (${busy_kb[base]} / max(${children[base]}, 1))
print(f"list - base per child after runs: {per_child:+.0f} kB")
EOF
python3 - "$list_status" <<'EOF'
import json, sys
for item in json.loads(sys.argv[1])["deny_lists"]:
    print(f"Deny list as loaded by the list server: {item['entries']} entries in "
          f"{item['ipv4_ranges']} IPv4 and {item['ipv6_ranges']} IPv6 ranges, "
          f"{item['bytes']} bytes, parsed and built in {item['load_time_us'] / 1000:.1f} ms")
EOF
