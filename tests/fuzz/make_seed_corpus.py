#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the seed corpora of the fuzz targets into corpus/<target>/seed-*.

Re-running overwrites the seeds and leaves other files (inputs found by fuzzing) alone.
The binary layouts mirror FuzzInput in fuzz_support.hpp: a string is a 2-byte little-endian
length followed by its bytes; numbers are little-endian.
"""
import base64
import pathlib
import struct

HERE = pathlib.Path(__file__).resolve().parent


def s(data):
    if isinstance(data, str):
        data = data.encode()
    return struct.pack("<H", len(data)) + data


def write(target, seeds):
    directory = HERE / "corpus" / target
    directory.mkdir(parents=True, exist_ok=True)
    for name, data in seeds.items():
        if isinstance(data, str):
            data = data.encode()
        (directory / f"seed-{name}").write_bytes(data)


def b64(data):
    if isinstance(data, str):
        data = data.encode()
    return base64.b64encode(data).decode()


def authorization_seeds():
    return {
        "basic-alice": "Basic " + b64("alice:secret"),
        "basic-lowercase": "basic " + b64("alice:secret"),
        "basic-uppercase": "BASIC " + b64("alice:secret"),
        "basic-tab": "Basic\t" + b64("alice:secret"),
        "basic-many-spaces": "Basic    " + b64("alice:secret") + "  ",
        "basic-empty": "Basic",
        "basic-blank": "Basic   ",
        "basic-bad-chars": "Basic !!!notbase64",
        "basic-trailing-garbage": "Basic " + b64("alice:secret") + "!!!garbage",
        "basic-bad-padding": "Basic YWxpY2U6c2VjcmV0===",
        "basic-padding-middle": "Basic YW=xpY2U6",
        "basic-impossible-length": "Basic YWxpY",
        "basic-no-padding": "Basic YWxpY2U6cHc",
        "basic-no-colon": "Basic " + b64("alicesecret"),
        "basic-empty-user": "Basic " + b64(":secret"),
        "basic-empty-password": "Basic " + b64("alice:"),
        "basic-colon-in-password": "Basic " + b64("alice:se:cret"),
        "basic-nul-user": "Basic " + b64(b"al\x00ice:pw"),
        "basic-crlf-user": "Basic " + b64(b"alice\r\nforged:pw"),
        "basic-del-password": "Basic " + b64(b"alice:p\x7fw"),
        "basic-0xff-user": "Basic " + b64(b"\xffalice:pw"),
        "basic-utf8-user": "Basic " + b64("j\u00fcrgen:pw"),
        "basic-10k-user": "Basic " + b64("u" * 10000 + ":pw"),
        "header-8k": "Basic " + "QUFB" * 2048,
        "bearer": "Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig",
        "digest": 'Digest username="alice", realm="r", nonce="abc", uri="/", response="0"',
        "negotiate": "Negotiate YIIGhgYGKwYBBQUCoIIGejCCBnag",
        "long-scheme": "X" * 100 + " token",
        "empty": "",
        "leading-space": " Basic " + b64("alice:pw"),
        "nul-cr-lf-ff": b"Basic \x00\r\n\xff",
        "raw-binary": bytes(range(256)),
    }


def challenge_repair(flags, fallback, values):
    out = bytes([flags]) + s(fallback) + bytes([len(values)])
    for value in values:
        out += s(value)
    return out


def challenge_seeds():
    return {
        "httpd-basic": 'Basic realm="Restricted"',
        "basic-charset": 'Basic realm="Restricted", charset="UTF-8"',
        "two-challenges": 'Basic realm="a", Bearer realm="api", error="invalid_token"',
        "negotiate-token68": "Negotiate YIIGhgYGKwYBBQUCoIIGejCCBnag==, Basic realm=\"x\"",
        "digest": 'Digest realm="r", qop="auth,auth-int", nonce="n", opaque="o"',
        "httpd-backslash": 'Basic realm="back\\slash"',
        "escaped-quote": 'Basic realm="He said \\"hi\\""',
        "trailing-backslash": 'Basic realm="trailing\\',
        "unterminated": 'Basic realm="open, charset="UTF-8"',
        "realm-newline": b'Basic realm="line\nbreak"',
        "realm-nul-cr": b'Basic realm="a\x00b\rc"',
        "token-realm": "Basic realm=simple",
        "bws": "Basic realm = \"spaced\" ,  charset = UTF-8",
        "empty-elements": ", ,Basic realm=\"x\",, ,",
        "junk": '"junk", =, Basic realm="x" trailing junk, foo',
        "duplicate-basic": 'Basic realm="a", basic realm="b"',
        "high-bytes": b'Basic realm="caf\xc3\xa9 \xff"',
        "repair-none": challenge_repair(3, "Members", []),
        "repair-none-charset-off": challenge_repair(2, "Members", []),
        "repair-httpd": challenge_repair(3, "Members", ['Basic realm="Members"']),
        "repair-duplicates": challenge_repair(
            3, "R", ['Basic realm="a"', 'Bearer realm="b"', 'BASIC realm="c"']),
        "repair-ctl-realm": challenge_repair(3, "R", [b'Basic realm="x\r\ny"']),
        "repair-ctl-fallback": challenge_repair(3, b"bad\nrealm\\\"", []),
        "repair-off-charset": challenge_repair(1, "R", ['Basic realm="a", Bearer', "Basic"]),
        "repair-off-nothing": challenge_repair(0, "R", [b'Basic realm="a\r\n"']),
        "repair-ctl-bearer": challenge_repair(3, "R", [b'Bearer error="x\x00y"']),
        "repair-garbage": challenge_repair(3, "R", ["", ",,,", '"only quotes"']),
        "repair-8k": challenge_repair(3, "R", ['Basic realm="' + "r" * 8000 + '"']),
        "repair-trailing-backslash": challenge_repair(3, "R", ['Basic realm="x\\']),
    }


# Presence bits of fuzz_denial_record.cpp, in order.
FIELDS = ["substatus", "request_id", "client_ip", "vhost", "method", "path", "user", "realm",
          "auth_type", "providers", "user_file", "hash_scheme", "requirement", "scheme",
          "challenge", "config_file", "detail", "hint", "repaired", "counter", "limit",
          "window_ms", "inflate"]
STRINGS = FIELDS[1:18]
NUMBERS = ["counter", "limit", "window_ms"]


def record(reason=4, status=401, substatus=1, time=1795995088123456, **fields):
    present = 0
    for bit, name in enumerate(FIELDS):
        if name in fields or (name == "substatus" and substatus is not None):
            present |= 1 << bit
    out = struct.pack("<IqBHH", present, time, reason, status, substatus or 0)
    for name in STRINGS:
        if name in fields:
            out += s(fields[name])
    for name in NUMBERS:
        if name in fields:
            out += struct.pack("<Q", fields[name])
    if "inflate" in fields:
        out += bytes([fields["inflate"]])
    return out


# inflate=N grows every present string to 64 * N bytes (157: 10 kB).
def denial_record_seeds():
    full = dict(request_id="ZmRlYWRiZWVm", client_ip="192.0.2.7", vhost="www.example.com",
                method="GET", path="/private/", user="alice", realm="Members",
                auth_type="Basic", providers="file", user_file="/etc/apache2/.htpasswd",
                hash_scheme="bcrypt(cost=10)", requirement="valid-user",
                config_file="/var/www/.htaccess", detail="The password does not match.",
                hint="Reset the password.")
    return {
        "minimal": record(reason=0, substatus=2),
        "full": record(**full),
        "config-error-500": record(reason=15, status=500, substatus=None, user_file="/missing"),
        "rate-limit": record(reason=11, substatus=502, counter=11, limit=10, window_ms=1000),
        "repaired": record(reason=8, substatus=4, repaired=1, challenge='Basic realm="R"'),
        "scheme": record(reason=1, substatus=2, scheme="Bearer"),
        "hostile-user": record(user=b'"al\\ice"\r\n\x00\xff\x7f'),
        "utf8-user": record(user="j\u00fcrgen \u2028 \u2029 \U0001f600"),
        "invalid-utf8": record(user=b"\xc0\xaf \xed\xa0\x80 \xf4\x90\x80\x80 \xe2\x82"),
        "c1-controls": record(user="\u0085\u009f"),
        "10k-user": record(user="u", inflate=157),
        "10k-user-0xff": record(user="", inflate=157),
        "10k-path-and-user": record(path="/p", user="\xe9", inflate=157),
        "10k-every-field": record(**{k: "x" for k in STRINGS}, counter=1, limit=2, window_ms=3,
                                  inflate=157),
        "just-over-cap": record(user="u", inflate=63),
        "10k-every-field-escapes": record(**{k: b"\x01\"\xe2\x80\xa8" for k in STRINGS},
                                          inflate=157),
        "negative-time": record(time=-1),
        "far-future-time": record(time=2**62),
        "status-forbidden": record(reason=13, status=403, substatus=503, client_ip="2001:db8::1"),
        "empty-strings": record(**{k: "" for k in STRINGS}),
        "every-reason-byte": record(reason=255),
    }


def ip_seeds():
    seeds = ["192.0.2.1", "0.0.0.0", "255.255.255.255", "010.1.1.1", "1.2.3", "1.2.3.4.5",
             "256.1.1.1", "1.2.3.4/24", "192.0.2.0/24", "0.0.0.0/0", "10.0.0.0/8",
             "192.0.2.1/33", "192.0.2.0/024", "::", "::1", "::1/128", "2001:db8::1",
             "2001:DB8::/32", "2001:db8:0:0:1:0:0:1", "2001:0db8::0001", "1::", "1:2:3:4:5:6:7:8",
             "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8:9", "1:::2", ":1::",
             "::ffff:192.0.2.1", "::ffff:192.0.2.0/120", "::192.0.2.1", "64:ff9b::192.0.2.33",
             "fe80::1%eth0", "[::1]", "::ffff:0:0/96", "2001:db8::/129", " 192.0.2.1", "1.2.3.4 ",
             "1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:7:1.2.3.4", "::1.2.3", "1.2.3.4::", "",
             "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255"]
    out = {f"{i:02d}": text for i, text in enumerate(seeds)}
    out["nul"] = b"192.0.2.1\x00"
    out["high-bytes"] = b"\xff\xfe::1"
    return out


write("fuzz_authorization_header", authorization_seeds())
write("fuzz_challenge", challenge_seeds())
write("fuzz_denial_record", denial_record_seeds())
write("fuzz_ip_address", ip_seeds())
