#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Demo server: builds mod_authdiag and runs the system's httpd with it from its own ServerRoot
# under /tmp/authdiag-demo (the system's /etc/apache2 is not touched), on 127.0.0.1:8080 or the
# next free port, with one URL per denial the module can classify. Prints curl commands with
# the expected substatus of each.
#   scripts/demo.sh          build, (re)start, print the table
#   scripts/demo.sh check    run every command of the table against the running demo and
#                            compare status, substatus and reason with the expected ones
#   scripts/demo.sh stop     stop the demo server
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
demo=${AUTHDIAG_DEMO_ROOT:-/tmp/authdiag-demo}
httpd=/usr/sbin/apache2
modules=/usr/lib/apache2/modules
pid_file=$demo/run/httpd.pid

stop_demo() {
  [[ -f $pid_file ]] || return 0
  local pid
  pid=$(<"$pid_file")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    echo "demo: stopped httpd (pid $pid)"
  fi
  rm -f "$pid_file"
}

port_is_free() {
  python3 - "$1" <<'EOF'
import socket, sys
s = socket.socket()
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)
EOF
}

# The demo cases: name | path | curl arguments | expected status | substatus | reason |
# directive the case needs (rows whose directive this module build lacks are skipped)
# Passwords: alice/wonderland (bcrypt), bob/builder (apr1), carol/plaintext (stored as plain
# text, which httpd on Unix never accepts).
cases() {
  cat <<'EOF'
credentials_missing|/missing-creds/||401|401.2|credentials_missing
scheme_unsupported|/bearer/|-H 'Authorization: Bearer abc.def.ghi'|401|401.2|scheme_unsupported
credentials_malformed|/malformed/|-H 'Authorization: Basic bm8tY29sb24='|401|401.1|credentials_malformed
user_unknown|/unknown-user/|-u mallory:guess|401|401.1|user_unknown
password_mismatch|/wrong-password/|-u alice:wrong|401|401.1|password_mismatch
hash_unverifiable|/plaintext-hash/|-u carol:plaintext|401|401.1|hash_unverifiable
authz_denied|/authz/|-u bob:builder|401|401.3|authz_denied
group_file_unreadable|/group-file-missing/|-u alice:wonderland|401|401.3|group_file_unreadable
module_denied|/rewrite-401/||401|401.4|module_denied
application_denied|/cgi-401/|-u alice:wonderland|401|401.5|application_denied
concurrent_limit|/limit-concurrent/||401|401.501|concurrent_limit|AuthDiagMaxConcurrentRequests
rate_limit|/limit-rate/||401|401.502|rate_limit|AuthDiagMaxRequestRate
failed_logon_limit|/limit-logons/||401|401.502|failed_logon_limit|AuthDiagMaxFailedLogons
ip_denied|/deny-ip/||401|401.503|ip_denied|AuthDiagDenyIP
host_denied|/deny-host/||401|401.504|host_denied|AuthDiagDenyHost
user_file_missing|/config/user-file-missing/|-u alice:wonderland|500||user_file_missing
user_file_unreadable|/config/user-file-unreadable/|-u alice:wonderland|500||user_file_unreadable
authname_missing|/config/authname-missing/||500||authname_missing
authtype_missing|/config/authtype-missing/||500||authtype_missing
realm_invalid|/config/realm-invalid/||500||realm_invalid
provider_error|/config/provider-error/|-u alice:wonderland|500||provider_error
config_error_as_401|/config/error-as-401/|-u alice:wonderland|401|401.2|user_file_missing
success|/private/|-u alice:wonderland|200||
EOF
}

# The command a user pastes for a case (multi-request cases get a small loop).
command_for() {
  local name=$1 path=$2 args=$3 url="http://127.0.0.1:$port"
  case $name in
    concurrent_limit)
      echo "curl -s -o /dev/null $url$path & sleep 0.5; curl -i $url$path; wait" ;;
    rate_limit)
      echo "for i in 1 2; do curl -s -o /dev/null $url$path; done; curl -i $url$path" ;;
    failed_logon_limit)
      echo "for i in 1 2 3 4; do curl -s -o /dev/null -u bob:wrong $url$path; done;" \
           "curl -i -u bob:builder $url$path" ;;
    *)
      echo "curl -i ${args:+$args }$url$path" ;;
  esac
}

# Directives of the loaded module, from httpd -L.
module_directives=""
has_directive() {
  [[ -z $1 ]] && return 0
  if [[ -z $module_directives ]]; then
    module_directives=$("$httpd" -d "$demo" -f "$demo/conf/httpd.conf" -L 2>/dev/null \
      | sed -n 's/^\(AuthDiag[A-Za-z]*\) .*/\1/p')
  fi
  grep -qx -- "$1" <<<"$module_directives"
}

