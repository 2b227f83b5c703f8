#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# Installs the shipped filter and example jail into a private copy of Debian's fail2ban config,
# runs a fail2ban server on it (dummy ban action) and checks who gets banned from fresh
# mod_authdiag error-log lines.
"""Usage: fail2ban_jail_test.py CONF_DIR  (the repository's conf/ directory)"""

import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

CONF_DIR = ""
STOCK_CONFIG = "/etc/fail2ban"
JAIL = "apache-authdiag"
WAIT_SECONDS = 60


def log_line(msgid, reason, substatus, address, port, level="warn"):
    now = time.time()
    stamp = time.strftime("%a %b %d %H:%M:%S", time.localtime(now))
    micros = int((now % 1) * 1e6)
    year = time.strftime("%Y", time.localtime(now))
    return (f"[{stamp}.{micros:06d} {year}] [authdiag:{level}] [pid 4711:tid 139871] "
            f"[client {address}:{port}] {msgid}: status=401 substatus={substatus} "
            f"reason={reason} user=\"alice\" realm=\"Members\" method=GET path=\"/private/\"\n")


class Fail2banJailTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        for tool in ("fail2ban-client", "fail2ban-server"):
            if not shutil.which(tool):
                raise RuntimeError(f"{tool} not found (Debian package fail2ban)")
        cls.tmp = tempfile.mkdtemp(prefix="authdiag-jail-")
        cls.config = os.path.join(cls.tmp, "fail2ban")
        shutil.copytree(STOCK_CONFIG, cls.config, symlinks=True)
        # Only our jail: drop the distribution's jail.d (it enables sshd).
        jail_d = os.path.join(cls.config, "jail.d")
        shutil.rmtree(jail_d)
        os.makedirs(jail_d)
        shutil.copy(os.path.join(CONF_DIR, "fail2ban", "filter.d", "apache-authdiag.conf"),
                    os.path.join(cls.config, "filter.d"))
        # The example, unchanged, as the admin installs it.
        shutil.copy(os.path.join(CONF_DIR, "fail2ban", "jail.d", "apache-authdiag.local.example"),
                    os.path.join(jail_d, "apache-authdiag.local"))
        cls.error_log = os.path.join(cls.tmp, "error.log")
        open(cls.error_log, "w", encoding="utf-8").close()
        cls.bans = os.path.join(cls.tmp, "bans")
        cls.socket = os.path.join(cls.tmp, "f2b.sock")
        cls.write(os.path.join(cls.config, "paths-overrides.local"),
                  f"[DEFAULT]\napache_error_log = {cls.error_log}\n")
        cls.write(os.path.join(cls.config, "fail2ban.local"),
                  f"[Definition]\nlogtarget = {cls.tmp}/fail2ban.log\nsocket = {cls.socket}\n"
                  f"pidfile = {cls.tmp}/f2b.pid\ndbfile = :memory:\n")
        # Test-only: record bans in a file instead of touching the firewall.
        cls.write(os.path.join(jail_d, "zz-test.local"),
                  f"[{JAIL}]\naction = dummy[target=\"{cls.bans}\"]\n")
        cls.server = None

    @classmethod
    def tearDownClass(cls):
        if cls.server is not None:
            subprocess.run(["fail2ban-client", "-c", cls.config, "stop"], capture_output=True,
                           check=False, timeout=30)
            try:
                cls.server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                cls.server.kill()
                cls.server.wait()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    @staticmethod
    def write(path, text):
        with open(path, "w", encoding="utf-8") as out:
            out.write(text)

    def client(self, *args):
        return subprocess.run(["fail2ban-client", "-c", self.config, *args],
                              capture_output=True, text=True, check=False, timeout=30)

    def test_1_configuration_is_valid(self):
        proc = self.client("-t")
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        dump = self.client("-d")
        self.assertEqual(dump.returncode, 0, dump.stderr)
        self.assertIn(f"['add', '{JAIL}',", dump.stdout)
        self.assertIn(f"['set', '{JAIL}', 'addlogpath', '{self.error_log}'", dump.stdout)
        self.assertIn(f"['set', '{JAIL}', 'maxretry', 5]", dump.stdout)

    def test_2_bans_password_guessers_only(self):
        cls = type(self)
        with open(os.path.join(self.tmp, "server.out"), "w", encoding="utf-8") as out:
            cls.server = subprocess.Popen(
                ["fail2ban-client", "-c", self.config, "-f", "-x", "start"], stdout=out,
                stderr=subprocess.STDOUT)
        deadline = time.monotonic() + WAIT_SECONDS
        while self.client("status", JAIL).returncode != 0:
            self.assertIsNone(cls.server.poll(), "fail2ban server exited")
            self.assertLess(time.monotonic(), deadline, "fail2ban server did not start")
            time.sleep(0.2)

        lines = []
        # A browser login: many anonymous challenges, then a few typos. Not banned.
        lines += [log_line("AD0101", "credentials_missing", "401.2", "192.0.2.10", 50001,
                           level="info") for _ in range(20)]
        lines += [log_line("AD0105", "password_mismatch", "401.1", "192.0.2.10", 50002)
                  for _ in range(4)]
        # A logged-on user clicking into a section Require does not admit. Not banned.
        lines += [log_line("AD0107", "authz_denied", "401.3", "192.0.2.11", 50003)
                  for _ in range(12)]
        # A guesser (IPv6 behind mod_remoteip, so port 0): maxretry failures. Banned.
        for i in range(5):
            if i % 2:
                lines.append(log_line("AD0104", "user_unknown", "401.1", "2001:db8::66", 0))
            else:
                lines.append(log_line("AD0105", "password_mismatch", "401.1", "2001:db8::66", 0))
        with open(self.error_log, "a", encoding="utf-8") as log:
            log.write("".join(lines))

        while True:
            status = self.client("status", JAIL).stdout
            if "2001:db8::66" in status:
                break
            self.assertLess(time.monotonic(), deadline, f"no ban; status:\n{status}")
            time.sleep(0.2)
        banned = status.split("Banned IP list:", 1)[1].split()
        self.assertEqual(banned, ["2001:db8::66"])
        # Only the 4 + 5 failed logons were counted, not the challenges or authz denials.
        self.assertRegex(status, r"Total failed:\s+9\n")
        with open(self.bans, encoding="utf-8") as bans:
            self.assertIn("+2001:db8::66", bans.read().split())


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    CONF_DIR = sys.argv.pop(1)
    unittest.main(verbosity=2)
