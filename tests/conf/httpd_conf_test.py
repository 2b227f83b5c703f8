#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# Checks conf/authdiag.conf against the built module with httpd itself: the shipped file passes
# `apache2 -t`, so does the file with every example line enabled, and it documents exactly the
# directives the module registers, each with the context httpd enforces.
"""Usage: httpd_conf_test.py CONF_DIR MODULE_SO HTTPD_BINARY MODULES_DIR"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

CONF_DIR = MODULE_SO = HTTPD = MODULES_DIR = ""
SHIPPED_LOADMODULE = "LoadModule authdiag_module /usr/lib/apache2/modules/mod_authdiag.so"
EXAMPLE_LINE = re.compile(r"^#(?=[A-Z<\t])")  # '#' directly before a directive: an example
HEADER_LINE = re.compile(r"^# (AuthDiag[A-Za-z]*)(?: |$)")
DENY_FILE_EXAMPLE = "/etc/apache2/authdiag-deny-ip.txt"

BASE_CONFIG = """\
ServerRoot "{root}"
ServerName localhost
Define APACHE_LOG_DIR "{root}/logs"
DefaultRuntimeDir "{root}/run"
PidFile "{root}/run/httpd.pid"
ErrorLog "{root}/logs/error.log"
Listen 127.0.0.1:8
LoadModule mpm_event_module {modules}/mod_mpm_event.so
LoadModule authn_core_module {modules}/mod_authn_core.so
LoadModule authn_file_module {modules}/mod_authn_file.so
LoadModule auth_basic_module {modules}/mod_auth_basic.so
LoadModule authz_core_module {modules}/mod_authz_core.so
LoadModule authz_host_module {modules}/mod_authz_host.so
LoadModule authz_user_module {modules}/mod_authz_user.so
LoadModule setenvif_module {modules}/mod_setenvif.so
Include "{root}/authdiag.conf"
"""


def shipped_conf():
    with open(os.path.join(CONF_DIR, "authdiag.conf"), encoding="utf-8") as conf:
        return conf.read()


def documented_directives(text):
    """{name: context text} from the '# AuthDiagX ...' blocks of authdiag.conf."""
    found = {}
    current = None
    for line in text.splitlines():
        header = HEADER_LINE.match(line)
        if header:
            current = header.group(1)
            found.setdefault(current, None)
            continue
        if current and line.startswith("#   Context:"):
            found[current] = line.split(":", 1)[1].strip()
            current = None
        elif not line.startswith("#   "):
            current = None
    return found


class HttpdConfTest(unittest.TestCase):

    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="authdiag-conf-")
        for sub in ("logs", "run"):
            os.makedirs(os.path.join(self.root, sub))

    def tearDown(self):
        shutil.rmtree(self.root, ignore_errors=True)

    def httpd(self, conf_text, *args):
        self.assertIn(SHIPPED_LOADMODULE, conf_text)
        conf_text = conf_text.replace(SHIPPED_LOADMODULE,
                                      f'LoadModule authdiag_module "{MODULE_SO}"')
        with open(os.path.join(self.root, "authdiag.conf"), "w", encoding="utf-8") as out:
            out.write(conf_text)
        main = os.path.join(self.root, "httpd.conf")
        with open(main, "w", encoding="utf-8") as out:
            out.write(BASE_CONFIG.format(root=self.root, modules=MODULES_DIR))
        return subprocess.run([HTTPD, "-d", self.root, "-f", main, *args], capture_output=True,
                              text=True, check=False, timeout=60)

    def assert_syntax_ok(self, proc):
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assertIn("Syntax OK", proc.stdout + proc.stderr)

    def test_shipped_file_loads_the_module(self):
        self.assertTrue(os.path.isfile(MODULE_SO), f"module not built: {MODULE_SO}")
        proc = self.httpd(shipped_conf(), "-t", "-D", "DUMP_MODULES")
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assertRegex(proc.stdout, r"(?m)^ authdiag_module \(shared\)$")

    def test_every_example_line_is_accepted(self):
        deny_file = os.path.join(self.root, "deny-ip.txt")
        with open(deny_file, "w", encoding="utf-8") as out:
            out.write("# test list\n192.0.2.1\n198.51.100.0/24\n2001:db8:66::/48\n")
        text = shipped_conf()
        self.assertIn(DENY_FILE_EXAMPLE, text)
        lines = [EXAMPLE_LINE.sub("", line) for line in text.splitlines()]
        enabled = "\n".join(lines).replace(DENY_FILE_EXAMPLE, deny_file) + "\n"
        directives = {line.split()[0] for line in lines if line.startswith("AuthDiag")}
        self.assertEqual(directives, set(documented_directives(text)))
        self.assertIn("SetHandler authdiag-status", enabled)
        self.assert_syntax_ok(self.httpd(enabled, "-t"))

    def test_a_bad_value_fails_the_syntax_check(self):
        # Control for the test above: httpd -t does check the module's arguments.
        bad = shipped_conf().replace("#AuthDiagErrorMode DetailedLocalOnly",
                                     "AuthDiagErrorMode Verbose")
        proc = self.httpd(bad, "-t")
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("AuthDiagErrorMode", proc.stderr)

    def test_documentation_matches_registered_directives(self):
        proc = self.httpd(shipped_conf(), "-L")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        registered = {}
        name = None
        for line in proc.stdout.splitlines():
            if not line.startswith("\t"):
                name = line.split(" ", 1)[0]
                if name.startswith("AuthDiag"):
                    registered[name] = ""
                else:
                    name = None
            elif name:
                registered[name] += line.strip() + " "
        documented = documented_directives(shipped_conf())
        self.assertEqual(sorted(documented), sorted(registered))
        for directive, context in documented.items():
            with self.subTest(directive=directive):
                self.assertIsNotNone(context, "no Context: line")
                allowed = registered[directive]
                if ".htaccess" in context:
                    self.assertIn("Allowed in *.conf anywhere and in .htaccess", allowed)
                    self.assertIn("AuthConfig", allowed)
                elif "directory" in context:
                    self.assertIn("Allowed in *.conf anywhere", allowed)
                    self.assertNotIn(".htaccess", allowed)
                else:
                    self.assertEqual(context.split(" ")[0], "server")
                    self.assertIn("Allowed in *.conf only outside", allowed)


if __name__ == "__main__":
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    CONF_DIR, MODULE_SO, HTTPD, MODULES_DIR = (os.path.abspath(a) for a in sys.argv[1:5])
    del sys.argv[1:5]
    unittest.main(verbosity=2)