current_port() {
  sed -n 's/^Listen 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$demo/conf/httpd.conf"
}

print_table() {
  echo
  echo "mod_authdiag demo on http://127.0.0.1:$port/  (ServerRoot $demo)"
  echo
  echo "Users: alice / wonderland (bcrypt cost 10)   bob / builder (apr1)"
  echo "       carol / plaintext (stored in plain text: never verifies on Unix)"
  echo
  printf '%-22s %-8s %s\n' "reason" "expect" "command"
  local name path args status substatus reason needs
  while IFS='|' read -r name path args status substatus reason needs; do
    if has_directive "$needs"; then
      printf '%-22s %-8s %s\n' "$name" "${substatus:-$status}" \
        "$(command_for "$name" "$path" "$args")"
    else
      printf '%-22s %-8s %s\n' "$name" "-" "(this module build has no $needs)"
    fi
  done < <(cases)
  if has_directive AuthDiagMaxFailedLogons; then
    echo "(failed_logon_limit locks 127.0.0.1 out of /limit-logons/ for 30 s)"
  fi
  cat <<EOF

Locally (127.0.0.1) the default AuthDiagErrorMode DetailedLocalOnly shows the detailed page and
the AuthDiag-Substatus / AuthDiag-Reason headers; add -H 'Accept: application/problem+json' for
the JSON problem object. Everything is logged:
  error log    $demo/logs/error.log      (LogLevel authdiag:info, so 401.2 too)
  JSON lines   $demo/logs/authdiag.json
  access log   $demo/logs/access.log     (authdiag_combined)
  W3C log      $demo/logs/access_w3c.log (authdiag_w3c)
Check all rows:  $root/scripts/demo.sh check      Stop:  $root/scripts/demo.sh stop
EOF
}

# Prints "status substatus reason" of one request.
probe() {
  curl -s -o /dev/null --max-time 20 \
    -w '%{http_code} %header{authdiag-substatus} %header{authdiag-reason}\n' "$@"
}

check_demo() {
  [[ -f $pid_file ]] && kill -0 "$(<"$pid_file")" 2>/dev/null || {
    echo "demo: not running (start it with $0)" >&2
    exit 1
  }
  port=$(current_port)
  local url="http://127.0.0.1:$port" failures=0 skipped=0 name path args status substatus
  local reason needs got
  local -a words
  printf '%-22s %-36s %s\n' "reason" "expected" "observed"
  while IFS='|' read -r name path args status substatus reason needs; do
    if ! has_directive "$needs"; then
      printf '%-22s %-36s %-36s %s\n' "$name" "-" "-" "skipped (no $needs)"
      skipped=$((skipped + 1))
      continue
    fi
    case $name in
      concurrent_limit)
        probe "$url$path" >/dev/null &
        sleep 0.5
        got=$(probe "$url$path") || true
        wait ;;
      rate_limit)
        probe "$url$path" >/dev/null; probe "$url$path" >/dev/null
        got=$(probe "$url$path") || true ;;
      failed_logon_limit)
        for _ in 1 2 3 4; do probe -u bob:wrong "$url$path" >/dev/null; done
        got=$(probe -u bob:builder "$url$path") || true ;;
      *)
        eval "got=\$(probe $args \"\$url\$path\")" || true ;;
    esac
    local expected="$status${substatus:+ $substatus}${reason:+ $reason}"
    read -r -a words <<<"$got"
    got="${words[*]}"
    local mark=ok
    if [[ $got != "$expected" ]]; then mark=MISMATCH; failures=$((failures + 1)); fi
    printf '%-22s %-36s %-36s %s\n' "$name" "$expected" "$got" "$mark"
  done < <(cases)
  echo
  if ((failures)); then
    echo "demo check: $failures mismatches, $skipped skipped"
    return 1
  fi
  echo "demo check: all rows as expected, $skipped skipped"
}

