#!/usr/bin/env python3
"""Generates tests/vectors.json, the shared test vectors of the three writers (Java, bash, Python).

Edit this file, then run ``python3 tools/tests/make_vectors.py`` and commit both files.

Schema of vectors.json:

- ``custom_types``: the custom types every writer under test is configured with
  (``HOMELAB_EVENTS_CUSTOM_TYPES`` for the libraries, the validator's list in Java).
- ``default_node``: the node used when a vector gives none (``HOMELAB_NODE``).
- ``valid``: ``{"name", "event", "expect"?, "writers"?, "stored"}``. ``event`` holds the arguments
  (``type``, ``severity``, ``source``, ``service`` and optional ``correlation_id``, ``payload``,
  ``payload_json``, ``node``, ``timestamp``). A missing ``correlation_id`` means "the event's own id",
  a missing ``payload`` means ``{}``. ``payload_json`` is the payload as text, the exact input of the
  writers that take text (bash, and the server's REST body); ``payload`` is the same as a JSON value
  for the writers that take one (Python). A vector written as text (``payload_text`` in make_vectors.py,
  for number forms a parser would change) has ``payload_as_text: true`` and no ``payload``: every
  writer gets ``payload_json`` (Python's ``emit_event`` takes JSON text and keeps its numbers).
  ``expect`` overrides stored values that differ from the input (``timestamp``: the
  normalized UTC form). ``stored`` is the exact file every writer must write, bytes for bytes, with
  ``<TIMESTAMP>`` standing for the write time when the vector gives no timestamp and ``<ID>`` for the
  event id when it gives no correlation id.
- ``known_divergent``: ``{"name", "writers", "why"}``: valid vectors that some writers do not yet store
  as ``stored`` says (the tests report them and fail once they match, so the list only shrinks).
- ``invalid``: ``{"name", "event", "field", "writers"?}``: ``field`` is the one field every writer
  must name when it refuses the event. ``event.payload_text`` (instead of ``payload``) is raw text
  (not valid JSON, or JSON that must be refused: a repeated key, a lone surrogate): every writer is
  given the text as is (a parse error in Java counts as refused).
- ``writers``: which writers a vector applies to (default all three: ``java``, ``bash``,
  ``python``). Bash takes no timestamp and cannot hold a NUL character in an argument.
"""

import json
import os
import re

DEFAULT_NODE = "vectors-node"
ALL = ["java", "bash", "python"]
NO_BASH = ["java", "python"]

HOSTILE_PAYLOAD = {
    "quote": "a\"b 'c' `d`",
    "backslash": "C:\\path\\to\\x \\u0041 \\n",
    "newline": "line1\nline2\r\nline3",
    "tab": "a\tb",
    "del_and_c1": "\u007f\u0080\u0085\u009f",
    "nul": "a\u0000b",
    "rtl": "\u05e9\u05dc\u05d5\u05dd \u05e2\u05d5\u05dc\u05dd \u0645\u0631\u062d\u0628\u0627",
    "bidi_controls": "\u202eevil\u202c \u2066x\u2069 \u200e\u200f\u061c",
    "separators": "a\u2028b\u2029c",
    "bom_and_zwsp": "\ufeff\u200b",
    "html": "<script>alert('x')</script>&amp;",
    "shell": "$(rm -rf /) ; | && $HOME ${x} *",
    "json_in_string": "{\"payload\":[1,2]}",
    "path": "../../etc/passwd %2e%2e/",
    "empty": "",
    "unicode_key_\u00e9\u4e2d": "\u00fc",
    "literals": [True, False, None],
    "nested": {"a": [{"b": []}, {}, [[]]]},
}


def deep(levels):
    """An object nested ``levels`` deep in total (the payload object itself is level 1)."""
    node = {}
    for _ in range(levels - 1):
        node = {"d": node}
    return node


def sized(total):
    """A payload of exactly ``total`` bytes of compact JSON."""
    overhead = len(json.dumps({"d": ""}, separators=(",", ":")))
    return {"d": "x" * (total - overhead)}


