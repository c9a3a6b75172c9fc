#!/usr/bin/env python3
"""Checks a store written by a test: every final-named file is a complete, canonical event.

    check_store.py ROOT [--no-temp] [--expect-count N] [--vectors vectors.json --ids FILE [--writer W]]

- every file whose name does not start with '.' is <date>/<node>/<ts>_<type>_<uuid4>.json, mode 0644,
  one line of compact JSON with the eight fields in order, date/node/type/timestamp matching its path;
- --no-temp: no dot-prefixed (temporary) file may be left;
- --expect-count N: exactly N event files;
- --ids FILE with lines "<vector index> <id>": the file of the event with that id holds exactly the
  bytes that valid vector <index> of --vectors says every writer stores ("stored", with the write
  time and id in place of <TIMESTAMP> and <ID>), unless the vector is listed as known divergent for
  --writer: then it must still differ (so that the list is shortened once it is fixed).

Prints one line per problem and a summary; exits 1 when there is any problem.
"""

import argparse
import json
import os
import re
import stat
import sys

NAME_RE = re.compile(r"([0-9]{8}T[0-9]{6}\.[0-9]{6}Z)_([a-z][a-z0-9_]{0,63})_"
                     r"([0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12})\.json")
TS_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z")
STRING_RE = re.compile(rb'"(?:[^"\\]|\\.)*"')
FIELDS = ["timestamp", "node", "type", "severity", "source", "service", "correlation_id", "payload"]


def check_file(root, rel, problems):
    parts = rel.split(os.sep)
    path = os.path.join(root, rel)
    if len(parts) != 3:
        problems.append("{}: not at <date>/<node>/<file>".format(rel))
        return None
    day, node, name = parts
    m = NAME_RE.fullmatch(name)
    if not m:
        problems.append("{}: name does not follow the grammar".format(rel))
        return None
    mode = stat.S_IMODE(os.lstat(path).st_mode)
    if mode != 0o644:
        problems.append("{}: mode {:o}".format(rel, mode))
    with open(path, "rb") as f:
        raw = f.read()
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        problems.append("{}: partial or corrupt content ({}): {!r}".format(rel, e, raw[:80]))
        return None
    if not isinstance(data, dict) or list(data) != FIELDS:
        problems.append("{}: fields {}".format(rel, list(data) if isinstance(data, dict) else type(data)))
        return None
    # compact: no white space outside strings (checked on the bytes: a parser would rewrite numbers)
    outside = STRING_RE.sub(b'""', raw[:-1])
    if not raw.endswith(b"\n") or re.search(rb"[ \t\r\n]", outside):
        problems.append("{}: not one compact line with a trailing newline: {!r}".format(rel, raw[:120]))
    ts = data["timestamp"]
    if not isinstance(ts, str) or not TS_RE.fullmatch(ts):
        problems.append("{}: timestamp {!r}".format(rel, ts))
    elif day != ts[:10] or m.group(1) != ts.replace("-", "").replace(":", ""):
        problems.append("{}: path does not match timestamp {}".format(rel, ts))
    if node != data["node"] or m.group(2) != data["type"]:
        problems.append("{}: path does not match node/type".format(rel))
    return m.group(3), data, raw


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("root")
    ap.add_argument("--no-temp", action="store_true")
    ap.add_argument("--expect-count", type=int)
    ap.add_argument("--vectors")
    ap.add_argument("--ids")
    ap.add_argument("--writer", default="bash")
    args = ap.parse_args()
    problems = []
    events = {}
    temps = 0
    for dirpath, dirs, files in os.walk(args.root):
        # hidden directories (.locks, .index) are not part of the event layout: readers ignore them
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            rel = os.path.relpath(os.path.join(dirpath, name), args.root)
            if name.startswith("."):
                temps += 1
                if args.no_temp:
                    problems.append("{}: temporary file left".format(rel))
                continue
            result = check_file(args.root, rel, problems)
            if result:
                event_id, data, raw = result
                if event_id in events:
                    problems.append("{}: id {} twice".format(rel, event_id))
                events[event_id] = (data, raw)
    if args.expect_count is not None and len(events) != args.expect_count:
        problems.append("{} events, expected {}".format(len(events), args.expect_count))
    checked = 0
    if args.ids:
        with open(args.vectors, encoding="utf-8") as f:
            vectors = json.load(f)
        with open(args.ids, encoding="utf-8") as f:
            for line in f:
                index, event_id = line.split()
                vector = vectors["valid"][int(index)]
                found = events.get(event_id)
                if found is None:
                    problems.append("vector {!r}: no file for id {}".format(vector["name"], event_id))
                    continue
                data, raw = found
                expected = vector["stored"].replace('"correlation_id":"<ID>"', '"correlation_id":"{}"'.format(event_id))
                expected = expected.replace('"timestamp":"<TIMESTAMP>"', '"timestamp":"{}"'.format(data["timestamp"]))
                expected = expected.encode("utf-8")
                divergent = any(vector["name"] == d["name"] and args.writer in d["writers"]
                                for d in vectors.get("known_divergent", []))
                if divergent and raw == expected:
                    problems.append("vector {!r} is listed as known divergent for {} but is stored exactly: "
                                    "remove it from KNOWN_DIVERGENT in make_vectors.py".format(vector["name"], args.writer))
                elif not divergent and raw != expected:
                    problems.append("vector {!r}: stored bytes differ\n  expected {!r}\n  stored   {!r}".format(
                        vector["name"], expected[:600], raw[:600]))
                checked += 1
    for p in problems:
        print("PROBLEM", p)
    print("checked {} event files, {} temporary files, {} vectors; {} problems".format(
        len(events), temps, checked, len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
