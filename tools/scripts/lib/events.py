"""Write and read homelab events from Python (standard library only, Python 3.8+).

Usage::

    from scripts.lib.events import emit_event, list_events, get_chain, latest_remediation

    event = emit_event(
        event_type="service_unhealthy",
        severity="error",
        source="monitor.py",
        service="ollama",
        correlation_id="12345",
        payload={"error": "OOM"},
    )
    print(event["id"], event["path"])

Events are files in the store described by ``docs/format.md`` (on-disk format v1)::

    <root>/<yyyy-MM-dd>/<node>/<yyyyMMddTHHmmss.ffffffZ>_<type>_<uuid>.json

each holding one compact JSON object with the eight fields ``timestamp, node, type, severity,
source, service, correlation_id, payload`` (in that order) and a trailing newline. The write is
durable and atomic and never replaces a file: temporary file in the target directory, fsync,
hard link to the final name (the commit point), unlink of the temporary file, fsync of the
directory.

Configuration (environment):

``HOMELAB_EVENTS_DIR``
    store root (absolute path). Unset: ``/opt/homelab/events`` if it exists or can be created,
    else ``${XDG_DATA_HOME:-$HOME/.local/share}/homelab/events``.
``HOMELAB_NODE``
    node name (default: ``socket.gethostname()``, which is what ``hostname`` prints).
``HOMELAB_EVENTS_CUSTOM_TYPES``
    extra event types, comma separated, each ``[a-z][a-z0-9_]{0,63}``.
``HOMELAB_EVENTS_URL``, ``HOMELAB_EVENTS_TOKEN``, ``HOMELAB_EVENTS_TIMEOUT``
    optional server mode: ``emit_event`` POSTs to ``$HOMELAB_EVENTS_URL/api/events`` and
    ``record_remediation`` to ``$HOMELAB_EVENTS_URL/api/tools/record_remediation`` (bearer
    token if set), and both fall back to the local files when the server cannot be reached,
    times out or answers 5xx; a 4xx answer raises.

Every event gets its id here, before the server is called, and the id goes with the request: a
server that stored the event but answered too late never yields a second event, because the
local fallback looks for the id first (in the event's date directory and the two next to it)
and returns the stored event instead of writing another. A caller may choose the id
(``event_id``, a UUID) to make its own retries safe: the same id with the same content returns
the stored event, with different content raises :class:`EventConflictError`.

Remediation steps (``record_remediation``) are started once: the start claims a marker file in
``<root>/.locks/remediation/`` with the same link-never-replace commit point as events, so of
several agents (Java server, bash, Python, in any mix) racing to start one open step exactly one
records it; see docs/format.md.

Readers skip, silently, everything that is not an event (temporary dot-prefixed names, symlinks,
non-regular files, files over 1 MiB, empty, truncated, corrupt or non-UTF-8 content) and never
modify anything.
"""

import datetime as _dt
import decimal
import errno
import hashlib
import json
import logging
import math
import os
import re
import secrets
import socket
import stat
import time
import urllib.error
import urllib.request
import uuid
from typing import Any, Dict, Iterable, Iterator, List, Mapping, Optional, Tuple, Union

__all__ = [
    "EventValidationError",
    "EventWriteError",
    "JsonNumber",
    "EventConflictError",
    "EVENT_TYPES",
    "SEVERITIES",
    "emit_event",
    "list_events",
    "get_chain",
    "latest_remediation",
    "record_remediation",
    "store_root",
]

#: The ten normalized event types of the specification.
EVENT_TYPES: Tuple[str, ...] = (
    "deployment_started",
    "deployment_completed",
    "deployment_failed",
    "service_unhealthy",
    "service_recovered",
    "node_offline",
    "node_online",
    "healthcheck_failed",
    "remediation_started",
    "remediation_completed",
)
#: Types the server itself writes (the audit of questions asked through /api/ask, the console's operator notes),
#: accepted like custom ones.
BUILT_IN_CUSTOM_TYPES: Tuple[str, ...] = ("operator_query", "operator_note")
#: Allowed severities.
SEVERITIES: Tuple[str, ...] = ("info", "warning", "error", "critical")

_LOG = logging.getLogger(__name__)

SYSTEM_ROOT = "/opt/homelab/events"
MAX_PAYLOAD_BYTES = 65536
MAX_PAYLOAD_DEPTH = 16
MAX_FILE_BYTES = 1024 * 1024
MAX_FUTURE = _dt.timedelta(hours=24)

_TYPE_RE = re.compile(r"[a-z][a-z0-9_]{0,63}")
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_NODE_RE = re.compile(_LABEL + r"(?:\." + _LABEL + r")*")
_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_NAME_RE = re.compile(
    r"[0-9]{8}T[0-9]{6}\.[0-9]{6}Z_[a-z][a-z0-9_]{0,63}_("
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.json"
)
_TS_RE = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt]([0-9]{2}):([0-9]{2})"
    r"(?::([0-9]{2})(?:\.([0-9]{1,9}))?)?"
    r"([Zz]|[+-][0-9]{2}:[0-9]{2}(?::[0-9]{2})?)"
)
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# White space that makes a name blank (Java's Character.isWhitespace minus the controls,
# which are refused anyway); no-break spaces are not blank.
_BLANK = frozenset(" \u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2008\u2009\u200a"
                   "\u2028\u2029\u205f\u3000")
# What Java's String.isBlank() treats as white space.
_JAVA_BLANK = _BLANK | frozenset("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f")
# Invisible format characters (Unicode category Cf as of Unicode 15) and the line and paragraph
# separators: zero-width space and joiners, BOM, soft hyphen, bidirectional controls, tags. An
# explicit list (Names.FORMAT in Java, _hle_has_ctl in bash), not unicodedata, whose version varies.
_FORMAT_RANGES = ((0x00AD, 0x00AD), (0x0600, 0x0605), (0x061C, 0x061C), (0x06DD, 0x06DD),
                  (0x070F, 0x070F), (0x0890, 0x0891), (0x08E2, 0x08E2), (0x180E, 0x180E),
                  (0x200B, 0x200F), (0x2028, 0x202E), (0x2060, 0x2064), (0x2066, 0x206F),
                  (0xFEFF, 0xFEFF), (0xFFF9, 0xFFFB), (0x110BD, 0x110BD), (0x110CD, 0x110CD),
                  (0x13430, 0x1343F), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A), (0xE0001, 0xE0001),
                  (0xE0020, 0xE007F))
_NUMBER_RE = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")


