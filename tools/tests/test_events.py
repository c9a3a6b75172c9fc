"""Tests of scripts/lib/events.py (stdlib unittest).

Run from the repository root:  python3 -m unittest discover -s tools/tests -t tools -v
Every test works in temporary directories; none touches /opt or the real $HOME.
"""

import errno
import hashlib
import http.server
import json
import os
import random
import re
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import uuid
from unittest import mock

from scripts.lib import events
from scripts.lib.events import EventValidationError, EventWriteError

TOOLS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VECTORS_PATH = os.path.join(TOOLS, "tests", "vectors.json")
with open(VECTORS_PATH, encoding="utf-8") as _f:
    VECTORS = json.load(_f)

NAME_RE = re.compile(
    r"(?P<ts>[0-9]{8}T[0-9]{6}\.[0-9]{6}Z)_(?P<type>[a-z][a-z0-9_]{0,63})_"
    r"(?P<id>[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12})\.json")
TS_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z")
FIELDS = ["timestamp", "node", "type", "severity", "source", "service", "correlation_id", "payload"]


def applies(vector, writer="python"):
    return writer in vector.get("writers", ["java", "bash", "python"])


def known_divergent(vector, writer):
    """True when the vector is listed as not yet stored byte for byte by that writer (issue 13)."""
    return any(d["name"] == vector["name"] and writer in d["writers"] for d in VECTORS["known_divergent"])


def store_files(root):
    """Every file under root (relative paths), hidden ones included."""
    found = []
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            found.append(os.path.relpath(os.path.join(dirpath, name), root))
    return sorted(found)


def snapshot(root):
    """Names, types, modes, times and contents of everything under root (without following links)."""
    state = {}
    for dirpath, dirs, files in os.walk(root):
        for name in dirs + files:
            path = os.path.join(dirpath, name)
            info = os.lstat(path)
            digest = None
            if stat.S_ISREG(info.st_mode):
                with open(path, "rb") as f:
                    digest = hashlib.sha256(f.read()).hexdigest()
            state[os.path.relpath(path, root)] = (info.st_mode, info.st_mtime_ns, info.st_size, digest)
    return state


def check_event_file(test, root, path, expected=None):
    """Asserts layout, name grammar, mode and content form of one event file; returns the event."""
    rel = os.path.relpath(path, root).split(os.sep)
    test.assertEqual(len(rel), 3, path)
    day, node, name = rel
    m = NAME_RE.fullmatch(name)
    test.assertIsNotNone(m, name)
    test.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o644)
    with open(path, "rb") as f:
        raw = f.read()
    test.assertTrue(raw.endswith(b"\n"))
    test.assertEqual(raw.count(b"\n"), 1, "one line")
    data = json.loads(raw.decode("utf-8"))
    test.assertEqual(list(data), FIELDS)
    test.assertIsNone(re.search(rb"[ \t\r\n]", re.sub(rb'"(?:[^"\\]|\\.)*"', b'""', raw[:-1])),
                      "compact form (no white space outside strings)")
    test.assertRegex(data["timestamp"], TS_RE)
    test.assertEqual(day, data["timestamp"][:10])
    test.assertEqual(m.group("ts"), data["timestamp"].replace("-", "").replace(":", "")[:22] + "Z")
    test.assertEqual(node, data["node"])
    test.assertEqual(m.group("type"), data["type"])
    if expected:
        for key, value in expected.items():
            test.assertEqual(data[key], value, key)
    return data


