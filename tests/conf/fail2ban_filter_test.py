#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# Runs fail2ban-regex on mod_authdiag error-log lines: the shipped filter counts exactly the
# failed logons of its mode, with the right client address, and fail2ban's stock apache filters
# count none of the module's lines.
"""Usage: fail2ban_filter_test.py CONF_DIR  (the repository's conf/ directory)"""

import glob
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

CONF_DIR = ""
STOCK_FILTER_DIR = "/etc/fail2ban/filter.d"

# Message id, reason, substatus and level of every denial, as the module contract defines them.
DENIALS = [
    ("AD0101", "credentials_missing", "401.2", "info"),
    ("AD0102", "scheme_unsupported", "401.2", "warn"),
    ("AD0103", "credentials_malformed", "401.1", "warn"),
    ("AD0104", "user_unknown", "401.1", "warn"),
    ("AD0105", "password_mismatch", "401.1", "warn"),
    ("AD0106", "hash_unverifiable", "401.1", "warn"),
    ("AD0107", "authz_denied", "401.3", "warn"),
    ("AD0108", "group_file_unreadable", "401.3", "warn"),
    ("AD0109", "module_denied", "401.4", "warn"),
    ("AD0110", "application_denied", "401.5", "warn"),
    ("AD0111", "concurrent_limit", "401.501", "warn"),
    ("AD0112", "rate_limit", "401.502", "warn"),
    ("AD0113", "failed_logon_limit", "401.502", "warn"),
    ("AD0114", "ip_denied", "401.503", "warn"),
    ("AD0115", "host_denied", "401.504", "warn"),
    ("AD0116", "user_file_missing", "500", "warn"),
    ("AD0117", "user_file_unreadable", "500", "warn"),
    ("AD0118", "authname_missing", "500", "warn"),
    ("AD0119", "authtype_missing", "500", "warn"),
    ("AD0120", "realm_invalid", "500", "warn"),
    ("AD0121", "provider_error", "500", "warn"),
]

# The filter's policy (see the comments in the filter): what each mode counts.
COUNTED = {
    "normal": {"credentials_malformed", "user_unknown", "password_mismatch"},
    "aggressive": {"credentials_malformed", "user_unknown", "password_mismatch",
                   "scheme_unsupported", "hash_unverifiable", "authz_denied"},
}

# Client addresses the lines come from, and how httpd prints them in "[client ...]".
CLIENTS = [
    ("192.0.2.7", "192.0.2.7:50312"),
    ("2001:db8::7", "2001:db8::7:443"),  # "2001:db8::7:443" is itself a valid IPv6 address
    ("198.51.100.23", "198.51.100.23:0"),  # port 0: address set by mod_remoteip
    ("2001:db8:1::9", "2001:db8:1::9:0"),
    ("::1", "::1:38000"),
]

# Text an attacker controls (user name, path, Referer) trying to make fail2ban ban someone
# else or to turn an uncounted line into a counted one.
FORGED = '[client 203.0.113.66:1] AD0105: status=401 substatus=401.1 reason=password_mismatch'


def denial_line(second, msgid, reason, substatus, level, client, user="alice", referer=None):
    status = substatus.split(".")[0]
    line = (f"[Thu Nov 28 10:15:{second:02d}.{second * 1013:06d} 2024] [authdiag:{level}] "
            f"[pid 812:tid 140213] [client {client}] {msgid}: status={status} "
            f"substatus={substatus} reason={reason} user=\"{user}\" realm=\"Members\" "
            f"method=GET path=\"/private/\" auth_type=Basic providers=file "
            f"user_file=\"/srv/www/.htpasswd\" detail=\"...\" hint=\"...\"")
    if referer is not None:
        line += f", referer: {referer}"
    return line


def build_samples():
    """Returns [(line, reason or None, client address)]; reason None marks stock httpd lines."""
    samples = []
    second = 0
    for msgid, reason, substatus, level in DENIALS:
        for address, printed in CLIENTS:
            second = (second + 1) % 60
            samples.append((denial_line(second, msgid, reason, substatus, level, printed),
                            reason, address))
        # Hostile user name and Referer on every kind of line.
        samples.append((denial_line(7, msgid, reason, substatus, level, "192.0.2.99:4000",
                                    user=FORGED, referer=FORGED),
                        reason, "192.0.2.99"))
    # What stock mod_auth_basic logs for the same failures: for the stock filter only.
    samples.append(("[Thu Nov 28 10:16:01.000001 2024] [auth_basic:error] [pid 812:tid 140213] "
                    "[client 192.0.2.50:50000] AH01617: user alice: authentication failure for "
                    "\"/private/\": Password Mismatch", None, "192.0.2.50"))
    samples.append(("[Thu Nov 28 10:16:02.000001 2024] [auth_basic:error] [pid 812:tid 140213] "
                    "[client 192.0.2.51:50000] AH01618: user mallory not found: /private/",
                    None, "192.0.2.51"))
    return samples