class JsonNumber(float):
    """A JSON number kept as the literal it was written as (``1.10``, ``1E2``, ``-0``, ``1e400``).

    Payload numbers are stored exactly as written (docs/format.md, "Numbers"): the readers of this
    module return a number that Python's float or int would print differently as a JsonNumber, and
    ``emit_event`` writes a JsonNumber as its literal. It is a float for arithmetic (``1e400`` is
    ``inf`` there), and ``str()`` gives the literal. Use it to emit an exact value:
    ``payload={"ratio": JsonNumber("0.10")}``; ``decimal.Decimal`` values are written exactly too.
    """

    def __new__(cls, literal: str) -> "JsonNumber":
        if not isinstance(literal, str) or not _NUMBER_RE.fullmatch(literal):
            raise ValueError("not a JSON number: {!r}".format(literal))
        number = float.__new__(cls, literal)
        number.literal = literal
        return number

    def __repr__(self) -> str:
        return "JsonNumber({!r})".format(self.literal)

    def __str__(self) -> str:
        return self.literal


def _parse_float(literal: str) -> Any:
    number = float(literal)
    # a float that prints back as the literal stays a float; anything else keeps its literal
    if math.isfinite(number) and repr(number) == literal:
        return number
    return JsonNumber(literal)


def _parse_int(literal: str) -> Any:
    return JsonNumber(literal) if literal == "-0" else int(literal)


def _unique_keys(pairs: List[Tuple[str, Any]]) -> Dict[str, Any]:
    out: Dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError("duplicate key {}: a key may appear once".format(json.dumps(key)))
        out[key] = value
    return out


def _loads(text: str) -> Any:
    """JSON as the format reads it: numbers keep their literal, a repeated key or NaN is refused."""
    return json.loads(text, parse_float=_parse_float, parse_int=_parse_int,
                      parse_constant=_reject_constant, object_pairs_hook=_unique_keys)


def _dumps(value: Any) -> str:
    """Compact JSON as the format writes it (the bytes of the Java and bash writers): strings as
    json.dumps(ensure_ascii=False) writes them, numbers as their literal (JsonNumber, Decimal) or
    as Python prints them. Raises ValueError for what JSON cannot hold."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, JsonNumber):
        return value.literal
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("numbers must be finite (no NaN or Infinity)")
        return float.__repr__(value)
    if isinstance(value, decimal.Decimal):
        literal = str(value)
        if not value.is_finite() or not _NUMBER_RE.fullmatch(literal):
            raise ValueError("numbers must be finite (no NaN or Infinity)")
        return literal
    if isinstance(value, dict):
        return "{" + ",".join(_dumps(k) + ":" + _dumps(v) for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(_dumps(v) for v in value) + "]"
    raise ValueError("{} is not a JSON value".format(type(value).__name__))


def _is_format(ch: str) -> bool:
    o = ord(ch)
    return o >= 0xAD and any(lo <= o <= hi for lo, hi in _FORMAT_RANGES)


def _look_alike_script(ch: str) -> Optional[str]:
    """Latin, Greek or Cyrillic for a letter of those scripts (whose letters look alike), else None."""
    o = ord(ch)
    if ("A" <= ch <= "Z") or ("a" <= ch <= "z") or o in (0xAA, 0xBA) \
            or (0xC0 <= o <= 0x24F and o not in (0xD7, 0xF7)) or 0x1E00 <= o <= 0x1EFF:
        return "Latin"
    if 0x370 <= o <= 0x3FF or 0x1F00 <= o <= 0x1FFF:
        return "Greek"
    if 0x400 <= o <= 0x52F:
        return "Cyrillic"
    return None


def _mixed_script(value: str) -> bool:
    """True when a letter directly follows a letter of another look-alike script (combining
    marks U+0300-U+036F between them do not count): "m\u043esquitto" with a Cyrillic o."""
    previous = None
    for ch in value:
        if 0x300 <= ord(ch) <= 0x36F:
            continue
        script = _look_alike_script(ch)
        if script is not None and previous is not None and script != previous:
            return True
        previous = script
    return False
_MIN_TS = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)
_EVENT_FIELDS = ("timestamp", "node", "type", "severity", "source", "service",
                 "correlation_id", "payload")


class EventValidationError(ValueError):
    """A bad argument or configuration; nothing was written.

    ``field`` names the offending field (``type``, ``severity``, ``source``, ``service``,
    ``correlation_id``, ``payload``, ``node``, ``timestamp``) or environment variable.
    """

    def __init__(self, field: str, value: Any, allowed: str) -> None:
        self.field = field
        self.value = value
        self.allowed = allowed
        super().__init__("invalid {} {}: {}".format(field, _show(value), allowed))


class EventWriteError(OSError):
    """The event could not be stored (I/O error, failed fsync, server refused it...).

    Nothing was acknowledged: no final-named file is left behind by the failed write.
    """


class EventConflictError(EventWriteError):
    """The store already holds something this write contradicts, so nothing was written: the event
    id is stored with different content (``field`` ``id``), or the remediation step is already open
    (``field`` ``step``)."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(errno.EEXIST, message)


def _show(value: Any) -> str:
    """``value`` escaped for a one-line message, cut to 80 characters."""
    if not isinstance(value, str):
        return "({}) {}".format(type(value).__name__, _show(repr(value)))
    cut = value[:80]
    out = json.dumps(cut, ensure_ascii=False)
    for ch in set(cut):
        if ("\x7f" <= ch <= "\x9f") or ch in _BIDI:
            out = out.replace(ch, "\\u{:04x}".format(ord(ch)))
    if len(value) > 80:
        out += "...({} characters)".format(len(value))
    return out


def _has_control(value: str) -> bool:
    """True when ``value`` holds a control, format (invisible) or separator character."""
    for ch in value:
        o = ord(ch)
        if o < 0x20 or 0x7F <= o <= 0x9F or ch in _BIDI or _is_format(ch):
            return True
    return False


