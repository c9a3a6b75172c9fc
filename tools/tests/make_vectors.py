#!/usr/bin/env python3
"""Generates tests/vectors.json, the shared test vectors of the three writers (Java, bash, Python).

Edit this file, then run ``python3 tools/tests/make_vectors.py`` and commit both files.

Schema of vectors.json:

- ``custom_types``: the custom types every writer under test is configured with
  (``HOMELAB_EVENTS_CUSTOM_TYPES`` for the libraries, the validator's list in Java).
- ``default_node``: the node used when a vector gives none (``HOMELAB_NODE``).
- ``valid``: ``{"name", "event", "expect"?, "writers"?}``. ``event`` holds the arguments
  (``type``, ``severity``, ``source``, ``service`` and optional ``correlation_id``, ``payload``,
  ``node``, ``timestamp``). A missing ``correlation_id`` means "the event's own id", a missing
  ``payload`` means ``{}``. ``expect`` overrides stored values that differ from the input
  (``timestamp``: the normalized UTC form).
- ``invalid``: ``{"name", "event", "field", "writers"?}``: ``field`` is the one field every writer
  must name when it refuses the event. ``event.payload_text`` (instead of ``payload``) is raw text
  that is not valid JSON: it is given to bash as is and parsed by Jackson in Java (a parse error
  counts as refused); Python, which takes a dict, skips it.
- ``writers``: which writers a vector applies to (default all three: ``java``, ``bash``,
  ``python``). Bash takes no timestamp and cannot hold a NUL character in an argument.
"""

import json
import os

ALL = ["java", "bash", "python"]
NO_BASH = ["java", "python"]

HOSTILE_PAYLOAD = {
    "quote": "a\"b 'c' `d`",
    "backslash": "C:\\path\\to\\x \\u0041 \\n",
    "newline": "line1\nline2\r\nline3",
    "tab": "a\tb",
    "controls": "\u0001\u0002\u0007\u0008\u000b\u000c\u001b\u001f\u007f\u0080\u0085\u009f",
    "nul": "a\u0000b",
    "emoji": "\U0001F600\U0001F680 \U0001F468\u200D\U0001F469\u200D\U0001F467",
    "rtl": "\u05e9\u05dc\u05d5\u05dd \u05e2\u05d5\u05dc\u05dd \u0645\u0631\u062d\u0628\u0627",
    "bidi_controls": "\u202eevil\u202c \u2066x\u2069 \u200e\u200f\u061c",
    "separators": "a\u2028b\u2029c",
    "bom_and_zwsp": "\ufeff\u200b",
    "html": "<script>alert('x')</script>&amp;",
    "shell": "$(rm -rf /) ; | && $HOME ${x} *",
    "json_in_string": "{\"payload\":[1,2]}",
    "path": "../../etc/passwd %2e%2e/",
    "empty": "",
    "unicode_key_\u00e9\U0001F600": "\u00fc",
    "numbers": [0, -1, 1.5, -3e-07, 1e+300, 9007199254740993, 12345678901234567890],
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
                   service="mosquitto \u00e9 \u05e9\u05dc\u05d5\u05dd \U0001F600",
                   correlation_id="c\"i\\d/../x %2e%2e \u00a0 \U0001F680 <b>&",
                   payload={"k": "v"})},
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
    {"name": "timestamp with nanoseconds is truncated to microseconds",
     "event": base(timestamp="2026-11-26T23:47:51.123456789Z"),
     "expect": {"timestamp": "2026-11-26T23:47:51.123456Z"}, "writers": NO_BASH},
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

for field in ("source", "service"):
    for value, why in [("", "empty"), ("   ", "blank"), ("\u2003\u3000", "blank (Unicode spaces)"),
                       ("\u2028", "blank (line separator)"), ("\t", "tab"), ("a/b", "slash"),
                       ("../x", "path traversal"), ("..\\x", "backslash"), ("s" * 129, "129 characters"),
                       ("\U0001F600" * 129, "129 emoji"), ("a" * 300, "300 characters"),
                       ("a\u202eb", "right-to-left override"), ("a\u200fb", "right-to-left mark"),
                       ("a\u2066b", "bidi isolate"), ("a\u061cb", "Arabic letter mark"),
                       ("a\nb", "newline"), ("a\rb", "carriage return"), ("a\u001bb", "escape"),
                       ("a\u007fb", "DEL"), ("a\u0085b", "C1 control"), ("a\u009fb", "C1 control (last)")]:
        bad(field, "{}: {}".format(field, why), **{field: value})
    bad(field, field + ": NUL", NO_BASH, **{field: "a\u0000b"})

for value, why in [("c" * 129, "129 characters"), ("\U0001F680" * 129, "129 emoji"), ("a\rb", "carriage return"),
                   ("a\nb", "newline"), ("a\u202eb", "right-to-left override"), ("a\u009fb", "C1 control"),
                   ("a\u2069", "pop directional isolate"), ("a\tb", "tab")]:
    bad("correlation_id", "correlation_id: " + why, correlation_id=value)
bad("correlation_id", "correlation_id: NUL", NO_BASH, correlation_id="a\u0000b")

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
                  ('// c\n{"a":1}', "comment")]:
    INVALID.append({"name": "payload: " + why, "event": dict(base(), payload_text=text), "field": "payload",
                    "writers": ["java", "bash"]})

for value, why in [("2026-11-26 23:47:51Z", "space instead of T"), ("2026-11-26T23:47:51", "no offset"),
                   ("yesterday", "not a timestamp"), ("2999-01-01T00:00:00Z", "far future"),
                   ("1969-12-31T23:59:59Z", "before 1970"), ("2026-13-01T00:00:00Z", "month 13"),
                   ("2026-11-26T23:47:51+0200", "offset without colon"), ("", "empty"),
                   ("2026-02-30T00:00:00Z", "February 30")]:
    bad("timestamp", "timestamp: " + why, NO_BASH, timestamp=value)


def main():
    vectors = {
        "format_version": 1,
        "custom_types": ["backup_completed"],
        "default_node": "vectors-node",
        "valid": VALID,
        "invalid": INVALID,
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "vectors.json")
    with open(path, "w", encoding="utf-8") as out:
        json.dump(vectors, out, ensure_ascii=False, indent=1)
        out.write("\n")
    print("{}: {} valid, {} invalid".format(path, len(VALID), len(INVALID)))


if __name__ == "__main__":
    main()