class StoreTestCase(unittest.TestCase):
    """A fresh temporary store per test, configured through the environment."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="hle-py-")
        self.root = os.path.join(self.tmp, "store")
        env = {
            "HOMELAB_EVENTS_DIR": self.root,
            "HOMELAB_NODE": VECTORS["default_node"],
            "HOMELAB_EVENTS_CUSTOM_TYPES": ",".join(VECTORS["custom_types"]),
            "HOME": os.path.join(self.tmp, "home"),
            "XDG_DATA_HOME": os.path.join(self.tmp, "xdg"),
        }
        patcher = mock.patch.dict(os.environ, env)
        patcher.start()
        for var in ("HOMELAB_EVENTS_URL", "HOMELAB_EVENTS_TOKEN"):
            os.environ.pop(var, None)
        self.addCleanup(patcher.stop)
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def child_env(self, **extra):
        env = dict(os.environ)
        env["PYTHONPATH"] = TOOLS
        env.update(extra)
        return env

    def emit(self, **kw):
        args = dict(event_type="deployment_started", severity="info", source="t.py", service="svc",
                    correlation_id="cid-1")
        args.update(kw)
        return events.emit_event(**args)


class VectorTest(StoreTestCase):
    """tests/vectors.json: what all three writers must accept and refuse."""

    def test_valid_vectors_round_trip(self):
        for vector in VECTORS["valid"]:
            if not applies(vector):
                continue
            with self.subTest(vector["name"]):
                ev = dict(vector["event"])
                # numbers that Python's parser would change are given as the text they are written as
                payload = ev["payload_json"] if vector.get("payload_as_text") else ev.get("payload")
                stored = events.emit_event(
                    event_type=ev["type"], severity=ev["severity"], source=ev["source"],
                    service=ev["service"], correlation_id=ev.get("correlation_id"),
                    payload=payload, node=ev.get("node"), timestamp=ev.get("timestamp"))
                expected = {
                    "node": ev.get("node", VECTORS["default_node"]),
                    "type": ev["type"], "severity": ev["severity"], "source": ev["source"],
                    "service": ev["service"],
                    "correlation_id": ev.get("correlation_id", stored["id"]),
                    "payload": events._loads(ev["payload_json"]) if vector.get("payload_as_text")
                    else ev.get("payload", {}),
                }
                expected.update(vector.get("expect", {}))
                data = check_event_file(self, self.root, stored["path"], expected)
                self.assertIn(stored["id"], stored["path"])
                # the exact bytes every writer stores, unless listed as known divergent for Python
                with open(stored["path"], "rb") as f:
                    raw = f.read()
                want = vector["stored"].replace('"correlation_id":"<ID>"', '"correlation_id":"%s"' % stored["id"])
                want = want.replace('"timestamp":"<TIMESTAMP>"', '"timestamp":"%s"' % data["timestamp"])
                if known_divergent(vector, "python"):
                    self.assertNotEqual(raw, want.encode("utf-8"), "stored exactly now: remove the vector from "
                                        "KNOWN_DIVERGENT in make_vectors.py")
                else:
                    self.assertEqual(raw, want.encode("utf-8"))
                # read back through the reader
                chain = [e for e in events.get_chain(expected["correlation_id"]) if e["id"] == stored["id"]]
                self.assertEqual(len(chain), 1)
                for key in FIELDS:
                    self.assertEqual(chain[0][key], data[key])

    def test_invalid_vectors_are_refused_naming_the_field(self):
        count = 0
        for vector in VECTORS["invalid"]:
            if not applies(vector):
                continue
            ev = vector["event"]
            with self.subTest(vector["name"]):
                with self.assertRaises(EventValidationError) as ctx:
                    events.emit_event(
                        event_type=ev["type"], severity=ev["severity"], source=ev["source"],
                        service=ev["service"], correlation_id=ev.get("correlation_id"),
                        payload=ev.get("payload_text", ev.get("payload")), node=ev.get("node"),
                        timestamp=ev.get("timestamp"))
                self.assertEqual(ctx.exception.field, vector["field"])
                message = str(ctx.exception)
                self.assertTrue(message.startswith("invalid " + vector["field"] + " "), message)
                self.assertNotIn("\n", message)
                self.assertNotIn("\r", message)
                self.assertFalse(any(c in message for c in "\u202e\u2066\u200f\u0000"), message)
                self.assertEqual(store_files(self.tmp), [], "nothing written")
                count += 1
        self.assertGreater(count, 80)

    def test_bad_custom_types_configuration_is_named(self):
        with mock.patch.dict(os.environ, {"HOMELAB_EVENTS_CUSTOM_TYPES": "ok_type, Bad-Type"}):
            with self.assertRaises(EventValidationError) as ctx:
                self.emit()
        self.assertEqual(ctx.exception.field, "HOMELAB_EVENTS_CUSTOM_TYPES")

    def test_non_serializable_payloads_are_refused(self):
        for payload in ({"x": float("nan")}, {"x": float("inf")}, {1: "int key"}, {"x": object()},
                        {"x": "\ud800"}, {"x": {1, 2}}):
            with self.subTest(repr(payload)):
                with self.assertRaises(EventValidationError) as ctx:
                    self.emit(payload=payload)
                self.assertEqual(ctx.exception.field, "payload")
        for bad in ({"source": "\ud800"}, {"correlation_id": 5}, {"source": None}):
            with self.subTest(repr(bad)):
                with self.assertRaises(EventValidationError):
                    self.emit(**bad)
        self.assertEqual(store_files(self.tmp), [])


class WriteTest(StoreTestCase):

    def test_layout_and_name_grammar(self):
        stored = self.emit(timestamp="2026-11-27T00:30:00.5+01:00", node="pi4")
        self.assertEqual(stored["timestamp"], "2026-11-26T23:30:00.500000Z")
        rel = os.path.relpath(stored["path"], self.root)
        self.assertEqual(rel, "2026-11-26/pi4/20261126T233000.500000Z_deployment_started_{}.json".format(stored["id"]))
        check_event_file(self, self.root, stored["path"])
        self.assertEqual(str(uuid.UUID(stored["id"])), stored["id"])
        self.assertEqual(uuid.UUID(stored["id"]).version, 4)

    def test_default_correlation_id_is_the_event_id(self):
        for cid in (None, ""):
            stored = self.emit(correlation_id=cid)
            self.assertEqual(stored["correlation_id"], stored["id"])

    def test_modes_under_a_strict_umask(self):
        old = os.umask(0o077)
        try:
            stored = self.emit()
        finally:
            os.umask(old)
        self.assertEqual(stat.S_IMODE(os.stat(stored["path"]).st_mode), 0o644)
        node_dir = os.path.dirname(stored["path"])
        for d in (node_dir, os.path.dirname(node_dir), self.root):
            self.assertEqual(stat.S_IMODE(os.stat(d).st_mode), 0o755, d)

    def test_node_from_hostname_when_unset(self):
        os.environ.pop("HOMELAB_NODE")
        host = socket.gethostname()
        if not events._NODE_RE.fullmatch(host):
            self.skipTest("this machine's hostname is not a valid node name: " + host)
        self.assertEqual(self.emit()["node"], host)

    def test_relative_store_root_is_refused(self):
        with mock.patch.dict(os.environ, {"HOMELAB_EVENTS_DIR": "relative/dir"}):
            with self.assertRaises(EventValidationError) as ctx:
                self.emit()
        self.assertEqual(ctx.exception.field, "HOMELAB_EVENTS_DIR")

    def test_symlinked_partition_is_refused(self):
        outside = os.path.join(self.tmp, "outside")
        os.makedirs(outside)
        os.makedirs(self.root)
        day = time.strftime("%Y-%m-%d", time.gmtime())
        os.symlink(outside, os.path.join(self.root, day))
        with self.assertRaises(EventWriteError):
            self.emit()
        self.assertEqual(store_files(outside), [])

    def test_existing_name_is_never_replaced(self):
        fixed = uuid.UUID("0b6f7a6e-1d0c-4d8e-9a59-3f2f0c7f4a11")
        first = None
        with mock.patch.object(events.uuid, "uuid4", return_value=fixed):
            first = self.emit(timestamp="2026-11-26T23:47:51.123456Z")
            with open(first["path"], "rb") as f:
                before = f.read()
            with self.assertRaises(EventWriteError):
                self.emit(timestamp="2026-11-26T23:47:51.123456Z", source="other")
        with open(first["path"], "rb") as f:
            self.assertEqual(f.read(), before)
        self.assertEqual(len(store_files(self.root)), 1, "no temp file left")

    def test_default_root_uses_xdg_when_opt_is_not_writable(self):
        if os.path.exists(events.SYSTEM_ROOT):
            self.skipTest("/opt/homelab/events exists on this machine: the default is it")
        code = ("import os; from scripts.lib.events import emit_event, store_root; "
                "e = emit_event('node_online', 'info', 't', 'all', None); print(e['path']); print(store_root())")
        env = self.child_env()
        env.pop("HOMELAB_EVENTS_DIR")
        home = os.path.join(self.tmp, "home")
        xdg = os.path.join(self.tmp, "xdg")
        os.makedirs(home)
        kwargs = {}
        python = sys.executable
        if os.geteuid() == 0:
            # this interpreter may live where nobody cannot run it (e.g. under /root)
            python = shutil.which("python3", path="/usr/bin:/usr/local/bin:/bin") or sys.executable
            # as root /opt is writable: run as nobody so the real rule is exercised without touching /opt
            os.chmod(self.tmp, 0o755)
            os.chown(home, 65534, 65534)
            os.makedirs(xdg)
            os.chown(xdg, 65534, 65534)
            kwargs["preexec_fn"] = lambda: (os.setgroups([]), os.setgid(65534), os.setuid(65534))
        elif events._creatable(events.SYSTEM_ROOT):
            self.skipTest("/opt/homelab/events could be created by this user")
        for xdg_value, expected in ((xdg, os.path.join(xdg, "homelab", "events")),
                                    (None, os.path.join(home, ".local", "share", "homelab", "events"))):
            with self.subTest(XDG_DATA_HOME=xdg_value):
                if xdg_value is None:
                    env.pop("XDG_DATA_HOME", None)
                else:
                    env["XDG_DATA_HOME"] = xdg_value
                try:
                    out = subprocess.run([python, "-c", code], env=env, capture_output=True, text=True,
                                         timeout=60, cwd=TOOLS, **kwargs)
                except PermissionError:
                    self.skipTest("SKIPPED: no Python interpreter that user nobody may run")
                if out.returncode != 0 and "Permission denied" in out.stderr and "scripts" in out.stderr:
                    self.skipTest("SKIPPED: user nobody cannot read " + TOOLS)
                self.assertEqual(out.returncode, 0, out.stderr)
                path, root = out.stdout.splitlines()
                self.assertEqual(root, expected)
                self.assertTrue(path.startswith(expected + os.sep), path)
        self.assertFalse(os.path.exists(events.SYSTEM_ROOT))


class ReadTest(StoreTestCase):

    def write_raw(self, rel, data, mode=0o644):
        path = os.path.join(self.root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
        os.chmod(path, mode)
        return path

    def test_readers_skip_what_is_not_an_event_and_change_nothing(self):
        good = self.emit(timestamp="2026-11-26T10:00:00Z", node="pi4", correlation_id="c1")
        with open(good["path"], "rb") as f:
            valid_line = f.read()
        day = "2026-11-26/pi4/"
        name = "20261126T100000.000000Z_deployment_started_{}.json"
        self.write_raw(day + name.format(uuid.uuid4()), b"")
        self.write_raw(day + name.format(uuid.uuid4()), valid_line[:40])
        self.write_raw(day + name.format(uuid.uuid4()), b"{not json}\n")
        self.write_raw(day + name.format(uuid.uuid4()), b"[1,2,3]\n")
        self.write_raw(day + name.format(uuid.uuid4()), valid_line.replace(b"c1", b"c1\xff\xfe"))
        self.write_raw(day + name.format(uuid.uuid4()), valid_line.replace(b"c1", b"c1\x00"))
        self.write_raw(day + name.format(uuid.uuid4()),
                       valid_line[:-2] + b',"pad":"' + b"x" * (1024 * 1024) + b'"}\n')
        self.write_raw(day + "." + name.format(uuid.uuid4()) + ".tmp", valid_line)
        self.write_raw(day + "notes.txt", valid_line)
        self.write_raw(day + name.format(uuid.uuid4()), valid_line.replace(b'"node":"pi4"', b'"node":"../x"'))
        self.write_raw(day + name.format(uuid.uuid4()), valid_line.replace(b'"info"', b'"INFO"'))
        self.write_raw(day + name.format(uuid.uuid4()), valid_line.replace(b'"t.py"', b'"  "'))
        self.write_raw(day + name.format(uuid.uuid4()),
                       valid_line.replace(b"2026-11-26T10:00:00.000000Z", b"yesterday"))
        self.write_raw(day + name.format(uuid.uuid4()), b'{"a":NaN}\n')
        os.makedirs(os.path.join(self.root, day, "dir.json"))
        os.mkfifo(os.path.join(self.root, day, name.format(uuid.uuid4())))
        outside = os.path.join(self.tmp, "outside.json")
        with open(outside, "wb") as f:
            f.write(valid_line.replace(b"c1", b"c2"))
        os.symlink(outside, os.path.join(self.root, day, name.format(uuid.uuid4())))
        os.symlink(os.path.join(self.root, "2026-11-26"), os.path.join(self.root, "2026-11-25"))
        self.write_raw("2026-11-26/bad_node/" + name.format(uuid.uuid4()), valid_line)
        self.write_raw("2026-11-26/.hidden/" + name.format(uuid.uuid4()), valid_line)
        self.write_raw("not-a-date/pi4/" + name.format(uuid.uuid4()), valid_line)
        before = snapshot(self.root)
        listed = events.list_events(date="2026-11-26")
        self.assertEqual([e["id"] for e in listed], [good["id"]])
        self.assertEqual([e["id"] for e in events.list_events(date="all")], [good["id"]])
        self.assertEqual(events.get_chain("c2"), [])
        self.assertEqual(snapshot(self.root), before)

    def test_foreign_but_valid_files_are_read(self):
        # other field order, an offset, extra fields, an id field, missing correlation id and payload
        declared = str(uuid.uuid4())
        self.write_raw("2026-11-26/pi5/imported.json", json.dumps({
            "payload": {"x": 1}, "id": declared.upper(), "extra": [1], "service": "svc", "source": "sync",
            "severity": "warning", "type": "custom_thing", "node": "pi5", "timestamp": "2026-11-27T00:00:00+01:00",
            "correlation_id": "c9"}, indent=2).encode())
        self.write_raw("2026-11-26/pi5/bare.json", json.dumps({
            "timestamp": "2026-11-26T22:00:00Z", "node": "pi5", "type": "node_online", "severity": "info",
            "source": "s", "service": "all"}).encode())
        listed = events.list_events(date="2026-11-26")
        self.assertEqual([e["timestamp"] for e in listed], ["2026-11-26T22:00:00Z", "2026-11-27T00:00:00+01:00"])
        bare, imported = listed
        self.assertEqual(imported["id"], declared)
        self.assertEqual(imported["extra"], [1])
        # the id of a file whose name has none: Java's UUID.nameUUIDFromBytes(relative path)
        digest = bytearray(hashlib.md5(b"2026-11-26/pi5/bare.json").digest())
        digest[6] = (digest[6] & 0x0F) | 0x30
        digest[8] = (digest[8] & 0x3F) | 0x80
        self.assertEqual(bare["id"], str(uuid.UUID(bytes=bytes(digest))))
        self.assertEqual(bare["correlation_id"], bare["id"])
        self.assertEqual(bare["payload"], {})

    def test_values_are_read_exactly_and_files_that_are_not_unicode_are_skipped(self):
        good = self.emit(timestamp="2026-11-26T10:00:00Z", node="pi4", correlation_id="c1",
                         payload='{"ten": 1.10, "e": 1E2, "z": -0, "huge": 1e400, "big": 123456789012345678901234567890}')
        with open(good["path"], "rb") as f:
            valid_line = f.read()
        self.assertIn(b'"payload":{"ten":1.10,"e":1E2,"z":-0,"huge":1e400,"big":123456789012345678901234567890}}',
                      valid_line)
        day = "2026-11-26/pi4/"
        name = "20261126T100000.000000Z_deployment_started_{}.json"
        # a lone surrogate anywhere, a repeated key: the Java reader reports these files, so they are skipped
        self.write_raw(day + name.format(uuid.uuid4()), valid_line.replace(b'"ten":', b'"s":"x\\ud800y","ten":'))
        self.write_raw(day + name.format(uuid.uuid4()), valid_line.replace(b'"t.py"', b'"t\\udc00"'))
        self.write_raw(day + name.format(uuid.uuid4()), valid_line.replace(b'"ten":1.10', b'"ten":1,"ten":2'))
        # a hand-written node in capitals is the node in lower case; nanoseconds are read (and cut)
        upper = self.write_raw("2026-11-26/PI5/" + name.format(uuid.uuid4()), valid_line.replace(
            b'"node":"pi4"', b'"node":"PI5"').replace(b"10:00:00.000000Z", b"10:00:00.123456789Z"))
        listed = events.list_events(date="2026-11-26")
        self.assertEqual(len(listed), 2, [e["path"] for e in listed])
        mine = next(e for e in listed if e["id"] == good["id"])
        self.assertEqual(events._dumps(mine["payload"]),
                         '{"ten":1.10,"e":1E2,"z":-0,"huge":1e400,"big":123456789012345678901234567890}')
        self.assertEqual(str(mine["payload"]["ten"]), "1.10")
        self.assertEqual(mine["payload"]["ten"], 1.1)
        self.assertEqual(next(e for e in listed if e["path"] == upper)["node"], "pi5")
        self.assertEqual(events.list_events(date="2026-11-26", node="pi5")[0]["path"], upper)

    def test_python_values_are_written_exactly(self):
        import decimal
        stored = self.emit(payload={"f": 0.1, "big": 2 ** 70, "d": decimal.Decimal("1.10"), "e": decimal.Decimal("1E+2"),
                                    "j": events.JsonNumber("-0.0"), "b": True, "n": None, "s": "\u00e9\U0001F600\x1b"})
        with open(stored["path"], "rb") as f:
            raw = f.read()
        self.assertIn('"payload":{"f":0.1,"big":1180591620717411303424,"d":1.10,"e":1E+2,"j":-0.0,"b":true,"n":null,'
                      '"s":"\u00e9\U0001F600\\u001b"}}\n'.encode("utf-8"), raw)
        for bad in (float("inf"), float("nan"), decimal.Decimal("NaN"), decimal.Decimal("Infinity")):
            with self.assertRaises(EventValidationError) as ctx:
                self.emit(payload={"x": bad})
            self.assertEqual(ctx.exception.field, "payload")
        with self.assertRaises(ValueError):
            events.JsonNumber("1.")

    def test_filters_order_chain_and_latest_remediation(self):
        t = "2026-11-26T23:47:51.000000Z"
        a = self.emit(timestamp=t, node="pi5", correlation_id="deploy-882", event_type="deployment_failed",
                      service="mosquitto", severity="error")
        b = self.emit(timestamp=t, node="pi4", correlation_id="deploy-882", event_type="deployment_started",
                      service="mosquitto")
        c = self.emit(timestamp="2026-11-27T00:10:00Z", node="pi4", correlation_id="deploy-882",
                      event_type="remediation_started", service="mosquitto", severity="warning")
        d = self.emit(timestamp="2026-11-27T00:20:00Z", node="pi5", correlation_id="other",
                      event_type="remediation_started", service="ollama")
        self.assertEqual([e["id"] for e in events.list_events(date="2026-11-26")], [b["id"], a["id"]])
        self.assertEqual([e["id"] for e in events.list_events(date="2026-11-26", node="pi5")], [a["id"]])
        self.assertEqual([e["id"] for e in events.list_events(date="all", event_type="remediation_started")],
                         [c["id"], d["id"]])
        self.assertEqual([e["id"] for e in events.list_events(date="all", service="ollama")], [d["id"]])
        self.assertEqual([e["id"] for e in events.list_events(date="all", severity="error")], [a["id"]])
        self.assertEqual([e["id"] for e in events.get_chain("deploy-882")], [b["id"], a["id"], c["id"]])
        self.assertIsNone(events.latest_remediation("redis"))
        latest = events.latest_remediation("mosquitto")
        self.assertEqual(latest["started"]["id"], c["id"])
        self.assertIsNone(latest["completed"])
        self.emit(timestamp="2026-11-27T00:15:00Z", correlation_id="unrelated",
                  event_type="remediation_completed", service="mosquitto")
        self.assertIsNone(events.latest_remediation("mosquitto")["completed"])
        done = self.emit(timestamp="2026-11-27T00:30:00Z", correlation_id="deploy-882",
                         event_type="remediation_completed", service="mosquitto")
        self.assertEqual(events.latest_remediation("mosquitto")["completed"]["id"], done["id"])
        today = self.emit()
        self.assertIn(today["id"], [e["id"] for e in events.list_events()])
        with self.assertRaises(EventValidationError):
            events.list_events(date="../x")


class RemediationPairingTest(StoreTestCase):
    """tests/vectors.json "remediation_pairing": steps paired exactly as the server pairs them."""

    def write_cases(self):
        for case in VECTORS["remediation_pairing"]:
            for event in case["events"]:
                path = os.path.join(self.root, event["path"])
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(path, "w", encoding="utf-8") as f:
                    f.write(event["file"])

    def test_latest_remediation_pairs_like_the_server(self):
        self.write_cases()
        self.assertGreaterEqual(len(VECTORS["remediation_pairing"]), 20)
        for case in VECTORS["remediation_pairing"]:
            with self.subTest(case["name"]):
                latest = events.latest_remediation(case["service"])
                self.assertIsNotNone(latest)
                got = {"started": latest["started"]["id"],
                       "completed": latest["completed"]["id"] if latest["completed"] else None}
                self.assertEqual(got, case["latest"])

    def test_every_step_is_paired_like_the_server(self):
        self.write_cases()
        for case in VECTORS["remediation_pairing"]:
            with self.subTest(case["name"]):
                steps = [[s["id"] if s else None, c["id"] if c else None]
                         for s, c in events._remediation_steps(case["service"])]
                self.assertEqual(sorted(steps, key=str), sorted(case["steps"], key=str))

    def test_ties_are_ordered_by_node_then_by_the_servers_id_order(self):
        self.write_cases()
        tie = next(c for c in VECTORS["remediation_pairing"] if "id order" in c["name"])
        ids = [e["id"] for e in events.list_events(date="all", service=tie["service"])]
        # java.util.UUID.compareTo: 9a... is a negative most significant half, so it comes first
        self.assertEqual(ids, [e["id"] for e in tie["events"]])
        self.assertTrue(ids[0] > ids[1], "the order is not the ids' text order")


class ProcessTest(StoreTestCase):
    """Several processes, crashes and injected faults."""

    WRITER = ("import sys; from scripts.lib.events import emit_event\n"
              "for i in range(int(sys.argv[1])):\n"
              "    e = emit_event('deployment_started', 'info', 'w' + sys.argv[2], 'svc', 'c-' + sys.argv[2],\n"
              "                   {'i': i, 'pad': 'x' * 2000})\n"
              "    print(e['id'], flush=True)\n")

    def test_concurrent_processes_each_event_once(self):
        procs = [subprocess.Popen([sys.executable, "-c", self.WRITER, "60", str(n)], env=self.child_env(),
                                  stdout=subprocess.PIPE, text=True, cwd=TOOLS) for n in range(4)]
        ids = []
        for p in procs:
            out, _ = p.communicate(timeout=120)
            self.assertEqual(p.returncode, 0)
            ids += out.split()
        self.assertEqual(len(ids), 240)
        self.assertEqual(len(set(ids)), 240)
        files = store_files(self.root)
        self.assertEqual(len(files), 240, "one file per event, no temp file left")
        self.assertEqual(sorted(NAME_RE.fullmatch(os.path.basename(f)).group("id") for f in files), sorted(ids))
        for f in files:
            check_event_file(self, self.root, os.path.join(self.root, f))
        self.assertEqual(len(events.list_events(date="all")), 240)

    def test_sigkill_at_random_points_leaves_no_partial_event(self):
        rng = random.Random(4)
        acknowledged = set()
        for _ in range(12):
            p = subprocess.Popen([sys.executable, "-c", self.WRITER, "100000", "k"], env=self.child_env(),
                                 stdout=subprocess.PIPE, text=True, cwd=TOOLS)
            time.sleep(rng.uniform(0.15, 0.5))
            p.send_signal(signal.SIGKILL)
            out, _ = p.communicate(timeout=30)
            acknowledged.update(line for line in out.split("\n")[:-1] if line)
        finals = [f for f in store_files(self.root) if not os.path.basename(f).startswith(".")]
        self.assertGreater(len(finals), 0)
        for f in finals:
            check_event_file(self, self.root, os.path.join(self.root, f))
        ids = {NAME_RE.fullmatch(os.path.basename(f)).group("id") for f in finals}
        self.assertTrue(acknowledged <= ids, "every acknowledged event is on disk")

    def strace(self):
        path = shutil.which("strace")
        if not path:
            self.skipTest("SKIPPED: strace is not installed (apt-get install strace) - fsync fault injection not run")
        probe = subprocess.run([path, "-f", "-qq", "-o", os.devnull, "true"], capture_output=True)
        if probe.returncode != 0:
            self.skipTest("SKIPPED: strace cannot trace here (ptrace not permitted)")
        return path

    def test_failed_fsync_is_final(self):
        strace = self.strace()
        code = ("from scripts.lib.events import emit_event\n"
                "try:\n    emit_event('deployment_started', 'info', 't', 'svc', 'c')\n"
                "except OSError as e:\n    print('FAILED', e)\n    raise SystemExit(3)\n")
        day = time.strftime("%Y-%m-%d", time.gmtime())
        node_dir = os.path.join(self.root, day, VECTORS["default_node"])
        # 1: the file fsync fails (new directories: their fsyncs fail first, same outcome)
        # 2: the directories exist, so the 1st fsync is the file's and the 2nd the directory's
        for when, precreate in (("1+", False), ("1", True), ("2", True)):
            with self.subTest(when=when):
                if precreate:
                    os.makedirs(node_dir, exist_ok=True)
                out = subprocess.run([strace, "-f", "-qq", "-o", os.devnull, "-e", "trace=fsync",
                                      "-e", "inject=fsync:error=EIO:when=" + when, sys.executable, "-c", code],
                                     env=self.child_env(), capture_output=True, text=True, timeout=60, cwd=TOOLS)
                self.assertEqual(out.returncode, 3, out.stdout + out.stderr)
                self.assertIn("Input/output error", out.stdout)
                self.assertEqual([f for f in store_files(self.tmp)], [], "no final and no temp file")
        # without injection the same call succeeds
        out = subprocess.run([sys.executable, "-c", code], env=self.child_env(), capture_output=True, text=True,
                             timeout=60, cwd=TOOLS)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)

    def test_disk_full_and_read_only_store_fail_cleanly_and_recover(self):
        if os.geteuid() != 0:
            self.skipTest("SKIPPED: not root, cannot mount a small tmpfs for the disk-full and read-only cases")
        mnt = os.path.join(self.tmp, "small")
        os.makedirs(mnt)
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k,nr_inodes=400", "tmpfs", mnt], capture_output=True)
        if r.returncode != 0:
            self.skipTest("SKIPPED: cannot mount a tmpfs here: " + r.stderr.decode(errors="replace"))
        self.addCleanup(subprocess.run, ["umount", mnt])
        root = os.path.join(mnt, "store")
        os.environ["HOMELAB_EVENTS_DIR"] = root
        first = self.emit()
        try:
            with open(os.path.join(mnt, "filler"), "wb") as f:
                f.write(b"\0" * (1024 * 1024))
        except OSError:
            pass
        with self.assertRaises(EventWriteError) as ctx:
            self.emit(payload={"pad": "p" * 5000})
        self.assertEqual(ctx.exception.errno, errno.ENOSPC)
        self.assertEqual(store_files(root), [os.path.relpath(first["path"], root)], "no new file, no temp file")
        self.assertEqual(len(events.list_events()), 1, "reads keep working")
        os.unlink(os.path.join(mnt, "filler"))
        self.emit()  # recovers without a restart
        subprocess.run(["mount", "-o", "remount,ro", mnt], check=True)
        try:
            with self.assertRaises(EventWriteError) as ctx:
                self.emit()
            self.assertEqual(ctx.exception.errno, errno.EROFS)
            self.assertEqual(len(events.list_events()), 2)
        finally:
            subprocess.run(["mount", "-o", "remount,rw", mnt], check=True)
        self.emit()
        self.assertEqual(len(store_files(root)), 3)

    def test_unwritable_store_fails_cleanly(self):
        if os.geteuid() == 0:
            self.skipTest("root ignores directory permissions")
        os.makedirs(self.root)
        os.chmod(self.root, 0o555)
        with self.assertRaises(EventWriteError):
            self.emit()
        self.assertEqual(store_files(self.root), [])


class _Handler(http.server.BaseHTTPRequestHandler):
    server_version = "hle-test"

    def log_message(self, *args):
        pass

    def do_POST(self):
        srv = self.server
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        srv.requests.append((self.path, dict(self.headers), body))
        status, answer = srv.reply(json.loads(body.decode("utf-8")), self.headers)
        data = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class ServerModeTest(StoreTestCase):

    def start_server(self, reply):
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        server.requests = []
        server.reply = reply
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        os.environ["HOMELAB_EVENTS_URL"] = "http://127.0.0.1:{}/".format(server.server_address[1])
        os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"
        return server

    def test_posts_the_event_with_the_token(self):
        server_id = str(uuid.uuid4())

        def reply(body, headers):
            if headers.get("Authorization") != "Bearer s3cret":
                return 401, {"title": "Unauthorized"}
            return 201, dict(body, id=server_id, correlation_id=body.get("correlation_id", server_id))

        server = self.start_server(reply)
        os.environ["HOMELAB_EVENTS_TOKEN"] = "s3cret"
        stored = self.emit(correlation_id=None, payload={"a": "\u00e9\n"})
        self.assertEqual(stored["id"], server_id)
        path, headers, body = server.requests[0]
        self.assertEqual(path, "/api/events")
        self.assertEqual(headers["Content-Type"], "application/json")
        sent = json.loads(body.decode("utf-8"))
        self.assertEqual(list(sent), ["id", "timestamp", "node", "type", "severity", "source", "service", "payload"])
        self.assertEqual(sent["payload"], {"a": "\u00e9\n"})
        # numbers reach the server as written
        self.emit(correlation_id="exact", payload='{"ten": 1.10, "z": -0}')
        self.assertIn(b'"payload":{"ten":1.10,"z":-0}}', server.requests[1][2])
        server.requests.pop()
        self.assertRegex(sent["timestamp"], TS_RE)
        self.assertEqual(store_files(self.tmp), [], "nothing written locally")
        self.emit(correlation_id="given")
        self.assertEqual(json.loads(server.requests[1][2])["correlation_id"], "given")
        os.environ["HOMELAB_EVENTS_TOKEN"] = "wrong"
        with self.assertRaises(EventWriteError):
            self.emit()
        self.assertEqual(store_files(self.tmp), [])

    def test_validation_error_from_server_is_raised_not_written(self):
        self.start_server(lambda body, headers: (400, {
            "title": "Invalid input", "status": 400, "detail": "service: is required",
            "errors": [{"field": "service", "value": "x", "message": "bad"}]}))
        with self.assertRaises(EventValidationError) as ctx:
            self.emit()
        self.assertEqual(ctx.exception.field, "service")
        self.assertEqual(store_files(self.tmp), [])

    def test_server_error_falls_back_to_local_file(self):
        server = self.start_server(lambda body, headers: (503, {"title": "Store unavailable"}))
        stored = self.emit()
        self.assertEqual(len(server.requests), 1)
        check_event_file(self, self.root, stored["path"])

    def test_closed_port_falls_back_to_local_file(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        os.environ["HOMELAB_EVENTS_URL"] = "http://127.0.0.1:{}".format(port)
        stored = self.emit(payload={"k": 1})
        check_event_file(self, self.root, stored["path"], {"payload": {"k": 1}})
        self.assertEqual([e["id"] for e in events.list_events()], [stored["id"]])


class ChosenIdTest(StoreTestCase):
    """Ids: generated before the server is called, reused by the fallback, chosen by a caller."""

    start_server = ServerModeTest.start_server

    def test_a_chosen_id_is_idempotent_locally_and_other_content_is_a_conflict(self):
        chosen = str(uuid.uuid4())
        first = self.emit(event_id=chosen.upper(), payload={"n": 1})
        self.assertEqual(first["id"], chosen)
        self.assertEqual(self.emit(event_id=chosen, payload={"n": 1.0})["path"], first["path"])
        with self.assertRaises(events.EventConflictError) as ctx:
            self.emit(event_id=chosen, payload={"n": 2})
        self.assertEqual(ctx.exception.field, "id")
        self.assertIn("payload", str(ctx.exception))
        with self.assertRaises(EventValidationError) as bad:
            self.emit(event_id="deploy-1")
        self.assertEqual(bad.exception.field, "id")
        self.assertEqual(len(store_files(self.root)), 1)

    def test_the_fallback_finds_what_a_failing_server_stored_under_the_id(self):
        written = []

        def reply(body, headers):
            # stores the event under its own node and clock, then fails the answer
            stamp = time.strftime("%Y%m%dT%H%M%S.000001Z", time.gmtime())
            day = time.strftime("%Y-%m-%d", time.gmtime())
            folder = os.path.join(self.root, day, "server-node")
            os.makedirs(folder, exist_ok=True)
            path = os.path.join(folder, "{}_{}_{}.json".format(stamp, body["type"], body["id"]))
            event = {k: body[k] for k in ("type", "severity", "source", "service")}
            with open(path, "w", encoding="utf-8") as f:
                json.dump(dict({"timestamp": time.strftime("%Y-%m-%dT%H:%M:%S.000001Z", time.gmtime()),
                                "node": "server-node"}, **event,
                               correlation_id=body.get("correlation_id", body["id"]),
                               payload=body["payload"]), f)
            written.append(body["id"])
            return 503, {"title": "Store unavailable"}

        self.start_server(reply)
        stored = self.emit()
        self.assertEqual([stored["id"]], written, "the id sent is the id returned")
        self.assertEqual(stored["node"], "server-node", "the server's copy is the event")
        self.assertEqual(len(store_files(self.root)), 1, "no second file")

    def test_a_chosen_id_goes_without_the_default_timestamp(self):
        server = self.start_server(lambda body, headers: (201, dict(body, correlation_id="c")))
        chosen = str(uuid.uuid4())
        self.emit(event_id=chosen)
        sent = json.loads(server.requests[0][2])
        self.assertEqual(sent["id"], chosen)
        self.assertNotIn("timestamp", sent, "the server stamps it, so a retry matches")
        self.emit(event_id=chosen, timestamp="2026-01-02T03:04:05Z")
        self.assertEqual(json.loads(server.requests[1][2])["timestamp"], "2026-01-02T03:04:05.000000Z")

    def test_a_conflict_from_the_server_raises_and_writes_nothing(self):
        self.start_server(lambda body, headers: (409, {
            "title": "Conflict", "status": 409, "detail": "id: is already stored with different content",
            "errors": [{"field": "id", "value": body["id"], "message": "x"}]}))
        with self.assertRaises(events.EventConflictError) as ctx:
            self.emit(event_id=str(uuid.uuid4()))
        self.assertEqual(ctx.exception.field, "id")
        self.assertEqual(store_files(self.tmp), [])


class StepLockTest(StoreTestCase):
    """record_remediation: the server's open rule, and the start marker shared with Java and bash."""

    def record(self, phase, **kw):
        args = dict(correlation_id="deploy-882", service="mosquitto", action="restart_service",
                    actor="agent", step="restart-mosquitto")
        args.update(kw)
        return events.record_remediation(phase, **args)

    def marker(self, run, suffix=""):
        key = hashlib.sha256("deploy-882\0mosquitto\0restart-mosquitto".encode()).hexdigest()
        return os.path.join(self.root, ".locks", "remediation", "{}.{}{}".format(key, run, suffix))

    def test_the_key_is_the_one_java_and_bash_use(self):
        self.assertEqual(events._step_lock_key("deploy-882", "mosquitto", "restart-mosquitto"),
                         "e81d637efe8bf2d368cc7610c5d77c5401681e49ac5d26d0028a7946ce37a4f5")

    def test_an_open_step_is_refused_and_a_completed_one_starts_again(self):
        started = self.record("start")
        self.assertTrue(os.path.exists(self.marker(0)))
        with open(self.marker(0), encoding="utf-8") as f:
            self.assertEqual(json.loads(f.read())["event_id"], started["id"])
        with self.assertRaises(events.EventConflictError) as ctx:
            self.record("start", actor="other-agent")
        self.assertEqual(ctx.exception.field, "step")
        self.assertIn("already open", str(ctx.exception))
        self.record("start", service="zigbee2mqtt")  # another service's step
        done = self.record("complete", note="answers again")
        self.assertEqual(done["started_event_id"], started["id"])
        with self.assertRaises(EventValidationError):
            self.record("complete")
        again = self.record("start")
        self.assertTrue(os.path.exists(self.marker(1)))
        self.assertNotEqual(again["id"], started["id"])
        stored = [e for e in events.get_chain("deploy-882") if e["id"] == done["id"]][0]
        self.assertEqual(list(stored["payload"]),
                         ["action", "step", "actor", "result", "started_event_id", "note"], "the server's order")

    def test_a_retry_with_the_same_id_returns_the_recorded_step(self):
        chosen = str(uuid.uuid4())
        first = self.record("start", event_id=chosen)
        self.assertEqual(self.record("start", event_id=chosen)["path"], first["path"])
        with self.assertRaises(events.EventConflictError):
            self.record("start", event_id=chosen, action="other_action", step="restart-mosquitto")
        self.assertEqual(len([e for e in events.get_chain("deploy-882")]), 1)

    def test_a_young_claim_holds_an_abandoned_one_is_taken_over_once(self):
        os.makedirs(os.path.dirname(self.marker(0)))
        dead = str(uuid.uuid4())
        with open(self.marker(0), "w", encoding="utf-8") as f:
            f.write(json.dumps({"event_id": dead}) + "\n")
        with self.assertRaises(events.EventConflictError):
            self.record("start")  # its writer may still be writing
        old = time.time() - events.STEP_LOCK_STALE_SECONDS - 5
        os.utime(self.marker(0), (old, old))
        taken = self.record("start")  # its writer died before the event: taken over
        with open(self.marker(0, "." + dead), encoding="utf-8") as f:
            self.assertEqual(json.loads(f.read())["event_id"], taken["id"])
        self.assertEqual(len(events.get_chain("deploy-882")), 1)

    def test_a_failed_write_releases_the_claim(self):
        with mock.patch.object(events, "_write_event_file", side_effect=OSError(errno.ENOSPC, "No space left")):
            with self.assertRaises(EventWriteError):
                self.record("start")
        self.assertFalse(os.path.exists(self.marker(0)), "the step can be started at once")
        self.record("start")


if __name__ == "__main__":
    unittest.main()