write_site() {
  local htdocs=$demo/htdocs data=$demo/data
  rm -rf "$htdocs" "$data"
  mkdir -p "$htdocs" "$data"

  # Users: bcrypt, apr1, and a plaintext entry in a file of its own.
  htpasswd -cbB -C 10 "$data/users" alice wonderland 2>/dev/null
  htpasswd -bm "$data/users" bob builder 2>/dev/null
  printf 'carol:plaintext\n' > "$data/plaintext-users"
  printf 'staff: alice\n' > "$data/groups"
  cp "$data/users" "$data/unreadable-users"
  chmod 000 "$data/unreadable-users"

  protect() {  # protect DIR [extra .htaccess lines]
    local dir=$htdocs/$1; shift
    mkdir -p "$dir"
    printf '<h1>%s</h1>\n' "$dir" > "$dir/index.html"
    {
      printf 'AuthType Basic\nAuthName "authdiag demo"\nAuthUserFile %s\n' "$data/users"
      printf '%s\n' "$@"
    } > "$dir/.htaccess"
  }
  plain_dir() {  # plain_dir DIR .htaccess-lines...
    local dir=$htdocs/$1; shift
    mkdir -p "$dir"
    printf '<h1>%s</h1>\n' "$dir" > "$dir/index.html"
    printf '%s\n' "$@" > "$dir/.htaccess"
  }

  mkdir -p "$htdocs/ok"
  printf '<h1>public</h1>\n' > "$htdocs/ok/index.html"
  printf '<h1>mod_authdiag demo</h1><p>See the table printed by scripts/demo.sh.</p>\n' \
    > "$htdocs/index.html"
  for dir in private missing-creds bearer malformed unknown-user wrong-password limit-rate \
             limit-logons; do
    protect "$dir" "Require valid-user"
  done
  plain_dir plaintext-hash 'AuthType Basic' 'AuthName "authdiag demo"' \
    "AuthUserFile $data/plaintext-users" 'Require valid-user'
  protect authz "Require user alice"
  protect group-file-missing "AuthGroupFile $data/no-such-groups" "Require group staff"
  mkdir -p "$htdocs/rewrite-401" "$htdocs/cgi-401" "$htdocs/limit-concurrent" \
    "$htdocs/deny-host"
  printf '<h1>rewrite</h1>\n' > "$htdocs/rewrite-401/index.html"
  printf '<h1>deny-host</h1>\n' > "$htdocs/deny-host/index.html"
  printf '#!/bin/sh\nprintf "Status: 401 Unauthorized\\r\\nContent-Type: text/plain\\r\\n\\r\\n"\necho "The application wants its own login."\n' \
    > "$htdocs/cgi-401/index.cgi"
  printf '#!/bin/sh\nsleep 3\nprintf "Content-Type: text/plain\\r\\n\\r\\nslow\\n"\n' \
    > "$htdocs/limit-concurrent/index.cgi"
  chmod 755 "$htdocs/cgi-401/index.cgi" "$htdocs/limit-concurrent/index.cgi"
  # A panel blocking an address for one site, in .htaccess.
  plain_dir deny-ip "<IfDirective AuthDiagDenyIP>" "AuthDiagDenyIP 127.0.0.1 ::1" \
    "</IfDirective>"

  protect config/user-file-missing "Require valid-user"
  sed -i "s#^AuthUserFile .*#AuthUserFile $data/no-such-users#" \
    "$htdocs/config/user-file-missing/.htaccess"
  protect config/error-as-401 "Require valid-user" "AuthDiagConfigErrorStatus 401"
  sed -i "s#^AuthUserFile .*#AuthUserFile $data/no-such-users#" \
    "$htdocs/config/error-as-401/.htaccess"
  protect config/user-file-unreadable "Require valid-user"
  sed -i "s#^AuthUserFile .*#AuthUserFile $data/unreadable-users#" \
    "$htdocs/config/user-file-unreadable/.htaccess"
  plain_dir config/authname-missing 'AuthType Basic' "AuthUserFile $data/users" \
    'Require valid-user'
  plain_dir config/authtype-missing 'AuthName "authdiag demo"' "AuthUserFile $data/users" \
    'Require valid-user'
  plain_dir config/realm-invalid 'AuthType Basic' 'AuthName "ends in a backslash\\"' \
    "AuthUserFile $data/users" 'Require valid-user'
  plain_dir config/provider-error 'AuthType Basic' 'AuthName "authdiag demo"' \
    'AuthBasicProvider dbm' "AuthDBMUserFile $data/no-such-dbm" 'Require valid-user'

  chmod -R a+rX "$htdocs"
  chmod 755 "$data"
  chmod 644 "$data/users" "$data/plaintext-users" "$data/groups"
}