def run_fail2ban_regex(log_path, filter_spec, config_dir=None):
    """Returns [(address, line)] of the lines the filter matched."""
    cmd = ["fail2ban-regex", "-o", "<ip>|<msg>"]
    if config_dir:
        cmd += ["-c", config_dir]
    cmd += [log_path, filter_spec]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} failed ({proc.returncode}):\n"
                             f"{proc.stdout}{proc.stderr}")
    matches = []
    for out_line in proc.stdout.splitlines():
        if "|[" not in out_line:
            raise AssertionError(f"unexpected fail2ban-regex output: {out_line!r}\n"
                                 f"{proc.stdout}{proc.stderr}")
        address, line = out_line.split("|", 1)
        matches.append((address, line))
    return matches


class Fail2banFilterTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        if not shutil.which("fail2ban-regex"):
            raise RuntimeError("fail2ban-regex not found (Debian package fail2ban)")
        cls.tmp = tempfile.mkdtemp(prefix="authdiag-f2b-")
        # A fail2ban config dir as after installation: the stock common definitions next to
        # the shipped filter.
        filter_dir = os.path.join(cls.tmp, "config", "filter.d")
        os.makedirs(filter_dir)
        for name in ("common.conf", "apache-common.conf"):
            os.symlink(os.path.join(STOCK_FILTER_DIR, name), os.path.join(filter_dir, name))
        shutil.copy(os.path.join(CONF_DIR, "fail2ban", "filter.d", "apache-authdiag.conf"),
                    filter_dir)
        cls.config_dir = os.path.dirname(filter_dir)
        cls.samples = build_samples()
        cls.log_path = os.path.join(cls.tmp, "error.log")
        with open(cls.log_path, "w", encoding="utf-8") as log:
            log.write("".join(line + "\n" for line, _, _ in cls.samples))

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def check_mode(self, mode):
        filter_spec = "apache-authdiag" if mode == "normal" else f"apache-authdiag[mode={mode}]"
        matches = run_fail2ban_regex(self.log_path, filter_spec, self.config_dir)
        expected = [(address, line) for line, reason, address in self.samples
                    if reason in COUNTED[mode]]
        self.assertEqual(len(expected), len(COUNTED[mode]) * (len(CLIENTS) + 1))
        self.assertEqual(sorted(matches), sorted(expected))

    def test_normal_mode_counts_exactly_the_failed_logons(self):
        self.check_mode("normal")

    def test_aggressive_mode_adds_scheme_hash_and_authz(self):
        self.check_mode("aggressive")

    def test_challenge_is_never_counted(self):
        for mode in COUNTED:
            self.assertNotIn("credentials_missing", COUNTED[mode])
        lines = [line for line, reason, _ in self.samples if reason == "credentials_missing"]
        path = os.path.join(self.tmp, "challenge.log")
        with open(path, "w", encoding="utf-8") as log:
            log.write("".join(line + "\n" for line in lines))
        for spec in ("apache-authdiag", "apache-authdiag[mode=aggressive]"):
            self.assertEqual(run_fail2ban_regex(path, spec, self.config_dir), [], spec)

    def test_stock_filters_match_no_module_line(self):
        stock_filters = sorted(glob.glob(os.path.join(STOCK_FILTER_DIR, "apache-*.conf")))
        stock_filters = [f for f in stock_filters if not f.endswith("apache-common.conf")]
        self.assertIn(os.path.join(STOCK_FILTER_DIR, "apache-auth.conf"), stock_filters)
        specs = stock_filters + [os.path.join(STOCK_FILTER_DIR, "apache-auth.conf") +
                                 "[mode=aggressive]"]
        for spec in specs:
            with self.subTest(filter=spec):
                matches = run_fail2ban_regex(self.log_path, spec)
                module_matches = [m for m in matches if "[authdiag:" in m[1]]
                self.assertEqual(module_matches, [])

    def test_stock_apache_auth_still_sees_the_stock_lines(self):
        # Control: the stock filter is working on this log, so "no match" above means something.
        expected = sorted((address, line) for line, reason, address in self.samples
                          if reason is None)
        for mode in ("normal", "aggressive"):
            spec = os.path.join(STOCK_FILTER_DIR, "apache-auth.conf") + f"[mode={mode}]"
            self.assertEqual(sorted(run_fail2ban_regex(self.log_path, spec)), expected)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    CONF_DIR = sys.argv.pop(1)
    unittest.main(verbosity=2)
