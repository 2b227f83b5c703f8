#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Latency of the authdiag writing commands: protect/unprotect (no hashing involved) and
# user add/remove on a 100,000-user file. Prints per-operation times; asserts nothing.
# Usage: bench/cli_protect_bench.sh [path/to/authdiag] [iterations]
set -euo pipefail

authdiag=${1:-${AUTHDIAG:-build/mod_authdiag/authdiag}}
iterations=${2:-50}
[ -x "$authdiag" ] || { echo "authdiag binary not found: $authdiag (build first)" >&2; exit 2; }
authdiag=$(realpath "$authdiag")

work=$(mktemp -d "${TMPDIR:-/tmp}/authdiag-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
site="$work/www/private"
mkdir -p "$site" "$work/conf"
# A server config that lets httpd read .htaccess here, so protect does its real checks.
printf '<Directory "%s/www">\n  AllowOverride AuthConfig\n</Directory>\n' "$work" \
  >"$work/conf/apache2.conf"
export APACHE_CONFDIR="$work/conf" AUTHDIAG_USER_DIR="$work/users"
for i in $(seq 1 40); do echo "# site rule $i"; done >"$site/.htaccess"

# time_runs LABEL N COMMAND...: runs COMMAND N times; prints wall-clock median/mean/min/max and
# the mean CPU time (user + system) in ms. CPU time is the better figure on a loaded machine.
time_runs() {
  local label=$1 n=$2
  shift 2
  local samples="$work/samples"
  : >"$samples"
  local TIMEFORMAT='%3R %3U %3S'
  for _ in $(seq 1 "$n"); do
    { time "$@" >/dev/null 2>&1; } 2>>"$samples"
  done
  sort -n "$samples" | awk -v label="$label" '
    { wall[NR] = $1 * 1000; sum += $1 * 1000; cpu += ($2 + $3) * 1000 }
    END { printf "%-50s n=%-3d wall median %8.1f ms mean %8.1f min %8.1f max %8.1f | cpu %7.1f ms\n",
                 label, NR, wall[int((NR + 1) / 2)], sum / NR, wall[1], wall[NR], cpu / NR }'
}

protect_unprotect() {
  "$authdiag" protect "$site" >/dev/null 2>&1
  "$authdiag" unprotect "$site" >/dev/null 2>&1
}

echo "authdiag: $authdiag"
echo "filesystem: $(df -T "$work" | awk 'NR == 2 { print $2 }') at $work"
echo "cpus: $(nproc), load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
time_runs "protect (changes the file)" 1 "$authdiag" protect "$site"
time_runs "protect, already protected (no write)" "$iterations" "$authdiag" protect "$site"
time_runs "unprotect + protect cycle (two writes)" "$iterations" protect_unprotect
toggle=0
realm_change() {
  toggle=$((1 - toggle))
  "$authdiag" protect "$site" --realm "Realm $toggle"
}
time_runs "protect with a new realm (one write)" "$iterations" realm_change
time_runs "protect --dry-run (diff, no write)" "$iterations" \
  "$authdiag" protect "$site" --realm "Other" --dry-run

# A 100,000-user file, every entry with the same apr1 hash (generating it is not measured).
users="$work/users/big.htpasswd"
mkdir -p "$work/users"
printf 'bulk\n' | "$authdiag" user add --user-file "$work/users/one.htpasswd" --user x \
  --password-stdin --hash apr1 >/dev/null 2>&1
line=$(cut -d: -f2 "$work/users/one.htpasswd")
awk -v h="$line" 'BEGIN { for (i = 0; i < 100000; i++) printf "bulk%d:%s\n", i, h }' >"$users"
chmod 0640 "$users"
echo
echo "user file: $(wc -l <"$users") users, $(du -h "$users" | cut -f1) (apr1 entries)"
n=0
add_apr1() {
  n=$((n + 1))
  printf 'pw\n' | "$authdiag" user add --user-file "$users" --user "new$n" --password-stdin \
    --hash apr1
}
add_bcrypt() {
  n=$((n + 1))
  printf 'pw\n' | "$authdiag" user add --user-file "$users" --user "new$n" --password-stdin
}
m=0
remove_user() {
  m=$((m + 1))
  "$authdiag" user remove --user-file "$users" --user "bulk$((m * 37))"
}
runs=$((iterations < 20 ? iterations : 20))
time_runs "user add, 100k-user file, apr1" "$runs" add_apr1
time_runs "user add, 100k-user file, bcrypt cost 10" "$runs" add_bcrypt
time_runs "user remove, 100k-user file" "$runs" remove_user
time_runs "user add, existing user, same password (no write)" "$runs" \
  sh -c "printf 'pw\n' | '$authdiag' user add --user-file '$users' --user new1 --password-stdin"
time_runs "user list, 100k-user file" 5 "$authdiag" user list --user-file "$users"
echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