def _is_utf8_encodable(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _check_name(field: str, value: Any, no_slash: bool, not_blank: bool) -> str:
    if no_slash:
        rule = ("1-128 characters, not blank, no control, invisible format (zero-width, BOM, "
                "bidirectional) or separator characters, no '/' or '\\'")
    else:
        rule = ("1-128 characters, not blank, no control, invisible format (zero-width, BOM, "
                "bidirectional) or separator characters")
    if not isinstance(value, str):
        raise EventValidationError(field, value, "must be a string; " + rule)
    if not _is_utf8_encodable(value):
        raise EventValidationError(field, value, "must be valid Unicode (no lone surrogates); " + rule)
    if not 1 <= len(value) <= 128 or _has_control(value):
        raise EventValidationError(field, value, rule)
    if no_slash and ("/" in value or "\\" in value):
        raise EventValidationError(field, value, rule)
    if not_blank and _is_blank(value):
        raise EventValidationError(field, value, rule)
    if _mixed_script(value):
        raise EventValidationError(field, value, "mixes look-alike scripts inside a word (Latin, Greek "
                                   "and Cyrillic letters side by side); write each word in one script")
    return value


def _is_blank(value: str) -> bool:
    return all(ch in _JAVA_BLANK for ch in value)


def _check_node(value: Any, origin: str) -> str:
    if not isinstance(value, str) or len(value) > 253 or not _NODE_RE.fullmatch(value):
        raise EventValidationError(
            "node", value,
            "must be a hostname{}: letters, digits, '-' and '.', labels of 1-63 characters not "
            "starting or ending with '-', at most 253 characters (set HOMELAB_NODE)".format(origin))
    # DNS names are case-insensitive: one spelling, lower case (PI4 and pi4 are one node)
    return value.lower()


def _event_types() -> Tuple[str, ...]:
    custom = []
    for raw in os.environ.get("HOMELAB_EVENTS_CUSTOM_TYPES", "").split(","):
        name = raw.strip(" \t")
        if not name:
            continue
        if not _TYPE_RE.fullmatch(name):
            raise EventValidationError("HOMELAB_EVENTS_CUSTOM_TYPES", name,
                                       "each custom type must match [a-z][a-z0-9_]{0,63}")
        custom.append(name)
    return EVENT_TYPES + BUILT_IN_CUSTOM_TYPES + tuple(custom)


def _check_type(value: Any) -> str:
    types = _event_types()
    if not isinstance(value, str) or value not in types:
        raise EventValidationError(
            "type", value,
            "must be one of: {} (more with HOMELAB_EVENTS_CUSTOM_TYPES)".format(", ".join(types)))
    return value


def _payload_problem(value: Any, depth: int) -> Optional[str]:
    """Why ``value`` (at nesting ``depth``) cannot be stored as JSON, or None."""
    if isinstance(value, dict):
        if depth > MAX_PAYLOAD_DEPTH:
            return "nested deeper than {} levels".format(MAX_PAYLOAD_DEPTH)
        for key, item in value.items():
            if not isinstance(key, str):
                return "object keys must be strings, got {!r}".format(key)
            if not _is_utf8_encodable(key):
                return "object key is not valid Unicode"
            problem = _payload_problem(item, depth + 1)
            if problem:
                return problem
    elif isinstance(value, (list, tuple)):
        if depth > MAX_PAYLOAD_DEPTH:
            return "nested deeper than {} levels".format(MAX_PAYLOAD_DEPTH)
        for item in value:
            problem = _payload_problem(item, depth + 1)
            if problem:
                return problem
    elif isinstance(value, str):
        if not _is_utf8_encodable(value):
            return "string is not valid Unicode (lone surrogate)"
    elif isinstance(value, bool) or value is None or isinstance(value, (int, JsonNumber)):
        pass
    elif isinstance(value, float):
        if not math.isfinite(value):
            return "numbers must be finite (no NaN or Infinity)"
    elif isinstance(value, decimal.Decimal):
        if not value.is_finite():
            return "numbers must be finite (no NaN or Infinity)"
    else:
        return "{} is not a JSON value".format(type(value).__name__)
    return None


def _compact_payload(payload: Any) -> str:
    allowed = "one JSON object (a dict), at most {} levels deep, at most {} bytes".format(
        MAX_PAYLOAD_DEPTH, MAX_PAYLOAD_BYTES)
    if payload is None:
        payload = {}
    if isinstance(payload, (str, bytes)):
        # JSON text: read as the server reads it, so its numbers are kept exactly as written
        try:
            payload = _loads(payload.decode("utf-8") if isinstance(payload, bytes) else payload)
        except (ValueError, RecursionError) as err:
            raise EventValidationError("payload", payload, "is not valid JSON ({}); {}".format(err, allowed)) \
                from None
    if not isinstance(payload, dict):
        raise EventValidationError("payload", payload, "must be a JSON object; " + allowed)
    problem = _payload_problem(payload, 1)
    if problem:
        raise EventValidationError("payload", payload, problem + "; " + allowed)
    text = _dumps(payload)
    size = len(text.encode("utf-8"))
    if size > MAX_PAYLOAD_BYTES:
        raise EventValidationError("payload", payload,
                                   "is {} bytes compacted; {}".format(size, allowed))
    return text


def _parse_timestamp(value: Any) -> Optional[_dt.datetime]:
    """An ISO 8601 instant with an offset (string or aware datetime) as an aware UTC datetime."""
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            return None
        return value.astimezone(_dt.timezone.utc)
    if not isinstance(value, str):
        return None
    m = _TS_RE.fullmatch(value)
    if not m:
        return None
    year, month, day, hour, minute, sec, frac, off = m.groups()
    micro = int((frac or "0").ljust(6, "0")[:6])
    if off in ("Z", "z"):
        tz = _dt.timezone.utc
    else:
        parts = [int(p) for p in off[1:].split(":")] + [0]
        hours, mins, secs = parts[0], parts[1], parts[2]
        if hours > 18 or mins > 59 or secs > 59:
            return None
        delta = _dt.timedelta(hours=hours, minutes=mins, seconds=secs)
        if delta > _dt.timedelta(hours=18):
            return None
        tz = _dt.timezone(-delta if off[0] == "-" else delta)
    try:
        moment = _dt.datetime(int(year), int(month), int(day), int(hour), int(minute),
                              int(sec or 0), micro, tzinfo=tz).astimezone(_dt.timezone.utc)
    except (ValueError, OverflowError):
        return None
    return moment


def _format_ts(moment: _dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _creatable(path: str) -> bool:
    """True when ``path`` could be created by this user. Creates nothing."""
    probe = path
    while not os.path.lexists(probe):
        parent = os.path.dirname(probe)
        if parent == probe:
            break
        probe = parent
    return os.path.isdir(probe) and os.access(probe, os.W_OK | os.X_OK)


def store_root() -> str:
    """The store root: ``HOMELAB_EVENTS_DIR``, else the default rule of the module docstring."""
    root = os.environ.get("HOMELAB_EVENTS_DIR", "")
    if root:
        if not os.path.isabs(root):
            raise EventValidationError("HOMELAB_EVENTS_DIR", root, "must be an absolute path")
    elif os.path.isdir(SYSTEM_ROOT) or _creatable(SYSTEM_ROOT):
        root = SYSTEM_ROOT
    else:
        base = os.environ.get("XDG_DATA_HOME", "")
        if not os.path.isabs(base):
            home = os.environ.get("HOME", "")
            if not os.path.isabs(home):
                raise EventValidationError(
                    "HOMELAB_EVENTS_DIR", "",
                    "cannot choose a store: /opt/homelab/events is not writable and HOME is not set")
            base = os.path.join(home, ".local", "share")
        root = os.path.join(base, "homelab", "events")
    return root.rstrip("/") or "/"


# ---------------------------------------------------------------------------------------------
# Writing


def _fsync_dir(path: str) -> None:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _make_dirs(target: str) -> None:
    """Creates ``target`` and missing parents (0755) and fsyncs each new directory and its parent."""
    missing = []
    probe = target
    while not os.path.isdir(probe):
        # checked again: a concurrent writer may have made the directory since the line above
        if os.path.lexists(probe) and not os.path.isdir(probe):
            raise EventWriteError(errno.ENOTDIR, "exists and is not a directory", probe)
        missing.append(probe)
        parent = os.path.dirname(probe)
        if parent == probe:
            break
        probe = parent
    if not missing:
        return
    for path in reversed(missing):
        try:
            os.mkdir(path, 0o755)
        except FileExistsError:
            if not os.path.isdir(path):
                raise
            continue  # created by a concurrent writer: it is fsynced below all the same
        os.chmod(path, 0o755)  # mkdir's mode is cut by the umask
    for path in missing + [probe]:
        _fsync_dir(path)


def _write_event_file(root: str, day: str, node: str, name: str, content: bytes) -> str:
    """The write protocol of docs/format.md; returns the final path."""
    day_dir = os.path.join(root, day)
    node_dir = os.path.join(day_dir, node)
    _make_dirs(node_dir)
    # never write through a symlinked partition: the path must stay under the root
    for path in (day_dir, node_dir):
        if os.path.islink(path):
            raise EventWriteError(errno.ELOOP, "refusing to write through a symbolic link", path)
    final = os.path.join(node_dir, name)
    tmp = os.path.join(node_dir, ".{}.{}.{}.tmp".format(name, os.getpid(), secrets.token_hex(6)))
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
                 | getattr(os, "O_CLOEXEC", 0), 0o644)
    linked = False
    try:
        try:
            os.fchmod(fd, 0o644)  # the creation mode is cut by the umask
            view = memoryview(content)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            # a failed fsync is final: the data may never reach the disk, never retry it
            os.fsync(fd)
        finally:
            os.close(fd)
        # COMMIT POINT: a hard link never replaces an existing name
        os.link(tmp, final)
        linked = True
        os.unlink(tmp)
        _fsync_dir(node_dir)
    except BaseException:
        # not durable, so not acknowledged: leave neither the temporary nor the final name
        for path in ([final] if linked else []) + [tmp]:
            try:
                os.unlink(path)
            except OSError:
                pass
        raise
    return final


def _post(body: Dict[str, Any], payload: Optional[str] = None,
          path: str = "/api/events") -> Optional[Dict[str, Any]]:
    """Sends the event (or the tool call) to the server. Returns the server's answer, or None when
    the server cannot be used (connection error, timeout, 5xx) and the write must be done locally.
    ``payload``, when given, is the compact payload text, sent as written. A 409 raises
    :class:`EventConflictError`, another 4xx :class:`EventValidationError` or :class:`EventWriteError`."""
    url = os.environ["HOMELAB_EVENTS_URL"].rstrip("/") + path
    try:
        timeout = float(os.environ.get("HOMELAB_EVENTS_TIMEOUT", "10"))
    except ValueError:
        timeout = 10.0
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    token = os.environ.get("HOMELAB_EVENTS_TOKEN", "")
    if token:
        headers["Authorization"] = "Bearer " + token
    # the payload goes as its compact text, so that its numbers reach the server as written
    head = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    if payload is not None:
        head = head[:-1] + ',"payload":' + payload + "}"
    data = head.encode("utf-8")
    request = urllib.request.Request(url, data=data, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            answer = response.read()
    except urllib.error.HTTPError as err:
        if 400 <= err.code < 500:
            detail = ""
            field = "server"
            try:
                problem = json.loads(err.read().decode("utf-8", "replace"))
                if isinstance(problem, dict):
                    detail = str(problem.get("detail") or problem.get("message")
                                 or problem.get("title") or "")
                    errors = problem.get("errors")
                    if isinstance(errors, list) and errors and isinstance(errors[0], dict) \
                            and isinstance(errors[0].get("field"), str):
                        field = errors[0]["field"]
                    elif isinstance(problem.get("field"), str):
                        field = problem["field"]
            except (ValueError, OSError):
                pass
            if err.code == 409:
                raise EventConflictError(field if field != "server" else "id", "refused by the server "
                                         "(HTTP 409): {}".format(detail or err.reason)) from err
            if err.code in (400, 413, 422):
                raise EventValidationError(field, detail or err.reason,
                                           "refused by the server (HTTP {})".format(err.code)) from err
            raise EventWriteError(errno.EACCES if err.code in (401, 403) else errno.EIO,
                                  "server refused the event (HTTP {}): {}".format(
                                      err.code, detail or err.reason)) from err
        return None
    except (urllib.error.URLError, OSError, ValueError):
        return None
    try:
        stored = _loads(answer.decode("utf-8"))
    except ValueError:
        stored = None
    if not isinstance(stored, dict):
        stored = dict(body)
        stored["payload"] = _loads(payload)
    return stored


def emit_event(
    event_type: str,
    severity: str,
    source: str,
    service: str,
    correlation_id: Optional[str] = None,
    payload: Optional[Mapping[str, Any]] = None,
    node: Optional[str] = None,
    timestamp: Optional[Union[str, _dt.datetime]] = None,
    event_id: Optional[str] = None,
    _local: bool = False,
) -> Dict[str, Any]:
    """Validates and stores one event; returns it as stored, with ``id`` and ``path``.

    :param event_type: one of :data:`EVENT_TYPES` or of ``HOMELAB_EVENTS_CUSTOM_TYPES``.
    :param severity: ``info``, ``warning``, ``error`` or ``critical``.
    :param source: the emitting component, e.g. ``monitor.py`` (1-128 characters, not blank,
        no control or bidirectional characters, no ``/`` or ``\\``).
    :param service: the service concerned, or ``all`` (same rule as ``source``).
    :param correlation_id: links related events (1-128 characters, not blank, no control, format
        or separator characters); None or ``""`` means the event's own id.
    :param payload: a JSON-serializable dict (string keys, finite numbers), or the JSON text of an
        object; at most 16 levels deep and 65,536 bytes compacted; None means ``{}``. Numbers are
        stored exactly: as written in the text, as their literal for :class:`JsonNumber` and
        ``decimal.Decimal``, as Python prints them for int and float.
    :param node: overrides ``HOMELAB_NODE`` and the hostname.
    :param timestamp: an ISO 8601 instant with an offset (or an aware datetime), normalized to
        UTC; at most 6 fraction digits (microseconds: finer is refused, not cut); at most 24 hours
        ahead of this clock. None means now.
    :param event_id: the event's id, a UUID chosen by the caller so that a retry is safe: when
        the store already holds it, the stored event is returned if it is the same event (the
        same fields, the timestamp only when given), else :class:`EventConflictError` is raised.
        None: a new random id.
    :raises EventValidationError: on a bad argument (``.field`` names it); nothing is written.
    :raises EventConflictError: when ``event_id`` is stored with different content.
    :raises EventWriteError: when the event could not be stored durably.

    In server mode (``HOMELAB_EVENTS_URL``) the returned dict is the server's answer and has no
    ``path`` unless the server sent one; it falls back to the local store when the server is
    unreachable or answers 5xx.
    """
    event_type = _check_type(event_type)
    if severity not in SEVERITIES:
        raise EventValidationError("severity", severity,
                                   "must be one of: " + ", ".join(SEVERITIES))
    source = _check_name("source", source, True, True)
    service = _check_name("service", service, True, True)
    if correlation_id is not None and correlation_id != "":
        # not blank: a blank id would be stored and then be unreachable (the server refuses it too)
        correlation_id = _check_name("correlation_id", correlation_id, False, True)
    else:
        correlation_id = None
    compact = _compact_payload(payload)
    if node is None:
        env_node = os.environ.get("HOMELAB_NODE", "")
        node = _check_node(env_node or socket.gethostname(),
                           " (from HOMELAB_NODE)" if env_node else " (from hostname)")
    else:
        node = _check_node(node, "")
    chosen = event_id is not None
    event_id = _check_id(event_id) if chosen else str(uuid.uuid4())
    now = _dt.datetime.now(_dt.timezone.utc)
    if timestamp is None:
        moment = now
    else:
        moment = _parse_timestamp(timestamp)
        if moment is None:
            raise EventValidationError(
                "timestamp", timestamp if isinstance(timestamp, str) else str(timestamp),
                "must be an ISO 8601 instant with an offset, e.g. 2026-11-26T23:47:51.123456Z")
        digits = _TS_RE.fullmatch(timestamp).group(7) if isinstance(timestamp, str) else None
        if digits is not None and len(digits) > 6:
            raise EventValidationError("timestamp", timestamp,
                                       "has {} fraction digits; at most 6 fraction digits (microseconds) "
                                       "are allowed: round or cut the value".format(len(digits)))
        if moment > now + MAX_FUTURE:
            raise EventValidationError("timestamp", timestamp if isinstance(timestamp, str)
                                       else str(timestamp),
                                       "more than 24 hours ahead of this clock")
        if moment < _MIN_TS:
            raise EventValidationError("timestamp", timestamp if isinstance(timestamp, str)
                                       else str(timestamp), "must be between 1970 and 9999")
    root = store_root()
    ts = _format_ts(moment)
    event_payload = _loads(compact)

    fell_back = False
    if os.environ.get("HOMELAB_EVENTS_URL") and not _local:
        # The id goes with the request, so that the local fallback below can find what a late
        # server stored. With a generated id the timestamp goes too: the server's file then has
        # the very name the fallback would write, so whichever writes second finds the first (the
        # commit point). A chosen id goes without the default timestamp: the server stamps the
        # event, and a retry of this call (another timestamp) matches what it stored.
        body: Dict[str, Any] = {"id": event_id}
        if timestamp is not None or not chosen:
            body["timestamp"] = ts
        body.update({"node": node, "type": event_type, "severity": severity, "source": source,
                     "service": service})
        if correlation_id is not None:
            body["correlation_id"] = correlation_id
        stored = _post(body, compact)
        if stored is not None:
            return stored
        fell_back = True
        _LOG.warning("server %s unavailable; writing the event to the local store",
                     os.environ.get("HOMELAB_EVENTS_URL"))

    event = {
        "timestamp": ts,
        "node": node,
        "type": event_type,
        "severity": severity,
        "source": source,
        "service": service,
        "correlation_id": correlation_id if correlation_id is not None else event_id,
    }
    line = json.dumps(event, ensure_ascii=False, separators=(",", ":"))
    content = (line[:-1] + ',"payload":' + compact + "}\n").encode("utf-8")
    name = "{}_{}_{}.json".format(moment.strftime("%Y%m%dT%H%M%S.%fZ"), event_type, event_id)
    event["payload"] = event_payload
    # a fresh random id is known to nobody else, unless a server stored it before answering late
    existing, same_name = _store_once(root, moment, node, name, content, event_id, chosen or fell_back)
    if existing is not None:
        if chosen or same_name:
            # the stored event under this id must be this one: never report another as stored
            _check_same(existing, event, timestamp is not None or same_name, ())
        return existing
    event["id"] = event_id
    event["path"] = os.path.join(root, moment.strftime("%Y-%m-%d"), node, name)
    return event


_ID_RE = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def _check_id(value: Any) -> str:
    """A caller's event id: a UUID of 36 characters, either case; returned lower case."""
    if not isinstance(value, str) or not _ID_RE.fullmatch(value):
        raise EventValidationError(
            "id", value, "must be a UUID such as 0b6f7a6e-1d0c-4d8e-9a59-3f2f0c7f4a11 (36 characters, "
            "hexadecimal digits and dashes); omit it to get a new one")
    return value.lower()


def _find_event_file(root: str, moment: _dt.datetime, event_id: str) -> Optional[Dict[str, Any]]:
    """The stored event whose file name carries ``event_id``, looked for in the date directory of
    ``moment`` and the two next to it (every node), or None."""
    suffix = "_{}.json".format(event_id)
    for delta in (0, -1, 1):
        try:
            day = (moment + _dt.timedelta(days=delta)).strftime("%Y-%m-%d")
        except OverflowError:
            continue
        day_dir = os.path.join(root, day)
        if os.path.islink(day_dir):
            continue
        for node in _dirs(day_dir):
            try:
                entries = list(os.scandir(os.path.join(day_dir, node)))
            except OSError:
                continue
            for entry in entries:
                if entry.name.endswith(suffix) and not entry.name.startswith("."):
                    event = _read_event(entry.path, "{}/{}/{}".format(day, node, entry.name))
                    if event is not None:
                        del event["_moment"]
                        return event
    return None


def _store_once(root: str, moment: _dt.datetime, node: str, name: str, content: bytes,
                event_id: str, look_first: bool) -> Tuple[Optional[Dict[str, Any]], bool]:
    """Writes the event file unless its id is already stored; returns the stored event then (else
    None) and whether it holds the very same name. With ``look_first`` the id is looked for before
    the write (see :func:`_find_event_file`); the very same name is always found by the commit
    point."""
    if look_first:
        existing = _find_event_file(root, moment, event_id)
        if existing is not None:
            return existing, False
    day = moment.strftime("%Y-%m-%d")
    try:
        _write_event_file(root, day, node, name, content)
    except FileExistsError as err:
        # the same name, written by another writer (a server that answered late): never replaced
        existing = _read_event(os.path.join(root, day, node, name), "{}/{}/{}".format(day, node, name))
        if existing is None:
            raise EventConflictError("id", "event not stored: id {} is held by the file {}, which is "
                                     "not a readable event".format(event_id, err.filename)) from err
        del existing["_moment"]
        return existing, True
    except EventWriteError:
        raise
    except OSError as err:
        raise EventWriteError(err.errno, "event not stored: {}".format(err.strerror or err),
                              err.filename) from err
    return None, False


def _check_same(stored: Mapping[str, Any], event: Mapping[str, Any], compare_timestamp: bool,
                ignored_payload: Iterable[str]) -> None:
    """Raises :class:`EventConflictError` unless ``stored`` is the same event as ``event`` (the
    server's rule: the eight fields, the timestamp only when the caller gave one, node names in
    any case, payloads as JSON values, leaving out the payload fields in ``ignored_payload``)."""
    differ = []
    if compare_timestamp and _parse_timestamp(stored.get("timestamp")) != _parse_timestamp(event["timestamp"]):
        differ.append("timestamp")
    if str(stored.get("node", "")).lower() != event["node"].lower():
        differ.append("node")
    for field in ("type", "severity", "source", "service", "correlation_id"):
        if stored.get(field) != event[field]:
            differ.append(field)
    left = dict(stored.get("payload") or {})
    right = dict(event["payload"])
    for field in ignored_payload:
        left.pop(field, None)
        right.pop(field, None)
    if left != right:
        differ.append("payload")
    if differ:
        raise EventConflictError(
            "id", "id {} is already stored with different content ({} differ) at {}; an id names one "
                  "event: send the same content to get it back, or choose a new id".format(
                      stored.get("id"), ", ".join(differ), stored.get("path")))


# ---------------------------------------------------------------------------------------------
# Reading


def _reject_constant(name: str) -> Any:
    raise ValueError("not JSON: " + name)


def _uuid3_of(rel: str) -> str:
    """java.util.UUID.nameUUIDFromBytes(rel as UTF-8): the id of a file whose name has none."""
    digest = bytearray(hashlib.md5(rel.encode("utf-8", "surrogateescape")).digest())
    digest[6] = (digest[6] & 0x0F) | 0x30
    digest[8] = (digest[8] & 0x3F) | 0x80
    return str(uuid.UUID(bytes=bytes(digest)))


def _read_event(path: str, rel: str) -> Optional[Dict[str, Any]]:
    """The event in ``path`` with ``id`` and ``path``, or None when it is not one."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) \
        | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_FILE_BYTES or info.st_size == 0:
            return None
        chunks = []
        size = 0
        while True:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            size += len(chunk)
            if size > MAX_FILE_BYTES:
                return None
            chunks.append(chunk)
    except OSError:
        return None
    finally:
        os.close(fd)
    try:
        data = _loads(b"".join(chunks).decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    # not Unicode (a lone surrogate): the Java reader reports such a file, it never serves it
    try:
        if _payload_problem(data, -(1 << 30)) is not None:
            return None
    except RecursionError:
        return None
    # the same acceptance rules as the Java store's reader (EventCodec)
    if not isinstance(data, dict):
        return None
    moment = _parse_timestamp(data.get("timestamp"))
    if moment is None:
        return None
    node = data.get("node")
    if not isinstance(node, str) or len(node) > 253 or not _NODE_RE.fullmatch(node):
        return None
    data["node"] = node.lower()  # DNS names are case-insensitive: a hand-written PI4 is pi4
    if not isinstance(data.get("type"), str) or not _TYPE_RE.fullmatch(data["type"]):
        return None
    if data.get("severity") not in SEVERITIES:
        return None
    for field in ("source", "service"):
        if not isinstance(data.get(field), str) or _is_blank(data[field]):
            return None
    if data.get("payload") is None:
        data["payload"] = {}
    elif not isinstance(data["payload"], dict):
        return None
    m = _NAME_RE.fullmatch(os.path.basename(path))
    if m:
        event_id = m.group(1)
    elif isinstance(data.get("id"), str) and _UUID_RE.fullmatch(data["id"].lower()):
        event_id = data["id"].lower()
    else:
        event_id = _uuid3_of(rel)
    event = dict(data)
    if not isinstance(event.get("correlation_id"), str) or not event["correlation_id"]:
        event["correlation_id"] = event_id
    event["id"] = event_id
    event["path"] = path
    event["_moment"] = moment
    return event


def _dirs(path: str) -> List[str]:
    """Names of the real (not symlinked), not hidden sub-directories of ``path``."""
    try:
        entries = list(os.scandir(path))
    except OSError:
        return []
    return sorted(e.name for e in entries
                  if not e.name.startswith(".") and e.is_dir(follow_symlinks=False))


def _iter_events(days: Optional[Iterable[str]]) -> Iterator[Dict[str, Any]]:
    root = store_root()
    if not os.path.isdir(root):
        return
    day_names = [d for d in _dirs(root) if _DATE_RE.fullmatch(d)] if days is None else days
    for day in day_names:
        day_dir = os.path.join(root, day)
        if os.path.islink(day_dir) or not os.path.isdir(day_dir):
            continue
        for node in _dirs(day_dir):
            if len(node) > 253 or not _NODE_RE.fullmatch(node):
                continue
            node_dir = os.path.join(day_dir, node)
            try:
                entries = list(os.scandir(node_dir))
            except OSError:
                continue
            for entry in entries:
                if entry.name.startswith(".") or not entry.name.endswith(".json"):
                    continue
                try:
                    if not entry.is_file(follow_symlinks=False):
                        continue
                except OSError:
                    continue
                event = _read_event(entry.path, "{}/{}/{}".format(day, node, entry.name))
                if event is not None:
                    yield event


_SIGN = 1 << 63


def _id_order(event_id: str) -> Tuple[int, int]:
    """The server's order of ids (java.util.UUID.compareTo): both 64-bit halves compared as signed."""
    digits = event_id.replace("-", "")
    return int(digits[:16], 16) ^ _SIGN, int(digits[16:], 16) ^ _SIGN


def _sorted(events: Iterable[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """Listing order, the server's: timestamp, then node, then id."""
    result = sorted(events, key=lambda e: (e["_moment"], e["node"], _id_order(e["id"])))
    for event in result:
        del event["_moment"]
    return result


def list_events(
    date: Union[None, str, _dt.date] = None,
    node: Optional[str] = None,
    event_type: Optional[str] = None,
    service: Optional[str] = None,
    correlation_id: Optional[str] = None,
    severity: Optional[str] = None,
) -> List[Dict[str, Any]]:
    """Events of one date directory (the UTC date of their timestamp), oldest first.

    :param date: ``None`` or ``"today"`` (UTC), a ``yyyy-MM-dd`` string, a :class:`datetime.date`,
        or ``"all"`` for every date.
    :param node, event_type, service, correlation_id, severity: exact-match filters (None: any);
        node names match whatever their case.
    :returns: plain dicts: the stored fields plus ``id`` and ``path``; ordered by timestamp,
        then node, then id.
    """
    if date is None or date == "today":
        days: Optional[List[str]] = [_dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d")]
    elif date == "all":
        days = None
    elif isinstance(date, _dt.date):
        days = [date.strftime("%Y-%m-%d")]
    elif isinstance(date, str) and _DATE_RE.fullmatch(date):
        days = [date]
    else:
        raise EventValidationError("date", date, "must be YYYY-MM-DD, a datetime.date, today or all")
    # node names are case-insensitive (stored and read in lower case)
    wanted = {"node": node.lower() if isinstance(node, str) else node, "type": event_type, "service": service,
              "correlation_id": correlation_id, "severity": severity}
    return _sorted(e for e in _iter_events(days)
                   if all(v is None or e.get(k) == v for k, v in wanted.items()))


def get_chain(correlation_id: str) -> List[Dict[str, Any]]:
    """Every event with ``correlation_id``, across all dates and nodes, oldest first."""
    return list_events(date="all", correlation_id=correlation_id)


def _payload_text(event: Mapping[str, Any], field: str) -> Optional[str]:
    """A payload field as the server reads it for pairing: text of a string, number or boolean;
    None when it is missing, null, an object or an array."""
    payload = event.get("payload")
    value = payload.get(field) if isinstance(payload, dict) else None
    if value is None or isinstance(value, (dict, list)):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else str(value)


def _step_key(event: Mapping[str, Any]) -> Optional[str]:
    """What links a completion to its start: payload ``step``, else ``action``."""
    step = _payload_text(event, "step")
    return step if step is not None else _payload_text(event, "action")


def _match_start(open_starts: List[Dict[str, Any]], completion: Mapping[str, Any]) -> Optional[Dict[str, Any]]:
    """The open start a completion closes, or None (the server's rule, ChainAnalysis.matchStart).

    By ``started_event_id`` when the completion has one (and nothing else then), else by step key
    (the oldest open start with the same key), else, for a completion without a key, the latest
    open start.
    """
    if not open_starts:
        return None
    started_id = _payload_text(completion, "started_event_id")
    if started_id is not None:
        return next((s for s in open_starts if s["id"] == started_id), None)
    key = _step_key(completion)
    if key is None:
        return open_starts[-1]
    return next((s for s in open_starts if _step_key(s) == key), None)


def _remediation_steps(service: str) -> List[Tuple[Optional[Dict[str, Any]], Optional[Dict[str, Any]]]]:
    """Every remediation step of ``service`` as (start, completion), in the order of the starts
    (a completion that closes nothing is a step of its own): the service's remediation events of
    each correlation id, in listing order, paired as the server pairs them."""
    steps: List[List[Optional[Dict[str, Any]]]] = []
    open_by_chain: Dict[str, List[Dict[str, Any]]] = {}
    step_of: Dict[str, List[Optional[Dict[str, Any]]]] = {}
    for event in list_events(date="all", service=service):
        if event["type"] == "remediation_started":
            open_by_chain.setdefault(event["correlation_id"], []).append(event)
            step_of[event["id"]] = [event, None]
            steps.append(step_of[event["id"]])
        elif event["type"] == "remediation_completed":
            open_starts = open_by_chain.get(event["correlation_id"], [])
            start = _match_start(open_starts, event)
            if start is None:
                steps.append([None, event])
            else:
                open_starts.remove(start)
                step_of[start["id"]][1] = event
    return [(s[0], s[1]) for s in steps]


def latest_remediation(service: str) -> Optional[Dict[str, Any]]:
    """What was last tried for ``service``.

    :returns: None when no ``remediation_started`` event exists for the service, else
        ``{"started": event, "completed": event_or_None}``: the most recent start (listing
        order) and the ``remediation_completed`` event that closed it, paired exactly as the
        server pairs steps: within one correlation id, in listing order, a completion closes the
        open start named by its payload ``started_event_id``, else the oldest open start with the
        same step key (payload ``step``, else ``action``), else (no key at all) the latest open start.
    """
    started = [(s, c) for s, c in _remediation_steps(service) if s is not None]
    if not started:
        return None
    last, completed = started[-1]  # steps come in the listing order of their starts
    return {"started": last, "completed": completed}


# ---------------------------------------------------------------------------------------------
# Recording remediation steps

#: Where the start markers of remediation steps live, under the root (docs/format.md).
STEP_LOCK_DIR = os.path.join(".locks", "remediation")
#: A marker whose event did not appear within this many seconds is abandoned (as in Java and bash).
STEP_LOCK_STALE_SECONDS = 120
_NOTE_MAX_CHARS = 500
#: How long a start whose marker an earlier try of the same call linked waits for that try's event.
_TWIN_WAIT_SECONDS = 5
_MARKER_ID_RE = re.compile(r'"event_id"\s*:\s*"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"')


def _step_lock_key(correlation_id: str, service: str, step: str) -> str:
    """The key of a step: lower-case hex SHA-256 of ``correlation_id \\0 service \\0 step`` in UTF-8."""
    return hashlib.sha256("{}\0{}\0{}".format(correlation_id, service, step).encode("utf-8")).hexdigest()


def _claim_step(root: str, correlation_id: str, service: str, step: str, run: int, event_id: str,
                recorded: Iterable[str]) -> Tuple[str, bool]:
    """Claims run ``run`` of a step for ``event_id`` (docs/format.md, "Remediation step locks"):
    returns the marker and whether this call linked it (False: it already names ``event_id``).

    :raises EventConflictError: when another starter holds the run.
    """
    lock_dir = os.path.join(root, STEP_LOCK_DIR)
    _make_dirs(lock_dir)
    base = "{}.{}".format(_step_lock_key(correlation_id, service, step), run)
    content = (json.dumps({"event_id": event_id, "correlation_id": correlation_id, "service": service,
                           "step": step, "run": run,
                           "claimed_at": _format_ts(_dt.datetime.now(_dt.timezone.utc))},
                          ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
    known = set(recorded)
    slot = base
    for _ in range(64):
        marker = os.path.join(lock_dir, slot)
        tmp = os.path.join(lock_dir, ".{}.{}.{}.tmp".format(slot, os.getpid(), secrets.token_hex(6)))
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
                     | getattr(os, "O_CLOEXEC", 0), 0o644)
        try:
            try:
                os.write(fd, content)
                os.fsync(fd)
            finally:
                os.close(fd)
            # COMMIT POINT of the claim: the link never replaces a name, one starter gets it
            os.link(tmp, marker)
            _fsync_dir(lock_dir)
            return marker, True
        except FileExistsError:
            pass
        finally:
            try:
                os.unlink(tmp)
            except OSError:
                pass
        try:
            fd = os.open(marker, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
            try:
                info = os.fstat(fd)
                text = os.read(fd, 4096).decode("utf-8", "replace") if stat.S_ISREG(info.st_mode) else ""
            finally:
                os.close(fd)
        except FileNotFoundError:
            continue  # withdrawn just now by its owner: try the same slot again
        except OSError:
            text, info = "", None
        found = _MARKER_ID_RE.search(text)
        holder = found.group(1) if found else None
        if holder == event_id:
            return marker, False
        age = time.time() - info.st_mtime if info is not None else 0.0
        if holder is None or holder in known or age < STEP_LOCK_STALE_SECONDS:
            raise EventConflictError(
                "step", "step {} is already open in {}: another agent started it {} seconds ago{}; read "
                        "the chain again, then complete it (phase complete) or use another step key".format(
                            _show(step), _show(correlation_id), int(age),
                            " (event {})".format(holder) if holder else ""))
        slot = "{}.{}".format(base, holder)  # abandoned: its writer died before the event
    raise EventWriteError(errno.EAGAIN, "step not started: gave up after 64 abandoned or withdrawn "
                                        "claims on {}".format(os.path.join(lock_dir, base)))


def record_remediation(
    phase: str,
    correlation_id: str,
    service: str,
    action: str,
    actor: str,
    step: Optional[str] = None,
    result: Optional[str] = None,
    note: Optional[str] = None,
    event_id: Optional[str] = None,
) -> Dict[str, Any]:
    """Records a remediation step as an event, as the server's ``record_remediation`` tool does.

    ``phase="start"`` before acting writes ``remediation_started``; ``phase="complete"`` after it
    writes ``remediation_completed`` linked to the open start (``started_event_id``). The step key
    is ``step``, default ``action``; a step is one service's step key in one chain.

    A start is refused while the step is open, atomically across processes and languages: of
    several agents (Java server, bash, Python) racing to start one step, exactly one records it
    and the others get :class:`EventConflictError` (``field`` ``step``). A completed step may be
    started again.

    :param result: of a completion: ``succeeded`` (default) or ``failed``.
    :param note: a short note, at most 500 characters.
    :param event_id: a UUID chosen by the caller: a retry of a call that already recorded its
        event returns that event (whatever happened to the step since).
    :returns: ``id``, ``timestamp``, ``correlation_id``, ``type``, ``step``, ``path`` and, for a
        completion, ``started_event_id``.
    :raises EventValidationError: on a bad argument, or a completion of a step that is not open.
    :raises EventConflictError: when the step is already open, or ``event_id`` is stored with
        different content.
    :raises EventWriteError: when the event could not be stored durably.
    """
    if phase not in ("start", "complete"):
        raise EventValidationError("phase", phase, "allowed: start, complete")
    correlation_id = _check_name("correlation_id", correlation_id, False, True)
    service = _check_name("service", service, True, True)
    action = _check_name("action", action, False, True)
    actor = _check_name("actor", actor, True, True)
    step = action if step is None or step == "" else _check_name("step", step, False, True)
    start = phase == "start"
    if start and result is not None:
        raise EventValidationError("result", result, "is only allowed with phase=complete")
    if not start and result not in (None, "succeeded", "failed"):
        raise EventValidationError("result", result, "allowed: succeeded, failed")
    if note is not None and (not isinstance(note, str) or len(note) > _NOTE_MAX_CHARS):
        raise EventValidationError("note", note, "at most {} characters".format(_NOTE_MAX_CHARS))
    chosen = event_id is not None
    event_id = _check_id(event_id) if chosen else str(uuid.uuid4())
    root = store_root()

    fell_back = False
    if os.environ.get("HOMELAB_EVENTS_URL"):
        args: Dict[str, Any] = {"phase": phase, "correlation_id": correlation_id, "service": service,
                                "action": action, "actor": actor, "step": step, "id": event_id}
        if result is not None:
            args["result"] = result
        if note:
            args["note"] = note
        answer = _post(args, path="/api/tools/record_remediation")
        if answer is not None:
            return answer
        fell_back = True
        _LOG.warning("server %s unavailable; recording the step in the local store",
                     os.environ.get("HOMELAB_EVENTS_URL"))

    payload: Dict[str, Any] = {"action": action, "step": step, "actor": actor}
    if not start:
        payload["result"] = result or "succeeded"
    event_type = "remediation_started" if start else "remediation_completed"
    severity = "warning" if start else ("error" if result == "failed" else "info")
    wanted: Dict[str, Any] = {"type": event_type, "severity": severity, "source": actor,
                              "service": service, "correlation_id": correlation_id,
                              "payload": payload, "timestamp": "", "node": ""}

    now = _dt.datetime.now(_dt.timezone.utc)
    if chosen or fell_back:
        existing = _find_event_file(root, now, event_id)
        if existing is not None:
            # a retry: the same step is answered with what was recorded, whatever happened since
            wanted["node"] = existing["node"]
            if note:
                wanted["payload"] = dict(payload, note=note)
            _check_same(existing, wanted, False, ("started_event_id",))
            return _recorded(existing, step)

    # the server's open rule (ChainAnalysis.openStarts): the starts of this service in the chain
    # that no completion closed, paired as the server pairs them
    chain = get_chain(correlation_id)
    open_starts: List[Dict[str, Any]] = []
    runs = 0
    for event in chain:
        if event["type"] == "remediation_started" and event["service"] == service:
            open_starts.append(event)
            if _step_key(event) == step:
                runs += 1
        elif event["type"] == "remediation_completed":
            closed = _match_start(open_starts, event)
            if closed is not None:
                open_starts.remove(closed)
    started = None
    for event in open_starts:
        if _step_key(event) == step:
            started = event
    if start and started is not None:
        raise EventConflictError(
            "step", "step {} is already open in {}: it was already started at {} (event {}) and not "
                    "completed; complete it first (phase complete) or use another step key".format(
                        _show(step), _show(correlation_id), started["timestamp"], started["id"]))
    if not start and started is None:
        open_keys = [_step_key(e) or "" for e in open_starts]
        raise EventValidationError(
            "step", step, "has no open remediation_started for service {} in {}; open steps: {}. "
                          "Record phase=start first".format(service, correlation_id,
                                                            ", ".join(open_keys) or "none"))
    if not start:
        payload["started_event_id"] = started["id"]  # type: ignore[index]
    if note:
        payload["note"] = note
    marker: Optional[Tuple[str, bool]] = None
    if start:
        marker = _claim_step(root, correlation_id, service, step, runs, event_id,
                             (e["id"] for e in chain))
        if not marker[1]:
            # the marker already names this call's id: an earlier try (a server that timed out)
            # claimed the run and may be writing the event right now; give it a moment
            deadline = time.time() + _TWIN_WAIT_SECONDS
            while True:
                existing = _find_event_file(root, now, event_id)
                if existing is not None:
                    return _recorded(existing, step)
                if time.time() >= deadline:
                    break
                time.sleep(0.1)
    try:
        event = emit_event(event_type, severity, actor, service, correlation_id, payload,
                           event_id=event_id, _local=True)
    except BaseException:
        if marker is not None and marker[1]:
            try:
                os.unlink(marker[0])  # nothing was stored: the step may be started again at once
            except OSError:
                pass
        raise
    return _recorded(event, step)


def _recorded(event: Mapping[str, Any], step: str) -> Dict[str, Any]:
    """The answer of :func:`record_remediation`, shaped like the server's."""
    out = {"id": event["id"], "timestamp": event["timestamp"], "correlation_id": event["correlation_id"],
           "type": event["type"], "step": step, "path": event.get("path")}
    started = _payload_text(event, "started_event_id")
    if started is not None:
        out["started_event_id"] = started
    return out