write_config() {
  sed "s#^LoadModule authdiag_module .*#LoadModule authdiag_module $demo/modules/mod_authdiag.so#" \
    "$root/conf/authdiag.conf" > "$demo/conf/authdiag.conf"
  cat > "$demo/conf/httpd.conf" <<EOF
# mod_authdiag demo server, written by scripts/demo.sh.
ServerRoot "$demo"
ServerName 127.0.0.1
Listen 127.0.0.1:$port
PidFile run/httpd.pid
DefaultRuntimeDir run
ErrorLog logs/error.log
LogLevel warn authdiag:info
User www-data
Group www-data

LoadModule mpm_event_module $modules/mod_mpm_event.so
LoadModule authn_core_module $modules/mod_authn_core.so
LoadModule authn_file_module $modules/mod_authn_file.so
LoadModule authn_dbm_module $modules/mod_authn_dbm.so
LoadModule auth_basic_module $modules/mod_auth_basic.so
LoadModule authz_core_module $modules/mod_authz_core.so
LoadModule authz_user_module $modules/mod_authz_user.so
LoadModule authz_groupfile_module $modules/mod_authz_groupfile.so
LoadModule authz_host_module $modules/mod_authz_host.so
LoadModule mime_module $modules/mod_mime.so
LoadModule dir_module $modules/mod_dir.so
LoadModule rewrite_module $modules/mod_rewrite.so
LoadModule cgid_module $modules/mod_cgid.so
LoadModule setenvif_module $modules/mod_setenvif.so
LoadModule unique_id_module $modules/mod_unique_id.so
# The shipped conf/authdiag.conf, with the module path of this demo: loads mod_authdiag and
# defines the authdiag_combined and authdiag_w3c log formats.
Include conf/authdiag.conf

AuthDiagLog logs/authdiag.json
CustomLog logs/access.log authdiag_combined
CustomLog logs/access_w3c.log authdiag_w3c
ScriptSock cgisock
TypesConfig /etc/mime.types
DirectoryIndex index.html index.cgi
DocumentRoot "$demo/htdocs"

<Directory />
    AllowOverride None
    Require all denied
</Directory>
<Directory "$demo/htdocs">
    AllowOverride AuthConfig
    Options None
    Require all granted
</Directory>
<Directory "$demo/htdocs/rewrite-401">
    Options +FollowSymLinks
    RewriteEngine On
    RewriteRule ^ - [R=401]
</Directory>
<Directory "$demo/htdocs/cgi-401">
    Options +ExecCGI
    AddHandler cgi-script .cgi
</Directory>
# The IP restrictions (401.501-401.504), where this module build has them.
<Directory "$demo/htdocs/limit-concurrent">
    Options +ExecCGI
    AddHandler cgi-script .cgi
    <IfDirective AuthDiagMaxConcurrentRequests>
        AuthDiagMaxConcurrentRequests 1
    </IfDirective>
</Directory>
<Directory "$demo/htdocs/limit-rate">
    <IfDirective AuthDiagMaxRequestRate>
        AuthDiagMaxRequestRate 2 10000
    </IfDirective>
</Directory>
<Directory "$demo/htdocs/limit-logons">
    <IfDirective AuthDiagMaxFailedLogons>
        AuthDiagMaxFailedLogons 3 60 30
    </IfDirective>
</Directory>
<Directory "$demo/htdocs/deny-host">
    <IfDirective AuthDiagDenyHost>
        AuthDiagDenyHost localhost
    </IfDirective>
</Directory>
EOF
}

start_demo() {
  "$root/scripts/install-deps.sh"
  "$root/scripts/build.sh" --target mod_authdiag
  stop_demo

  port=8080
  until port_is_free "$port"; do
    port=$((port + 1))
    ((port < 8200)) || { echo "demo: no free port in 8080-8199" >&2; exit 1; }
  done

  mkdir -p "$demo"/{conf,logs,run,modules}
  chmod 755 "$demo"
  rm -f "$demo"/logs/*
  install -m 644 "$root/build/mod_authdiag/mod_authdiag.so" "$demo/modules/mod_authdiag.so"
  write_site
  write_config
  "$httpd" -d "$demo" -f "$demo/conf/httpd.conf" -t
  "$httpd" -d "$demo" -f "$demo/conf/httpd.conf" -k start
  for _ in $(seq 50); do
    [[ -f $pid_file ]] && curl -s -o /dev/null "http://127.0.0.1:$port/ok/" && break
    sleep 0.1
  done
  [[ -f $pid_file ]] || { echo "demo: httpd did not start; see $demo/logs/error.log" >&2; exit 1; }
  echo "demo: httpd running, pid $(<"$pid_file"), port $port"
  print_table
}

case ${1:-start} in
  start) start_demo ;;
  stop) stop_demo ;;
  check) check_demo ;;
  *) echo "usage: $0 [start|check|stop]" >&2; exit 2 ;;
esac