def base(**overrides):
    event = {"type": "deployment_started", "severity": "info", "source": "deploy.sh",
             "service": "mosquitto", "correlation_id": "deploy-882"}
    event.update(overrides)
    return event


VALID = [
    {"name": "specification example",
     "event": base(source="my-script.sh", correlation_id="unique-cid", payload={"version": "1.0"})},
    {"name": "hostile strings in the payload",
     "event": base(type="deployment_failed", severity="error", payload=HOSTILE_PAYLOAD)},
    {"name": "hostile but allowed source, service and correlation id",
     "event": base(source="deploy \"v2\" 'q' $(x) ;|&<>*? ~ %2e%2e ..",
                   service="mosquitto \u00e9 \u05e9\u05dc\u05d5\u05dd \u2603",
                   correlation_id="c\"i\\d/../x %2e%2e \u00a0 \u2708 <b>&",
                   payload={"k": "v"})},
    {"name": "characters beyond the BMP (emoji) in the payload",
     "event": base(payload={"emoji": "\U0001F600\U0001F680 \U0001F468\u200D\U0001F469\u200D\U0001F467",
                            "key_\U0001F600": "\U00010348"})},
    {"name": "control characters in payload strings",
     "event": base(type="deployment_failed", severity="error",
                   payload={"controls": "\u0001\u0002\u0007\u0008\u000b\u000c\u001b\u001f",
                            "short_escapes": "\b\t\n\f\r"})},
    {"name": "numbers as JSON writes them",
     "event": base(payload={"numbers": [0, -1, 1.5, -3e-07, 1e+300, 9007199254740993, 12345678901234567890]})},
    {"name": "number text is kept exactly",
     "event": dict(base(), payload_text='{ "ten": 1.10, "e": 1E2, "neg_zero": -0, "exp": 2.50e-3,\n'
                                        '  "digits": 12345678901234567890.123456789012345 }')},
    {"name": "every awkward number is stored as written",
     "event": dict(base(), payload_text='{"ten": 1.10, "E2": 1E2, "e2": 1e2, "neg_zero": -0, "neg_zero_f": -0.0,\n'
                                        ' "digits35": 12345678901234567890.123456789012345, "huge": 1e400,\n'
                                        ' "tiny": 1e-400, "int30": 123456789012345678901234567890,\n'
                                        ' "nested": [1E-7, {"x": -1e400, "y": 0.0}], "plain": [0, -1, 1.5, 100]}')},
    {"name": "non-ASCII names",
     "event": base(type="service_unhealthy", severity="warning",
                   source="\u76e3\u8996-\U0001F600", service="\u30b5\u30fc\u30d3\u30b9",
                   correlation_id="\u00dcn\u00efc\u00f6d\u00e9-\U0001F600")},
    {"name": "names at 128 code points (emoji are 4 bytes each)",
     "event": base(source="s" * 128, service="\U0001F600" * 128, correlation_id="\U0001F680" * 128)},
    {"name": "leading and trailing spaces and a no-break space are not blank",
     "event": base(source=" deploy.sh ", service="\u00a0")},
    {"name": "correlation id omitted means the event's own id",
     "event": {"type": "remediation_started", "severity": "warning", "source": "diagnostics.sh",
               "service": "mosquitto"}},
    {"name": "payload omitted means an empty object",
     "event": {"type": "node_online", "severity": "info", "source": "heartbeat", "service": "all",
               "correlation_id": "hb-1"}},
    {"name": "every normalized type and severity (critical)",
     "event": base(type="remediation_completed", severity="critical")},
    {"name": "healthcheck_failed",
     "event": base(type="healthcheck_failed", severity="error", payload={"port": 1883})},
    {"name": "node_offline", "event": base(type="node_offline", severity="critical")},
    {"name": "service_recovered", "event": base(type="service_recovered")},
    {"name": "deployment_completed", "event": base(type="deployment_completed")},
    {"name": "custom type from configuration", "event": base(type="backup_completed")},
    {"name": "fully qualified node name", "event": base(node="pi4.home.arpa")},
    {"name": "node with a 63-character label and digits",
     "event": base(node="n" * 63 + ".0-9.x")},
    {"name": "node of 253 characters", "event": base(node=".".join(["a" * 63] * 3 + ["b" * 61]))},
    {"name": "payload nested 16 levels", "event": base(payload=deep(16))},
    {"name": "payload of exactly 65536 bytes", "event": base(payload=sized(65536))},
    {"name": "timestamp with an offset is normalized to UTC (and to the previous UTC date)",
     "event": base(timestamp="2026-01-01T00:30:00+01:00"),
     "expect": {"timestamp": "2025-12-31T23:30:00.000000Z"}, "writers": NO_BASH},
    {"name": "timestamp with exactly microseconds",
     "event": base(timestamp="2026-11-26T23:47:51.123456Z"),
     "expect": {"timestamp": "2026-11-26T23:47:51.123456Z"}, "writers": NO_BASH},
    {"name": "node names are stored in lower case", "event": base(node="PI4.Home-Lab"),
     "expect": {"node": "pi4.home-lab"}},
    {"name": "one script per word, several scripts per name",
     "event": base(source="mosquitto-\u0441\u0435\u0440\u0432\u0435\u0440",
                   service="\u03b1\u03b2\u03b3 abc caf\u00e9 cafe\u0301",
                   correlation_id="\u76e3\u8996abc-\u0434\u0435\u043f\u043b\u043e\u0439")},
    {"name": "emoji sequences with joiners are fine in the payload",
     "event": base(payload={"family": "\U0001F468\u200D\U0001F469\u200D\U0001F467", "zwsp": "a\u200bb",
                            "bom": "\ufeff"})},
    {"name": "timestamp without fraction",
     "event": base(timestamp="2026-11-26T23:47:51Z"),
     "expect": {"timestamp": "2026-11-26T23:47:51.000000Z"}, "writers": NO_BASH},
    {"name": "old timestamp is accepted",
     "event": base(timestamp="1999-12-31T23:59:59.999999-05:00"),
     "expect": {"timestamp": "2000-01-01T04:59:59.999999Z"}, "writers": NO_BASH},
]

