#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Times `authdiag lint --recursive` over a tree of 10,000 directories that each hold a
# .htaccess (target: at most 1 s). Layout: DocumentRoot with 100 site directories, each
# protected with the full Auth block and a user file of its own, each with 99 subdirectories
# whose .htaccess narrows Require to one user (inheriting AuthType, AuthName and AuthUserFile)
# or adds unrelated directives. A Debian-style server config (Include globs, envvars,
# AllowOverride) is read as well. Prints the best and every run's wall time.
#
# Environment: AUTHDIAG (default build/authdiag binary), BENCH_DIRS (10000), BENCH_RUNS (5),
# BENCH_DIR (work directory, a fresh mktemp -d; removed at the end unless BENCH_KEEP=1).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
authdiag=${AUTHDIAG:-$repo/build/mod_authdiag/authdiag}
total=${BENCH_DIRS:-10000}
runs=${BENCH_RUNS:-5}
work=${BENCH_DIR:-$(mktemp -d /tmp/authdiag-lint-bench.XXXXXX)}
[[ -x $authdiag ]] || { echo "bench: $authdiag not found (scripts/build.sh)" >&2; exit 1; }
mkdir -p "$work"
chmod 0755 "$work"  # mktemp -d makes it 0700: httpd could not reach anything below
[[ ${BENCH_KEEP:-0} == 1 ]] || trap 'rm -rf "$work"' EXIT

sites=100
per_site=$(( total / sites ))  # the site directory itself plus its subdirectories
conf=$work/etc/apache2
docroot=$work/www/html
mkdir -p "$conf/mods-enabled" "$conf/sites-enabled" "$docroot" "$work/auth"
for m in authn_core authn_file authz_core authz_user authz_host auth_basic alias; do
  echo "LoadModule ${m}_module /usr/lib/apache2/modules/mod_${m}.so" >"$conf/mods-enabled/$m.load"
done
printf 'export APACHE_RUN_USER=www-data\nexport APACHE_RUN_GROUP=www-data\n' >"$conf/envvars"
cat >"$conf/apache2.conf" <<EOF
User \${APACHE_RUN_USER}
Group \${APACHE_RUN_GROUP}
IncludeOptional mods-enabled/*.load
<Directory />
  AllowOverride None
  Require all denied
</Directory>
<Directory $work/www/>
  AllowOverride AuthConfig FileInfo
  Require all granted
</Directory>
<FilesMatch "^\.ht">
  Require all denied
</FilesMatch>
IncludeOptional sites-enabled/*.conf
EOF
printf '<VirtualHost *:80>\n  DocumentRoot %s\n</VirtualHost>\n' "$docroot" \
  >"$conf/sites-enabled/000-default.conf"

hash='$2y$10$YVva15fTe5BsPW2wu6868O4Tr7683ORai2OcX8ap3kmfOgKdMP53q'
echo "bench: creating $total directories under $docroot" >&2
for ((s = 0; s < sites; s++)); do
  site=$docroot/site$s
  users=$work/auth/site$s.passwd
  : >"$users"
  for ((u = 1; u < per_site; u++)); do printf 'user%d:%s\n' "$u" "$hash" >>"$users"; done
  chmod 0644 "$users"
  mkdir -p "$site"
  printf 'AuthType Basic\nAuthName "Site %d"\nAuthUserFile "%s"\nRequire valid-user\n' \
    "$s" "$users" >"$site/.htaccess"
  for ((d = 1; d < per_site; d++)); do
    mkdir "$site/d$d"
    if ((d % 2)); then
      printf '# team %d\nRequire user user%d\n' "$d" "$d" >"$site/d$d/.htaccess"
    else
      printf 'Options -Indexes\nAddType text/plain .log\nErrorDocument 404 /missing.html\n' \
        >"$site/d$d/.htaccess"
    fi
  done
done
count=$(find "$docroot" -name .htaccess | wc -l)
echo "bench: $count .htaccess files" >&2

summary=$("$authdiag" lint "$docroot" --recursive --server-config "$conf/apache2.conf" --json \
  2>/dev/null | grep -o '"summary":{[^}]*}' || true)
echo "bench: $summary" >&2

load=$(cut -d' ' -f1-3 /proc/loadavg)
best=""
walls=()
cpus=()
TIMEFORMAT='%R %U %S'
for ((r = 0; r < runs; r++)); do
  # bash's `time` reports wall, user and system seconds of the lint process.
  measured=$({ time "$authdiag" lint "$docroot" --recursive --server-config "$conf/apache2.conf" \
    >/dev/null 2>&1; } 2>&1 || true)
  read -r wall user sys <<<"$measured"
  walls+=("$wall")
  cpus+=("$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.3f", u + s }')")
  if [[ -z $best ]] || awk -v a="$wall" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$wall; fi
done
printf 'lint --recursive over %d directories (%d .htaccess files), %d runs, load average %s\n' \
  "$total" "$count" "$runs" "$load"
printf '  wall seconds: %s (best %s)\n' "${walls[*]}" "$best"
printf '  cpu seconds (user+sys): %s\n' "${cpus[*]}"
if awk -v b="$best" 'BEGIN { exit !(b <= 1.0) }'; then
  echo "target (<= 1 s wall): met"
else
  echo "target (<= 1 s wall): missed"
fi
