#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# Installs conf/authdiag.{load,conf} into a private copy of Debian's /etc/apache2, enables them
# with the real a2enmod, and checks the result: dependencies enabled, mod_authdiag loaded after
# mod_authn_core, an .htaccess AuthName ending in a backslash answered with 500 instead of
# killing the child, and the live error-log lines matched by the shipped fail2ban filter only.
"""Usage: debian_layout_test.py CONF_DIR MODULE_SO HTTPD_BINARY"""

import base64
import http.client
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest

CONF_DIR = MODULE_SO = HTTPD = ""
STOCK_CONFDIR = "/etc/apache2"
SHIPPED_MODULE_PATH = "/usr/lib/apache2/modules/mod_authdiag.so"
DEPENDENCIES = ("auth_basic", "authn_core", "authn_file", "authz_core")


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def write(path, text, mode=0o644):
    with open(path, "w", encoding="utf-8") as out:
        out.write(text)
    os.chmod(path, mode)


class DebianLayoutTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="authdiag-debian-")
        os.chmod(cls.tmp, 0o755)  # the children run as www-data
        cls.confdir = os.path.join(cls.tmp, "apache2")
        shutil.copytree(STOCK_CONFDIR, cls.confdir, symlinks=True)
        for sub in ("mods-available", "mods-enabled"):
            for suffix in (".load", ".conf"):
                path = os.path.join(cls.confdir, sub, "authdiag" + suffix)
                if os.path.lexists(path):
                    os.remove(path)
        available = os.path.join(cls.confdir, "mods-available")
        shutil.copy(os.path.join(CONF_DIR, "authdiag.load"), available)
        with open(os.path.join(CONF_DIR, "authdiag.conf"), encoding="utf-8") as conf:
            text = conf.read()
        assert SHIPPED_MODULE_PATH in text
        write(os.path.join(available, "authdiag.conf"),
              text.replace(SHIPPED_MODULE_PATH, MODULE_SO))

        for sub in ("run", "lock", "log", "state"):
            os.makedirs(os.path.join(cls.tmp, sub))
        with open(os.path.join(STOCK_CONFDIR, "envvars"), encoding="utf-8") as envvars:
            text = envvars.read()
        text += (f"\nexport APACHE_PID_FILE={cls.tmp}/run/apache2.pid\n"
                 f"export APACHE_RUN_DIR={cls.tmp}/run\n"
                 f"export APACHE_LOCK_DIR={cls.tmp}/lock\n"
                 f"export APACHE_LOG_DIR={cls.tmp}/log\n")
        write(os.path.join(cls.confdir, "envvars"), text)
        cls.env = dict(os.environ, APACHE_CONFDIR=cls.confdir,
                       APACHE_STATE_DIRECTORY=os.path.join(cls.tmp, "state"))
        cls.port = free_port()
        cls.pid = None

    @classmethod
    def tearDownClass(cls):
        if cls.pid:
            try:
                os.kill(cls.pid, 15)
                for _ in range(100):
                    os.kill(cls.pid, 0)
                    time.sleep(0.1)
            except ProcessLookupError:
                pass
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def run_tool(self, *cmd):
        proc = subprocess.run(list(cmd), env=self.env, capture_output=True, text=True,
                              check=False, timeout=120)
        self.assertEqual(proc.returncode, 0, f"{cmd}: {proc.stdout}{proc.stderr}")
        return proc

    def httpd(self, *args):
        shell = f'. "{self.confdir}/envvars" && exec "{HTTPD}" -d "{self.confdir}" "$@"'
        return self.run_tool("sh", "-c", shell, "httpd", *args)

    def enabled(self, module):
        return os.path.lexists(os.path.join(self.confdir, "mods-enabled", module + ".load"))

    def test_1_a2enmod_enables_dependencies(self):
        self.run_tool("a2dismod", "-q", "-f", "auth_basic", "authn_file")
        self.assertFalse(self.enabled("auth_basic"))
        self.run_tool("a2enmod", "-q", "authdiag")
        for module in DEPENDENCIES + ("authdiag",):
            self.assertTrue(self.enabled(module), module)
        self.assertTrue(os.path.lexists(os.path.join(self.confdir, "mods-enabled",
                                                     "authdiag.conf")))

    def test_2_module_loads_after_authn_core(self):
        out = self.httpd("-t", "-D", "DUMP_MODULES").stdout
        modules = [line.split()[0] for line in out.splitlines() if line.startswith(" ")]
        self.assertIn("authdiag_module", modules)
        for module in DEPENDENCIES:
            self.assertLess(modules.index(module + "_module"), modules.index("authdiag_module"),
                            module)

    def test_3_live_server(self):
        www = os.path.join(self.tmp, "www")
        for sub in ("ok", "trailing", "private"):
            os.makedirs(os.path.join(www, sub))
        for path in (www, *(os.path.join(www, s) for s in ("ok", "trailing", "private"))):
            os.chmod(path, 0o755)
        write(os.path.join(www, "ok", "index.html"), "ok\n")
        write(os.path.join(www, "private", "index.html"), "private\n")
        htpasswd = os.path.join(self.tmp, "htpasswd")
        self.run_tool("htpasswd", "-cbm", htpasswd, "alice", "wonderland")
        os.chmod(htpasswd, 0o644)
        write(os.path.join(www, "trailing", ".htaccess"),
              'AuthType Basic\nAuthName "Trailing\\\\"\n'
              f"AuthUserFile {htpasswd}\nRequire valid-user\n")
        write(os.path.join(www, "private", ".htaccess"),
              'AuthType Basic\nAuthName "Members"\n'
              f"AuthUserFile {htpasswd}\nRequire valid-user\n")
        write(os.path.join(self.confdir, "ports.conf"), f"Listen 127.0.0.1:{self.port}\n")
        sites = os.path.join(self.confdir, "sites-enabled")
        for name in os.listdir(sites):
            os.remove(os.path.join(sites, name))
        write(os.path.join(sites, "test.conf"),
              f"<VirtualHost 127.0.0.1:{self.port}>\n"
              f"    DocumentRoot {www}\n"
              f"    LogLevel warn authdiag:info\n"
              f"    <Directory {www}>\n"
              f"        AllowOverride AuthConfig\n"
              f"        Require all granted\n"
              f"    </Directory>\n"
              f"</VirtualHost>\n")
        self.httpd("-k", "start")
        pid_file = os.path.join(self.tmp, "run", "apache2.pid")
        for _ in range(100):
            if os.path.exists(pid_file) and self.request("/ok/")[0] == 200:
                break
            time.sleep(0.1)
        with open(pid_file, encoding="utf-8") as pid:
            type(self).pid = int(pid.read())

        for _ in range(5):
            self.assertEqual(self.request("/trailing/")[0], 500)
        self.assertEqual(self.request("/ok/")[0], 200)
        self.assertEqual(self.request("/private/")[0], 401)
        self.assertEqual(self.request("/private/", ("alice", "wrong"))[0], 401)
        self.assertEqual(self.request("/private/", ("mallory", "x"))[0], 401)
        self.assertEqual(self.request("/private/", ("alice", "wonderland"))[0], 200)

        error_log = os.path.join(self.tmp, "log", "error.log")
        time.sleep(0.5)
        with open(error_log, encoding="utf-8", errors="replace") as log:
            text = log.read()
        self.assertNotIn("scanner jammed", text)
        self.assertNotIn("exit signal", text)
        self.assertIn("[authdiag:", text)

        our_filter = self.fail2ban(error_log, "apache-authdiag")
        self.assertEqual(sorted(re.search(r"\] (AD\d{4}): ", line).group(1)
                                for _, line in our_filter), ["AD0104", "AD0105"])
        self.assertEqual({ip for ip, _ in our_filter}, {"127.0.0.1"})
        stock = self.fail2ban(error_log, "/etc/fail2ban/filter.d/apache-auth.conf")
        self.assertEqual([line for _, line in stock if "[authdiag:" in line], [])
        self.assertEqual(len(stock), 2)  # AH01617 and AH01618 from mod_auth_basic

    def request(self, path, credentials=None):
        headers = {}
        if credentials:
            token = base64.b64encode(":".join(credentials).encode()).decode()
            headers["Authorization"] = "Basic " + token
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            return response.status, response.read()
        except (ConnectionError, http.client.HTTPException):
            return None, b""
        finally:
            conn.close()

    def fail2ban(self, log_path, filter_spec):
        config = os.path.join(self.tmp, "fail2ban", "filter.d")
        if not os.path.isdir(config):
            os.makedirs(config)
            for name in ("common.conf", "apache-common.conf"):
                os.symlink(os.path.join("/etc/fail2ban/filter.d", name),
                           os.path.join(config, name))
            shutil.copy(os.path.join(CONF_DIR, "fail2ban", "filter.d", "apache-authdiag.conf"),
                        config)
        proc = self.run_tool("fail2ban-regex", "-c", os.path.dirname(config), "-o",
                             "<ip>|<msg>", log_path, filter_spec)
        return [tuple(line.split("|", 1)) for line in proc.stdout.splitlines()]


if __name__ == "__main__":
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    CONF_DIR, MODULE_SO, HTTPD = (os.path.abspath(a) for a in sys.argv[1:4])
    del sys.argv[1:4]
    unittest.main(verbosity=2)