INVALID = []


def bad(field, name, writers=None, **overrides):
    vector = {"name": name, "event": base(**overrides), "field": field}
    if writers:
        vector["writers"] = writers
    INVALID.append(vector)


for value, why in [("", "empty"), ("Deployment_started", "capital letter"), ("bogus", "unknown"),
                   ("../x", "path traversal"), ("a/b", "slash"), ("%2e%2e", "encoded dots"),
                   ("x\\y", "backslash"), ("a" * 300, "300 characters"),
                   ("deployment_started\u202e", "right-to-left override"),
                   ("backup_failed", "custom type that is not configured"),
                   ("deployment started", "space")]:
    bad("type", "type: " + why, type=value)
bad("type", "type: NUL", NO_BASH, type="deployment_started\u0000")

for value, why in [("INFO", "upper case"), ("fatal", "unknown"), ("", "empty"), ("info ", "trailing space")]:
    bad("severity", "severity: " + why, severity=value)

# Invisible format characters (Unicode Cf) and separators: names that look the same must be the same.
FORMAT_CHARACTERS = [("mos\u200bquitto", "zero-width space"), ("\ufeffmosquitto", "byte order mark"),
                     ("mos\u200dquitto", "zero-width joiner"), ("mos\u200cquitto", "zero-width non-joiner"),
                     ("mos\u2060quitto", "word joiner"), ("mos\u00adquitto", "soft hyphen"),
                     ("mosquitto\u2029", "paragraph separator"), ("a\u2028b", "line separator"),
                     ("mosquitto\U000E0041", "tag character"), ("mos\u180equitto", "Mongolian vowel separator"),
                     ("\u0600x", "Arabic number sign"), ("x\ufff9", "interlinear annotation")]
