#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Creates the demo site of the Docker image on a Debian Apache layout with mod_authdiag enabled:
# users, .htaccess-protected directories and a virtual host replacing 000-default.
# APACHE_CONFDIR (as for a2enmod) and AUTHDIAG_DEMO_DOCROOT select other locations.
set -euo pipefail

confdir=${APACHE_CONFDIR:-/etc/apache2}
docroot=${AUTHDIAG_DEMO_DOCROOT:-/var/www/authdiag-demo}
users=$confdir/authdiag-demo.htpasswd

mkdir -p "$docroot"/{private,admin,rewrite-401}
htpasswd -cbB -C 10 "$users" alice wonderland
htpasswd -bm "$users" bob builder
chmod 644 "$users"

cat > "$docroot/index.html" <<HTML
<h1>mod_authdiag demo</h1>
<ul>
<li><a href="/private/">/private/</a>: Require valid-user (alice/wonderland, bob/builder)</li>
<li><a href="/admin/">/admin/</a>: Require user alice</li>
<li><a href="/rewrite-401/">/rewrite-401/</a>: 401 from mod_rewrite</li>
</ul>
HTML
for dir in private admin rewrite-401; do
  printf '<h1>/%s/</h1>\n' "$dir" > "$docroot/$dir/index.html"
done
printf 'AuthType Basic\nAuthName "authdiag demo"\nAuthUserFile %s\nRequire valid-user\n' \
  "$users" > "$docroot/private/.htaccess"
printf 'AuthType Basic\nAuthName "authdiag demo admin"\nAuthUserFile %s\nRequire user alice\n' \
  "$users" > "$docroot/admin/.htaccess"
chmod -R a+rX "$docroot"

cat > "$confdir/sites-available/authdiag-demo.conf" <<SITE
# mod_authdiag demo site (docker/setup-demo-site.sh).
ServerName localhost
AuthDiagLog \${APACHE_LOG_DIR}/authdiag.json

<VirtualHost *:80>
    DocumentRoot $docroot
    ErrorLog \${APACHE_LOG_DIR}/error.log
    CustomLog \${APACHE_LOG_DIR}/access.log authdiag_combined
    # Also log the anonymous first request of each login (401.2 credentials_missing).
    LogLevel warn authdiag:info
    # Demo only: requests reach the container from the Docker bridge, not from loopback, so
    # the default DetailedLocalOnly would show them the stock page.
    AuthDiagErrorMode Detailed

    <Directory $docroot>
        AllowOverride AuthConfig
        Options None
        Require all granted
    </Directory>
    <Directory $docroot/rewrite-401>
        Options +FollowSymLinks
        RewriteEngine On
        RewriteRule ^ - [R=401]
    </Directory>
</VirtualHost>
SITE

a2enmod -q rewrite
a2dissite -q 000-default
a2ensite -q authdiag-demo