# Latin, Greek and Cyrillic letters side by side inside a word: the classic look-alike spoof.
LOOK_ALIKES = [("m\u043esquitto", "Cyrillic o in a Latin word"), ("p\u0430ypal", "Cyrillic a in a Latin word"),
               ("dep\u03bfy", "Greek omicron in a Latin word"), ("\u0441\u0435\u0440\u0432\u0435r", "Latin r in a Cyrillic word"),
               ("mo\u0301\u043esquitto", "a combining mark does not separate")]

for field in ("source", "service"):
    for value, why in [("", "empty"), ("   ", "blank"), ("\u2003\u3000", "blank (Unicode spaces)"),
                       ("\u2028", "blank (line separator)"), ("\t", "tab"), ("a/b", "slash"),
                       ("../x", "path traversal"), ("..\\x", "backslash"), ("s" * 129, "129 characters"),
                       ("\U0001F600" * 129, "129 emoji"), ("a" * 300, "300 characters"),
                       ("a\u202eb", "right-to-left override"), ("a\u200fb", "right-to-left mark"),
                       ("a\u2066b", "bidi isolate"), ("a\u061cb", "Arabic letter mark"),
                       ("a\nb", "newline"), ("a\rb", "carriage return"), ("a\u001bb", "escape"),
                       ("a\u007fb", "DEL"), ("a\u0085b", "C1 control"), ("a\u009fb", "C1 control (last)")] \
            + FORMAT_CHARACTERS + LOOK_ALIKES:
        bad(field, "{}: {}".format(field, why), **{field: value})
    bad(field, field + ": NUL", NO_BASH, **{field: "a\u0000b"})
    bad(field, field + ": lone surrogate", NO_BASH, **{field: "x\ud800y"})

for value, why in [("c" * 129, "129 characters"), ("\U0001F680" * 129, "129 emoji"), ("a\rb", "carriage return"),
                   ("a\nb", "newline"), ("a\u202eb", "right-to-left override"), ("a\u009fb", "C1 control"),
                   ("a\u2069", "pop directional isolate"), ("a\tb", "tab"), ("   ", "blank"),
                   ("\u3000", "blank (ideographic space)")] + FORMAT_CHARACTERS + LOOK_ALIKES:
    bad("correlation_id", "correlation_id: " + why, correlation_id=value)
bad("correlation_id", "correlation_id: NUL", NO_BASH, correlation_id="a\u0000b")
bad("correlation_id", "correlation_id: lone surrogate", NO_BASH, correlation_id="\udc00")

for value, why in [("../x", "path traversal"), ("a/b", "slash"), ("%2e%2e", "encoded dots"),
                   ("a\\b", "backslash"), ("x" * 300, "300 characters"), ("-pi4", "leading hyphen"),
                   ("pi4-", "trailing hyphen"), ("pi_4", "underscore"), ("a..b", "empty label"),
                   (".", "dot"), ("..", "dot dot"), (".pi4", "leading dot (hidden directory)"),
                   ("pi4.", "trailing dot"), ("pi4\u202e", "right-to-left override"),
                   ("n" * 64, "64-character label"), ("\u00fc-node", "non-ASCII"), ("pi 4", "space"),
                   (".".join(["a" * 63] * 4), "254 characters"), ("pi4\n", "newline")]:
    bad("node", "node: " + why, node=value)
bad("node", "node: empty", NO_BASH, node="")
bad("node", "node: NUL", NO_BASH, node="pi\u00004")

for value, why in [([1, 2], "array"), ("text", "string"), (42, "number"), (True, "boolean"),
                   (deep(17), "nested 17 levels"), ({"a": [[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]}, "array nested to 17 levels"),
                   (sized(65537), "65537 bytes")]:
    bad("payload", "payload: " + why, payload=value)
for text, why in [('{"a":NaN}', "NaN"), ('{"a":01}', "leading zero"), ('{"a":1,}', "trailing comma"),
                  ("{'a':1}", "single quotes"), ('{"a":"\\x"}', "bad escape"), ('{} {}', "two objects"),
                  ('{"a":1', "truncated"), ('{"a":"raw\ttab"}', "raw tab in a string"),
                  ('{"a" "b"}', "missing colon"), ('{"a":tru}', "bad literal"), ('{"a":"\\u12"}', "short \\u escape"),
                  ('{"a":1}}', "extra brace"), ('{"a":-}', "lone minus"), ('{"a":.5}', "no integer part"),
                  ('// c\n{"a":1}', "comment"), ('{"a":Infinity}', "Infinity"), ('{"a":-Infinity}', "minus Infinity"),
                  ('{"a":1,"a":2}', "repeated key"), ('{"o":{"k":1,"k":2}}', "repeated key in a nested object"),
                  ('{"a":1,"\\u0061":2}', "repeated key written with an escape"),
                  ('{"a":"x\\ud800y"}', "lone high surrogate"), ('{"a":["\\udc00"]}', "lone low surrogate in an array"),
                  ('{"a":"\\ude00\\ud83d"}', "surrogates in the wrong order"),
                  ('{"a":{"b":{"c":"\\udbff"}}}', "lone surrogate deep down"),
                  ('{"k\\ud800":1}', "lone surrogate in a key")]:
    # text, so that every writer gets exactly these characters (Python's emit_event takes text too)
    INVALID.append({"name": "payload: " + why, "event": dict(base(), payload_text=text), "field": "payload"})

for value, why in [("2026-11-26 23:47:51Z", "space instead of T"), ("2026-11-26T23:47:51", "no offset"),
                   ("yesterday", "not a timestamp"), ("2999-01-01T00:00:00Z", "far future"),
                   ("1969-12-31T23:59:59Z", "before 1970"), ("2026-13-01T00:00:00Z", "month 13"),
                   ("2026-11-26T23:47:51+0200", "offset without colon"), ("", "empty"),
                   ("2026-02-30T00:00:00Z", "February 30"),
                   ("2026-11-26T23:47:51.123456789Z", "nanoseconds (at most 6 fraction digits, never cut silently)"),
                   ("2026-11-26T23:47:51.1234567Z", "7 fraction digits"),
                   ("2026-11-26T23:47:51.123456000+01:00", "9 fraction digits, even zeros")]:
    bad("timestamp", "timestamp: " + why, NO_BASH, timestamp=value)


# ---------------------------------------------------------------------------------------------
# Remediation pairing: which remediation_completed closes which remediation_started. The server's
# rule (ChainAnalysis.matchStart and the open-step rule of get_remediation_history) is the
# reference; bash and Python latest_remediation must agree with it on every case.
#
# Each case has its own service (and correlation ids), so all cases can share one store. An event
# is (ref, seconds after the case's base time, type, payload, and optional node, correlation id
# suffix, service, id, payload_json). Payload values "@ref" become the id of that event. The
# expected "steps" are (start ref or None, completion ref or None), "latest" the latest start and
# its completion (None when open).

PAIRING = [
    ("a start without a completion is open",
     [("s1", 0, "S", {"action": "restart", "step": "restart"})],
     [("s1", None)], ("s1", None)),
    ("a completion with the same step closes its start",
     [("s1", 0, "S", {"action": "restart", "step": "restart"}),
      ("c1", 5, "C", {"action": "restart", "step": "restart", "result": "succeeded"})],
     [("s1", "c1")], ("s1", "c1")),
    ("started_event_id names the start it closes, even an older one",
     [("s1", 0, "S", {"step": "restart"}), ("s2", 1, "S", {"step": "restart"}),
      ("c1", 2, "C", {"step": "restart", "started_event_id": "@s1"})],
     [("s1", "c1"), ("s2", None)], ("s2", None)),
    ("the step key decides, not which start is latest",
     [("s1", 0, "S", {"step": "restart"}), ("s2", 1, "S", {"step": "flush-cache"}),
      ("c1", 2, "C", {"step": "restart"})],
     [("s1", "c1"), ("s2", None)], ("s2", None)),
    ("action is the key when there is no step",
     [("s1", 0, "S", {"action": "restart"}), ("s2", 1, "S", {"action": "reboot"}),
      ("c1", 2, "C", {"action": "restart"})],
     [("s1", "c1"), ("s2", None)], ("s2", None)),
    ("step wins over action: a completion whose step matches no open start closes nothing",
     [("s1", 0, "S", {"action": "restart", "step": "s-1"}),
      ("c1", 1, "C", {"action": "restart", "step": "s-2"})],
     [("s1", None), (None, "c1")], ("s1", None)),
    ("a completion with no key at all closes the latest open start",
     [("s1", 0, "S", {"step": "a"}), ("s2", 1, "S", {"step": "b"}),
      ("c1", 2, "C", {"result": "succeeded"})],
     [("s1", None), ("s2", "c1")], ("s2", "c1")),
    ("a started_event_id that names no open start closes nothing (the step key is not tried)",
     [("s1", 0, "S", {"step": "restart"}),
      ("c1", 1, "C", {"step": "restart", "started_event_id": "0b6f7a6e-1d0c-4d8e-9a59-3f2f0c7f4a11"})],
     [("s1", None), (None, "c1")], ("s1", None)),
    ("started_event_id is compared exactly (upper case does not match)",
     [("s1", 0, "S", {"step": "restart"}),
      ("c1", 1, "C", {"step": "restart", "started_event_id": "@S1"})],
     [("s1", None), (None, "c1")], ("s1", None)),
    ("a completion in another correlation id closes nothing",
     [("s1", 0, "S", {"step": "restart"}),
      ("c1", 1, "C", {"step": "restart"}, {"cid": "other"})],
     [("s1", None), (None, "c1")], ("s1", None)),
    ("a completion before the start closes nothing",
     [("c1", 0, "C", {"step": "restart"}), ("s1", 1, "S", {"step": "restart"})],
     [(None, "c1"), ("s1", None)], ("s1", None)),
    ("a completion of another service does not close this service's start",
     [("s1", 0, "S", {"step": "restart"}),
      ("c1", 1, "C", {"step": "restart"}, {"service": "other"})],
     [("s1", None)], ("s1", None)),
    ("two open starts with the same key: the oldest is closed first",
     [("s1", 0, "S", {"step": "restart"}), ("s2", 1, "S", {"step": "restart"}),
      ("c1", 2, "C", {"step": "restart"})],
     [("s1", "c1"), ("s2", None)], ("s2", None)),
    ("equal timestamps: the node decides the order (a completion on an earlier node comes first)",
     [("s1", 0, "S", {"step": "restart"}, {"node": "b-node"}),
      ("c1", 0, "C", {"step": "restart"}, {"node": "a-node"})],
     [(None, "c1"), ("s1", None)], ("s1", None)),
    ("equal timestamps and nodes: the server's id order decides (UUID.compareTo, signed halves)",
     [("s1", 0, "S", {"step": "restart"}, {"id": "9a000000-0000-4000-8000-000000000001"}),
      ("c1", 0, "C", {"step": "restart"}, {"id": "1a000000-0000-4000-8000-000000000002"})],
     [("s1", "c1")], ("s1", "c1")),
    ("escaped and raw text are the same key",
     [("s1", 0, "S", None, {"payload_json": '{"step":"caf\\u00e9 \\ud83d\\ude00 a\\u0022b\\u005cc\\/"}'}),
      ("c1", 1, "C", None, {"payload_json": '{"step":"caf\u00e9 \U0001F600 a\\"b\\\\c/"}'})],
     [("s1", "c1")], ("s1", "c1")),
    ("numbers and booleans are keys by their text",
     [("s1", 0, "S", {"step": 2}), ("s2", 1, "S", {"step": True}),
      ("c1", 2, "C", {"step": "true"}), ("c2", 3, "C", {"step": "2"})],
     [("s1", "c2"), ("s2", "c1")], ("s2", "c1")),
    ("null, objects and arrays are no key",
     [("s1", 0, "S", {"step": None, "action": "restart"}),
      ("c1", 1, "C", {"step": {"x": 1}, "action": "restart"}),
      ("s2", 2, "S", {"step": ["a"]}), ("c2", 3, "C", {"result": "succeeded"})],
     [("s1", "c1"), ("s2", "c2")], ("s2", "c2")),
    ("a closed step can be started again",
     [("s1", 0, "S", {"step": "restart"}), ("c1", 1, "C", {"step": "restart"}),
      ("s2", 2, "S", {"step": "restart"})],
     [("s1", "c1"), ("s2", None)], ("s2", None)),
    ("nested step fields do not count",
     [("s1", 0, "S", {"details": {"step": "x", "action": ["y"]}, "step": "restart"}),
      ("c1", 1, "C", {"details": {"step": "restart"}, "list": [{"step": "restart"}], "step": "x"})],
     [("s1", None), (None, "c1")], ("s1", None)),
    ("started_event_id wins over a different step key",
     [("s1", 0, "S", {"step": "restart"}),
      ("c1", 1, "C", {"step": "other", "started_event_id": "@s1"})],
     [("s1", "c1")], ("s1", "c1")),
    ("a step across dates and nodes",
     [("s1", 0, "S", {"step": "restart"}, {"node": "pi4"}),
      ("c1", 86400, "C", {"step": "restart"}, {"node": "nas"})],
     [("s1", "c1")], ("s1", "c1")),
    ("the latest start of any chain is the one reported",
     [("s1", 0, "S", {"step": "x"}, {"cid": "one"}), ("s2", 1, "S", {"step": "x"}, {"cid": "two"}),
      ("c1", 2, "C", {"step": "x"}, {"cid": "one"})],
     [("s1", "c1"), ("s2", None)], ("s2", None)),
    ("an empty step is a key of its own",
     [("s1", 0, "S", {"step": "", "action": "restart"}), ("c1", 1, "C", {"action": "restart"})],
     [("s1", None), (None, "c1")], ("s1", None)),
]


def pairing_cases():
    import datetime
    cases = []
    for n, (name, events, steps, latest) in enumerate(PAIRING, 1):
        service = "pairing-{:02d}".format(n)
        base_time = datetime.datetime(2026, 4, 1, 10, 0, 0, tzinfo=datetime.timezone.utc) \
            + datetime.timedelta(days=2 * n)
        ids = {}
        for k, event in enumerate(events):
            extra = event[4] if len(event) > 4 else {}
            ids[event[0]] = extra.get("id") or "{:02d}{:02d}abcd-0000-4abc-8def-{:012d}".format(n, k + 1, n * 100 + k + 1)
        out = []
        for k, event in enumerate(events):
            ref, seconds, kind, payload = event[:4]
            extra = event[4] if len(event) > 4 else {}
            moment = base_time + datetime.timedelta(seconds=seconds)
            ts = moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            node = extra.get("node", "pi4")
            etype = "remediation_started" if kind == "S" else "remediation_completed"
            if "payload_json" in extra:
                payload_json = extra["payload_json"]
                json.loads(payload_json)
            else:
                resolved = {}
                for key, value in payload.items():
                    if isinstance(value, str) and value.startswith("@"):
                        value = ids[value[1:].lower()].upper() if value[1:].isupper() else ids[value[1:]]
                    resolved[key] = value
                payload_json = json.dumps(resolved, ensure_ascii=False, separators=(",", ":"))
            head = json.dumps({"timestamp": ts, "node": node, "type": etype,
                               "severity": "warning" if kind == "S" else "info", "source": "pairing-vectors",
                               "service": service + ("-" + extra["service"] if "service" in extra else ""),
                               "correlation_id": "{}-{}".format(service, extra.get("cid", "chain"))},
                              ensure_ascii=False, separators=(",", ":"))
            line = head[:-1] + ',"payload":' + payload_json + "}\n"
            path = "{}/{}/{}_{}_{}.json".format(moment.strftime("%Y-%m-%d"), node,
                                               moment.strftime("%Y%m%dT%H%M%S.%fZ"), etype, ids[ref])
            out.append({"ref": ref, "id": ids[ref], "path": path, "file": line})
        cases.append({
            "name": name,
            "service": service,
            "events": out,
            "steps": [[ids[s] if s else None, ids[c] if c else None] for s, c in steps],
            "latest": {"started": ids[latest[0]], "completed": ids[latest[1]] if latest[1] else None},
        })
    return cases


def compact(text):
    """JSON text without insignificant white space, every token kept as written."""
    return re.sub(r'("(?:[^"\\]|\\.)*")|[ \t\n\r]+', lambda m: m.group(1) or "", text)


def finish_valid(vector):
    """Adds payload_json (the text input) and stored (the exact file) to a valid vector."""
    ev = vector["event"]
    if "payload_text" in ev:
        text = ev.pop("payload_text")
        json.loads(text)  # valid JSON
        ev["payload_json"] = text
        # Python's parser would change these numbers (1e400 has no JSON value in Python at all): there is no
        # "payload" value, every writer gets the text
        vector["payload_as_text"] = True
    elif "payload" in ev:
        # not compact on purpose: the writers that take text must compact it
        ev["payload_json"] = json.dumps(ev["payload"], ensure_ascii=False, indent=1)
    stored = {
        "timestamp": vector.get("expect", {}).get("timestamp", "<TIMESTAMP>"),
        "node": vector.get("expect", {}).get("node", ev.get("node", DEFAULT_NODE)),
        "type": ev["type"],
        "severity": ev["severity"],
        "source": ev["source"],
        "service": ev["service"],
        "correlation_id": ev.get("correlation_id", "<ID>"),
    }
    head = json.dumps(stored, ensure_ascii=False, separators=(",", ":"))
    vector["stored"] = head[:-1] + ',"payload":' + compact(ev.get("payload_json", "{}")) + "}\n"
    return vector


# Valid vectors that a writer does not yet store byte for byte as "stored" says. Issue 13 ("Values are
# kept exactly") fixes them: then the entries go, and SharedVectorsTest and the library suites fail while
# a fixed vector is still listed here, so this list only shrinks.
KNOWN_DIVERGENT = [
    # empty since issue 13: the three writers store every valid vector byte for byte
]


def main():
    names = {v["name"] for v in VALID}
    assert len(names) == len(VALID), "valid vector names are unique"
    for d in KNOWN_DIVERGENT:
        assert d["name"] in names and set(d["writers"]) <= set(ALL), d
    vectors = {
        "format_version": 1,
        "custom_types": ["backup_completed"],
        "default_node": DEFAULT_NODE,
        "valid": [finish_valid(v) for v in VALID],
        "invalid": INVALID,
        "known_divergent": KNOWN_DIVERGENT,
        "remediation_pairing": pairing_cases(),
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "vectors.json")
    text = json.dumps(vectors, ensure_ascii=False, indent=1)
    # lone surrogates (invalid vectors) cannot be UTF-8: they are written as the JSON escapes they are
    text = re.sub("[\ud800-\udfff]", lambda m: "\\u{:04x}".format(ord(m.group())), text)
    with open(path, "w", encoding="utf-8") as out:
        out.write(text + "\n")
    print("{}: {} valid, {} invalid, {} remediation pairing cases".format(
        path, len(VALID), len(INVALID), len(vectors["remediation_pairing"])))


if __name__ == "__main__":
    main()
